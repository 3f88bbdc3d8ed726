/**
 * Import (issue 15): the original database with BENCH_IMPORT_MEMBERS members and BENCH_IMPORT_RECORDS
 * study records (plus one account, streak, category, item and character inventory row and transaction
 * per member) on the local MariaDB, imported into a scratch PostgreSQL database by the importer
 * in-process (the code of `npm run import:monta`); then, as the baseline of the same run, a second
 * import that compares every row and rewrites none. Prints seconds and rows per second per table;
 * never asserts timing.
 *
 *   npm run bench:import
 *
 * Settings: BENCH_IMPORT_MEMBERS (10000), BENCH_IMPORT_RECORDS (100000), BENCH_IMPORT_BATCH (1000),
 * TEST_MARIADB_URL (mysql://root@127.0.0.1:3306), BENCH_ADMIN_URL. Both databases are dropped at the end.
 */
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/database/client.js';
import { seedCatalogue } from '../src/database/seeds/catalogue.js';
import { runImport } from '../src/import/importer.js';
import { createProgress, type Progress } from '../src/import/progress.js';
import { openSource } from '../src/import/source.js';
import { formatVerification } from '../src/import/verify.js';
import { createOriginalDatabase } from '../test/support/original-db.js';
import { loadBulk } from '../test/support/original-bulk.js';
import { cleanups, runBench } from './lib/cleanup.js';
import { printMachine, printTable } from './lib/report.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { ADMIN_URL, intSetting } from './lib/settings.js';

const members = intSetting('BENCH_IMPORT_MEMBERS', 10_000, 1, 1_000_000);
const records = intSetting('BENCH_IMPORT_RECORDS', 100_000, 0, 100_000_000);
const batchSize = intSetting('BENCH_IMPORT_BATCH', 1000, 1, 100_000);
const seconds = (since: number) => (performance.now() - since) / 1000;

/** The importer's progress, with the seconds and rows of each table kept. */
function timed(inner: Progress, tables: [string, number, number][]): Progress {
  let [table, rows, started] = ['', 0, 0];
  return {
    ...inner,
    start: (name, total, done) => {
      [table, rows, started] = [name, total - done, performance.now()];
      inner.start(name, total, done);
    },
    end: () => {
      tables.push([table, rows, seconds(started)]);
      inner.end();
    },
  };
}

async function main(): Promise<void> {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  console.log(`Settings: ${members} members, ${records} records, batches of ${batchSize}`);
  const original = await createOriginalDatabase();
  cleanups.push(() => original.drop());
  let t = performance.now();
  await loadBulk(original, members, records);
  console.log(`source loaded (MariaDB): ${seconds(t).toFixed(1)} s`);
  const scratch = await createScratchDatabase(ADMIN_URL, 'monta_bench_import', (db) => seedCatalogue(db));
  const target = await openDatabase({ url: scratch.url, dataDir: '', poolSize: 1 });
  cleanups.push(() => target.close());
  const source = await openSource(original.url);
  cleanups.push(() => source.close());

  const tables: [string, number, number][] = [];
  t = performance.now();
  const options = { dryRun: false, zone: 'UTC', batchSize };
  const first = await runImport(source, target, { ...options, progress: timed(createProgress(), tables) });
  const firstSeconds = seconds(t);
  console.log(`\n${formatVerification(first)}\n`);
  t = performance.now();
  const quiet = { log: () => undefined, start: () => undefined, advance: () => undefined, end: () => undefined };
  const second = await runImport(source, target, { ...options, progress: quiet });
  const secondSeconds = seconds(t);

  const total = tables.reduce((sum, [, rows]) => sum + rows, 0);
  const copied = tables.reduce((sum, [, , took]) => sum + took, 0);
  const line = (name: string, rows: number | undefined, took: number) => [
    name,
    rows === undefined ? '' : String(rows),
    took.toFixed(1),
    rows === undefined ? '' : String(Math.round(rows / took)),
  ];
  printTable(
    ['step', 'rows', 'seconds', 'rows/s'],
    [
      ...tables.map(([table, rows, took]) => line(table, rows, took)),
      line('context, verification and sequences', undefined, firstSeconds - copied),
      line('first import', total, firstSeconds),
      line('second run (compares, rewrites none)', total, secondSeconds),
    ],
  );
  console.log(`checksum of the second run: ${second.checksum === first.checksum ? 'unchanged' : 'CHANGED'}`);
}

await runBench(main, 3600);

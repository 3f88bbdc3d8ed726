/**
 * Import benchmark (issue 15): the original database with BENCH_IMPORT_MEMBERS members (10,000) and
 * BENCH_IMPORT_RECORDS study records (100,000), plus one account, streak, category, item and
 * character inventory row and transaction record per member, on the local MariaDB, imported into a
 * fresh PostgreSQL database by the importer in-process (the same code as `npm run import:monta`).
 * Prints the time of each step and rows per second; never asserts timing. The machine may be shared
 * (other work running at the same time): read the figures as a lower bound.
 *
 *   npx tsx bench/import.bench.ts      (or npm run bench:import)
 *
 * Settings: BENCH_IMPORT_MEMBERS, BENCH_IMPORT_RECORDS, BENCH_IMPORT_BATCH (1000), TEST_MARIADB_URL
 * (mysql://root@127.0.0.1:3306), BENCH_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
 * Both databases are dropped at the end, however the run ends.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { openDatabase } from '../src/database/client.js';
import { runMigrations } from '../src/database/migrator.js';
import { seedCatalogue } from '../src/database/seeds/catalogue.js';
import { runImport } from '../src/import/importer.js';
import { createProgress, type Progress } from '../src/import/progress.js';
import { openSource } from '../src/import/source.js';
import { formatVerification } from '../src/import/verify.js';
import { createOriginalDatabase } from '../test/support/original-db.js';
import { loadBulk } from '../test/support/original-bulk.js';
import { withAdmin } from './lib/scratch-database.js';

const members = Number(process.env.BENCH_IMPORT_MEMBERS ?? 10_000);
const records = Number(process.env.BENCH_IMPORT_RECORDS ?? 100_000);
const batchSize = Number(process.env.BENCH_IMPORT_BATCH ?? 1000);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Seconds per table, printed when the import is done. */
const perTable: [string, number, number][] = [];
const seconds = (since: number) => (performance.now() - since) / 1000;

console.log(`import bench: ${members} members, ${records} records, batches of ${batchSize}; ${cpus().length} cores`);
console.log('note: the machine may be shared with other work; figures are a lower bound\n');

const original = await createOriginalDatabase();
const name = `monta_bench_import_${randomBytes(4).toString('hex')}`;
try {
  let t = performance.now();
  await loadBulk(original, members, records);
  console.log(`source loaded (MariaDB): ${seconds(t).toFixed(1)} s`);

  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const target = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 1 });
  const source = await openSource(original.url);
  try {
    await runMigrations(target.db);
    await seedCatalogue(target.db);
    const [counts] = await original.connection.query(
      `select (select count(*) from account) + (select count(*) from member) + (select count(*) from study_streak)
        + (select count(*) from study_category) + (select count(*) from study_record) + (select count(*) from item_inventory)
        + (select count(*) from character_inventory) + (select count(*) from transaction_record)
        + (select count(*) from role) + (select count(*) from item) + (select count(*) from \`character\`)
        + (select count(*) from palette) as n`,
    );
    const total = Number((counts as { n: number }[])[0]!.n);

    t = performance.now();
    const first = await runImport(source, target, {
      dryRun: false,
      zone: 'UTC',
      batchSize,
      progress: timed(createProgress()),
    });
    const firstSeconds = seconds(t);
    console.log(`\n${formatVerification(first)}\n`);
    for (const [table, rows, took] of perTable) {
      const rate = Math.round(rows / took);
      console.log(
        `  ${table.padEnd(20)} ${String(rows).padStart(7)} rows ${took.toFixed(1).padStart(6)} s ${rate} rows/s`,
      );
    }
    const copied = perTable.reduce((sum, [, , took]) => sum + took, 0);
    console.log(`  context + verification + sequences: ${(firstSeconds - copied).toFixed(1)} s`);
    console.log(
      `first import: ${total} rows in ${firstSeconds.toFixed(1)} s = ${Math.round(total / firstSeconds)} rows/s`,
    );

    t = performance.now();
    const second = await runImport(source, target, {
      dryRun: false,
      zone: 'UTC',
      batchSize,
      progress: silentProgress(),
    });
    const secondSeconds = seconds(t);
    console.log(
      `second run (compares every row, rewrites none): ${secondSeconds.toFixed(1)} s = ${Math.round(total / secondSeconds)} rows/s; checksum ${second.checksum === first.checksum ? 'unchanged' : 'CHANGED'}`,
    );
  } finally {
    await source.close();
    await target.close();
  }
} finally {
  await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => undefined);
  await original.drop();
}

function timed(inner: Progress): Progress {
  let started = 0;
  let rows = 0;
  let table = '';
  return {
    ...inner,
    start: (name, total, done) => {
      [table, rows, started] = [name, total - done, performance.now()];
      inner.start(name, total, done);
    },
    end: () => {
      perTable.push([table, rows, seconds(started)]);
      inner.end();
    },
  };
}

function silentProgress() {
  return { log: () => undefined, start: () => undefined, advance: () => undefined, end: () => undefined };
}

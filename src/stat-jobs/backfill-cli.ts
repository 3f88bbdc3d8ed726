import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { DatabaseLockedError, openDatabase } from '../database/client.js';
import { runMigrations } from '../database/migrator.js';
import { canonicalZone, daysBetween, isDate } from '../common/local-days.js';
import { openJobDatabase } from './job-database.js';
import { RunRecords } from './run-records.js';
import { type Progress, StatJobs } from './stat-jobs.js';

// `npm run stats:backfill -- --from YYYY-MM-DD --to YYYY-MM-DD`: fills or refills the statistics
// rollups of that range (up to yesterday) on DATABASE_URL or the embedded database, recorded as a run.
const USAGE = 'usage: npm run stats:backfill -- --from YYYY-MM-DD --to YYYY-MM-DD';

function parse(): { from: string; to: string } {
  try {
    const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });
    if (!values.from || !values.to || !isDate(values.from) || !isDate(values.to)) throw new Error('dates');
    if (daysBetween(values.from, values.to) < 0) throw new Error('order');
    return { from: values.from, to: values.to };
  } catch {
    console.error(USAGE);
    process.exit(2);
  }
}

/** A bar redrawn in place on a terminal; in a pipe, one line per quarter so logs stay short. */
function progressBar(): Progress {
  let lastQuarter = -1;
  return (done, total) => {
    const share = total ? done / total : 1;
    if (process.stdout.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stdout.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total} days`,
      );
      if (done === total) process.stdout.write('\n');
    } else if (Math.floor(share * 4) > lastQuarter) {
      lastQuarter = Math.floor(share * 4);
      console.log(`${done}/${total} days`);
    }
  };
}

const range = parse();
let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch((error: unknown) => {
  console.error(error instanceof DatabaseLockedError ? error.message : `Failed: ${(error as Error).message}`);
  process.exit(1);
});
const jobsDb = openJobDatabase(database, {
  url: config.DATABASE_URL,
  applicationName: config.STATS_JOB_APPLICATION_NAME,
  statementTimeoutMs: config.STATS_JOB_STATEMENT_TIMEOUT_MS,
  connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
});
const records = new RunRecords(jobsDb.run);
const id = `cli-${randomUUID()}`;
const started = performance.now();
try {
  await runMigrations(database.db);
  await records.started(id, 'backfill', 1, new Date());
  const result = await new StatJobs(jobsDb, canonicalZone(config.DEFAULT_TIMEZONE)).backfill(
    range.from,
    range.to,
    new Date(),
    progressBar(),
  );
  const ms = performance.now() - started;
  await records.finished(id, 'completed', result, ms);
  console.log(
    result.windowStart
      ? `Filled ${result.windowStart}..${result.windowEnd}: ${result.read} session parts read, ${result.written} rows written in ${(ms / 1000).toFixed(1)} s.`
      : 'Nothing to fill: the range starts after yesterday.',
  );
} catch (error) {
  const message = `${(error as Error).name}: ${(error as Error).message}`;
  await records.finished(id, 'failed', undefined, performance.now() - started, message).catch(() => undefined);
  console.error(`Failed: ${message}`);
  process.exitCode = 1;
} finally {
  await jobsDb.close();
  await database.close();
}

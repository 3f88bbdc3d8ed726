import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/database/client.js';
import { runMigrations } from '../src/database/migrator.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';

// Issue 10: `npm run stats:backfill -- --from --to` fills the rollups of a range, as a recorded run,
// with a progress bar on a terminal (a real pseudo-terminal through `script`).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const CLI = 'src/stat-jobs/backfill-cli.ts';

function run(args: string[], url: string, terminal = false): Promise<{ code: number | null; out: string }> {
  const line = [TSX, CLI, ...args].map((a) => JSON.stringify(a)).join(' ');
  const child = terminal
    ? spawn('script', ['-qefc', line, '/dev/null'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } })
    : spawn(TSX, [CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

describe('stats:backfill CLI', () => {
  let scratch: ScratchDatabase;
  let db: pg.Pool;
  beforeAll(async () => {
    scratch = await createScratchDatabase('backfill');
    const database = await openDatabase({ url: scratch.url, dataDir: '/nonexistent' });
    await runMigrations(database.db);
    await database.close();
    db = new pg.Pool({ connectionString: scratch.url, max: 2 });
    await db.query(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User')`);
    const a = await db.query(
      `insert into account (email, password) values ('cli@rollups.test', 'x') returning account_id`,
    );
    const m = await db.query(`insert into member (account_id, nickname) values ($1, 'c') returning member_id`, [
      a.rows[0].account_id,
    ]);
    await db.query(
      `insert into study_record (member_id, start_time, end_time, status)
       select $1, t, t + interval '2 hours', 'Completed' from generate_series('2024-01-01'::timestamptz, '2024-12-31', interval '1 day') t`,
      [m.rows[0].member_id],
    );
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await scratch?.drop();
  });

  it('fills a range as a recorded run; refuses bad arguments with the usage', async () => {
    const bad = await run(['--from', '2024-02-30', '--to', '2024-03-01'], scratch.url);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('usage: npm run stats:backfill -- --from YYYY-MM-DD --to YYYY-MM-DD');
    const piped = await run(['--from', '2024-01-01', '--to', '2024-06-30'], scratch.url);
    expect(piped.code, piped.out).toBe(0);
    expect(piped.out).toMatch(/Filled 2024-01-01\.\.2024-06-30: \d+ session parts read, \d+ rows written/);
    expect(piped.out).toContain('182/182 days');
    expect(piped.out).not.toContain('[#');
    const state = await db.query(`select daily_from::text, daily_through::text from stat_state`);
    expect(state.rows[0]).toEqual({ daily_from: '2024-01-01', daily_through: '2024-06-30' });
    const runs = await db.query(`select name, status, window_start::text from stat_job_run`);
    expect(runs.rows).toEqual([{ name: 'backfill', status: 'completed', window_start: '2024-01-01' }]);
  }, 60_000);

  it('draws a progress bar on a terminal', async () => {
    expect(loadConfig({}).JOBS_ENABLED).toBe(true); // jobs run by default
    const tty = await run(['--from', '2024-07-01', '--to', '2024-12-31'], scratch.url, true);
    expect(tty.code, tty.out).toBe(0);
    expect(tty.out).toMatch(/\r\[#{30}\] 100% 184\/184 days/);
  }, 60_000);
});

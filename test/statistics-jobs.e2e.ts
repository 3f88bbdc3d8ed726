import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppHandle, createApp } from '../src/app.js';
import { Metrics } from '../src/common/metrics.js';
import { loadConfig } from '../src/config/config.js';
import { StatJobsRunner } from '../src/stat-jobs/stat-jobs.runner.js';
import { useApp, useInstances } from './support/app.js';
import { client, login, registerAndLogin } from './support/http.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';

// Issue 10: the statistics jobs on pg-boss: a run killed mid-way converges, a permanent error is
// recorded, alerted and not retried, two instances run a scheduled run once, the embedded default
// runs them too, and the admin routes operate them.

const ZONE = 'Asia/Seoul';
const ROLLUP_LOCK = 7_305_462_111; // the writers' advisory lock (src/stat-jobs/rollup-writer.ts)
const base = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DEFAULT_TIMEZONE: ZONE,
  JOBS_ENABLED: 'true',
  STATS_JOB_POLL_SECONDS: '0.5',
  STATS_JOB_RETRY_DELAY_SECONDS: '1',
  STATS_JOB_RETRY_LIMIT: '3',
  // Role changes below must show at once (the guards' cache is another suite's subject).
  AUTH_CACHE_TTL_SECONDS: '0',
};

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Run {
  job_id: string;
  name: string;
  status: string;
  attempts: number;
  error: string | null;
  rows_written: number;
}

describe('statistics jobs on PostgreSQL (pg-boss)', () => {
  let scratch: ScratchDatabase;
  let db: pg.Pool;
  let webhook: Server;
  let webhookPort: number;
  const alerts: { text: string }[] = [];
  const appName = `monta-stats-test-${process.pid}`;
  const runs = async (where = 'true') =>
    (
      await db.query<Run>(
        `select job_id, name, status, attempts, error, rows_written from stat_job_run where ${where} order by run_id`,
      )
    ).rows;
  const runOf = (id: string) => runs(`job_id = '${id}'`).then((r) => r[0]);
  const checksum = async () =>
    (await db.query(`select md5(string_agg(t::text, '|' order by t::text)) d from stat_daily t`)).rows[0].d as string;

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as { text: string });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    webhookPort = (webhook.address() as { port: number }).port;
    scratch = await createScratchDatabase('jobs');
    db = new pg.Pool({ connectionString: scratch.url, max: 3 });
  });
  // Registered before the instances, so it runs after they closed.
  afterAll(async () => {
    await db?.end();
    await scratch?.drop();
    webhook?.close();
  });
  const service = useApp(() => ({
    env: {
      ...base,
      DATABASE_URL: scratch.url,
      STATS_JOB_APPLICATION_NAME: appName,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/hook`,
      ALERT_FAILURE_RATE_THRESHOLD: '0.2',
    },
  }));
  const instances = useInstances();
  let a: AppHandle;
  beforeAll(async () => {
    a = service.handle;
    await db.query(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User') on conflict do nothing`);
    const { rows } = await db.query(
      `insert into account (email, password) values ('jobs@rollups.test', 'x') returning account_id`,
    );
    const member = await db.query(`insert into member (account_id, nickname) values ($1, 'j') returning member_id`, [
      rows[0].account_id,
    ]);
    // Two years of sessions, some across midnight.
    await db.query(
      `insert into study_record (member_id, start_time, end_time, status)
       select $1, t, t + interval '3 hours', 'Completed'
       from generate_series(now() - interval '700 days', now() - interval '1 day', interval '31 hours') t`,
      [member.rows[0].member_id],
    );
  });

  it('a run whose connection is terminated mid-way is retried and converges to the same rows', async () => {
    const holder = await db.connect();
    await holder.query('select pg_advisory_lock($1)', [ROLLUP_LOCK]);
    let id: string | undefined;
    try {
      id = await a.app.get(StatJobsRunner).runNow('daily');
      // The run waits for the writers' lock, in a transaction, on the jobs' own connection.
      const killed = await until('the run waiting on the lock', async () => {
        const r = await db.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where application_name = $1 and wait_event_type = 'Lock' and state = 'active'`,
          [appName],
        );
        return r.rowCount! > 0 && r.rowCount;
      });
      expect(killed).toBe(1);
      const retrying = await until('the retrying record', async () => {
        const run = await runOf(id!);
        return run?.status === 'retrying' && run;
      });
      expect(retrying.error).toMatch(/terminat/i);
    } finally {
      await holder.query('select pg_advisory_unlock($1)', [ROLLUP_LOCK]);
      holder.release();
    }
    const done = await until('the run completed', async () => {
      const run = await runOf(id!);
      return run?.status === 'completed' && run;
    });
    expect(done.attempts).toBe(2);
    expect(done.rows_written).toBeGreaterThan(300);
    // Converged: a full refill of the same days writes identical rows.
    const after = await checksum();
    const refill = await a.app.get(StatJobsRunner).queueBackfill({ from: '2000-01-01', to: '2100-01-01' });
    await until('the refill', async () => (await runOf(refill!))?.status === 'completed');
    expect(await checksum()).toBe(after);
  });

  it('a permanent error is recorded once, alerted and not retried', async () => {
    await db.query(`alter table stat_daily add constraint stat_daily_injected check (micros < 0) not valid`);
    try {
      const id = await a.app.get(StatJobsRunner).queueBackfill({ from: '2000-01-01', to: '2100-01-01' });
      const failed = await until('the failed record', async () => {
        const run = await runOf(id!);
        return run?.status === 'failed' && run;
      });
      expect(failed.attempts).toBe(1);
      expect(failed.error).toContain('stat_daily_injected');
      await until('the alerts', async () => alerts.length >= 2);
      expect(alerts.some((x) => x.text.includes(id!) && x.text.includes('stat_daily_injected'))).toBe(true);
      expect(alerts.some((x) => /% of the last 10 runs failed/.test(x.text))).toBe(true);
      // Not retried: past the retry delay, still one attempt, and pg-boss holds no retry for it.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await runOf(id!))?.attempts).toBe(1);
      const job = await db.query(`select state, retry_count from pgboss.job where id = $1`, [id]);
      expect(job.rows[0]).toEqual({ state: 'completed', retry_count: 0 });
    } finally {
      await db.query(`alter table stat_daily drop constraint stat_daily_injected`);
    }
  });

  it('the admin routes list the runs and queue a backfill (live Admin accounts, Nest dialect)', async () => {
    const { api } = service;
    await db.query(
      `insert into account (email, password, role_id) select 'admin.jobs@test.com', password, 1 from account where false`,
    );
    const user = await registerAndLogin(api);
    await db.query(`update account set role_id = 1 where account_id = $1`, [user.accountId]);
    const admin = (await login(api, user.email)).access_token;
    const queued = await api.post('/timer-api/admin/statistics/backfill', {
      token: admin,
      json: { from: '2024-01-01', to: '2024-02-01' },
    });
    expect(queued.status).toBe(200);
    const id = queued.body.data.job_id as string;
    await until('the admin backfill', async () => (await runOf(id))?.status === 'completed');
    const list = await api.get('/timer-api/admin/jobs', { token: admin });
    expect(list.status).toBe(200);
    const run = (list.body.data.runs as Record<string, unknown>[]).find(
      (r) => r.status === 'completed' && r.name === 'backfill',
    );
    expect(Object.keys(run!).sort()).toEqual(
      [
        'attempts',
        'duration_ms',
        'error',
        'finished_at',
        'name',
        'rows_read',
        'rows_written',
        'started_at',
        'status',
        'window_end',
        'window_start',
      ].sort(),
    );
    expect(list.body.data.runs.map((r: { status: string }) => r.status)).toEqual(
      expect.arrayContaining(['completed', 'failed']),
    );
    // A member is refused, bad input is a 400 in the Nest dialect that queues nothing.
    await db.query(`update account set role_id = 2 where account_id = $1`, [user.accountId]);
    expect((await api.get('/timer-api/admin/jobs', { token: admin })).status).toBe(403);
    await db.query(`update account set role_id = 1 where account_id = $1`, [user.accountId]);
    const before = (await runs()).length;
    const bad = await api.post('/timer-api/admin/statistics/backfill', {
      token: admin,
      json: { from: '2024-02-30', to: '2024-01-01' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      status: 'error',
      code: 'VALIDATION',
      message: ['from must be a valid date (YYYY-MM-DD)'],
    });
    const reversed = await api.post('/timer-api/admin/statistics/backfill', {
      token: admin,
      json: { from: '2024-02-01', to: '2024-01-01' },
    });
    expect(reversed.status).toBe(400);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await runs()).length).toBe(before);
    // Throughput, duration and failure rate as metrics, on the application's registry.
    const metrics = await a.app.get(Metrics).registry.metrics();
    expect(metrics).toContain('monta_stats_job_runs_total{job="daily",status="retrying"} 1');
    expect(metrics).toContain('monta_stats_job_runs_total{job="backfill",status="failed"} 1');
    expect(metrics).toMatch(/monta_stats_job_rows_total\{job="daily",kind="written"\} [1-9]/);
    expect(metrics).toMatch(/monta_stats_job_duration_seconds_count\{job="backfill"\} [1-9]/);
    expect(metrics).toMatch(/monta_stats_job_failure_rate 0\.[1-9]/);
    const docs = await api.get('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/timer-api/admin/jobs', '/timer-api/admin/statistics/backfill']),
    );
  });

  it('a run still going at its deadline is alerted, and still completes', async () => {
    const holder = await db.connect();
    await holder.query('select pg_advisory_lock($1)', [ROLLUP_LOCK]);
    let id: string | undefined;
    const seen = alerts.length;
    try {
      // The run waits for the writers' lock past its 2 s deadline.
      id = await a.app.get(StatJobsRunner).runNow('daily', 2);
      const alert = await until('the deadline alert', async () =>
        alerts.slice(seen).find((x) => x.text.includes(id!) && x.text.includes('has not finished after 2 s')),
      );
      expect(alert.text).toBe(`statistics daily run ${id} has not finished after 2 s`);
    } finally {
      await holder.query('select pg_advisory_unlock($1)', [ROLLUP_LOCK]);
      holder.release();
    }
    // pg-boss gave up waiting at the same deadline and retried it: the retry finishes the job.
    await until('the late run completed', async () => {
      const job = await db.query(`select state from pgboss.job where id = $1`, [id]);
      return job.rows[0]?.state === 'completed' && (await runOf(id!))?.status === 'completed';
    });
  });

  it('a run held long past its deadline: retries wait for it without a connection, the process keeps serving', async () => {
    // The defect: pg-boss retries a job whose handler outlives its expiry while that handler still
    // runs; each attempt held a connection of the jobs' pool waiting on the writers' lock, the pool
    // ran dry and pg-boss's own fail() of the next expired attempt rejected unhandled.
    const unhandled: unknown[] = [];
    const capture = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', capture);
    const { api } = service;
    await db.query(
      'delete from stat_daily; delete from stat_month_days; delete from stat_monthly; delete from stat_state',
    );
    const holder = await db.connect();
    await holder.query('select pg_advisory_lock($1)', [ROLLUP_LOCK]);
    let id: string | undefined;
    const health: number[] = [];
    let waiting = 0;
    try {
      id = await a.app.get(StatJobsRunner).runNow('daily', 1);
      // The third attempt is fetched while the first still waits for the lock…
      await until('the third attempt', async () => {
        const job = await db.query(`select state, retry_count from pgboss.job where id = $1`, [id]);
        return job.rows[0]?.state === 'active' && job.rows[0].retry_count >= 2;
      });
      // …and it too outlives its 1 s deadline, past the pool's 3 s connect timeout.
      for (const end = Date.now() + 4500; Date.now() < end;) {
        health.push((await api.get('/health/live')).status);
        const { rows } = await db.query(
          `select count(*)::int n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
          [appName],
        );
        waiting = Math.max(waiting, rows[0].n as number);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await holder.query('select pg_advisory_unlock($1)', [ROLLUP_LOCK]);
      holder.release();
    }
    try {
      expect(unhandled).toEqual([]);
      expect(health.every((s) => s === 200)).toBe(true);
      // One attempt at a time waits for the lock: the others wait in the process, without a connection.
      expect(waiting).toBe(1);
      await until('the held run completed', async () => {
        const job = await db.query(`select state from pgboss.job where id = $1`, [id]);
        return job.rows[0]?.state === 'completed' && (await runOf(id!))?.status === 'completed';
      });
      // One run of this job, and its rows are what a full refill writes.
      const records = await runs(`job_id = '${id}'`);
      expect(records).toHaveLength(1);
      expect(records[0]!.rows_written).toBeGreaterThan(300);
      const after = await checksum();
      const refill = await a.app.get(StatJobsRunner).queueBackfill({ from: '2000-01-01', to: '2100-01-01' });
      await until('the refill', async () => (await runOf(refill!))?.status === 'completed');
      expect(await checksum()).toBe(after);
      expect((await api.get('/health/ready')).status).toBe(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', capture);
    }
  });

  it('two instances: each scheduled run happens once', async () => {
    const t0 = new Date();
    await instances.start({
      ...base,
      DATABASE_URL: scratch.url,
      STATS_DAILY_CRON: '* * * * * *',
      STATS_JOB_APPLICATION_NAME: `${appName}-b`,
    });
    // Both instances now watch a schedule due every second (the schedule is shared, in pgboss).
    await db.query(`update pgboss.schedule set cron = '* * * * * *' where name = 'stats-daily'`);
    await until(
      'a scheduled run',
      async () => (await runs(`name = 'daily' and started_at >= '${t0.toISOString()}'`)).length > 0,
    );
    await new Promise((r) => setTimeout(r, 6000));
    await db.query(`update pgboss.schedule set cron = '0 4 * * *' where name = 'stats-daily'`);
    // pg-boss sends a cron slot (one minute) once, however many instances poll the schedule (both
    // did, every second, for 6 s): once the slots sent meanwhile are done, one run per slot. The
    // wait may cross a minute, so two slots with a run each pass too.
    await until('the scheduled runs done', async () => {
      const { rows } = await db.query(
        `select count(*)::int n from pgboss.job where name in ('__pgboss__send-it', 'stats-daily')
         and created_on >= $1 and state <> 'completed'`,
        [t0.toISOString()],
      );
      return rows[0].n === 0;
    });
    const { rows } = await db.query<{ runs: number; slots: number }>(
      `select (select count(*)::int from stat_job_run where name = 'daily' and started_at >= $1) runs,
         (select count(distinct singleton_on)::int from pgboss.job
          where name = '__pgboss__send-it' and singleton_key = 'stats-daily' and created_on >= $1) slots`,
      [t0.toISOString()],
    );
    expect(rows[0]!.slots).toBeGreaterThan(0);
    expect(rows[0]!.slots).toBeLessThanOrEqual(2);
    expect(rows[0]!.runs).toBe(rows[0]!.slots);
  });
});

describe('the embedded default (PGlite) runs the jobs too', () => {
  let app: AppHandle;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'monta-jobs-'));
    app = await createApp(loadConfig({ ...base, DATA_DIR: dir }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a daily run and an admin backfill complete on the embedded database', async () => {
    const api = client(await app.listen());
    const user = await registerAndLogin(api);
    await app.app.get(StatJobsRunner).runNow('daily');
    const admin = (await login(api, 'admin@test.com')).access_token;
    await until('the embedded daily run', async () => {
      const r = await api.get('/timer-api/admin/jobs', { token: admin });
      return r.body.data.runs.some(
        (x: { name: string; status: string }) => x.name === 'daily' && x.status === 'completed',
      );
    });
    const queued = await api.post('/timer-api/admin/statistics/backfill', {
      token: admin,
      json: { from: '2024-01-01', to: '2024-12-31' },
    });
    expect(queued.status).toBe(200);
    await until('the embedded backfill', async () => {
      const r = await api.get('/timer-api/admin/jobs', { token: admin });
      return r.body.data.runs.some(
        (x: { name: string; status: string }) => x.name === 'backfill' && x.status === 'completed',
      );
    });
    expect(user.memberId).toBeTruthy();
  }, 60_000);
});

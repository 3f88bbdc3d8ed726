import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/database/client.js';
import { openJobDatabase, type JobDatabase } from '../src/stat-jobs/job-database.js';
import { StatJobs } from '../src/stat-jobs/stat-jobs.js';
import { actors } from './support/actors.js';
import { useApp } from './support/app.js';
import { ManualClock } from './support/clock.js';
import { registerAndLogin } from './support/http.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';

// In DEFAULT_TIMEZONE the overall ranking reads the daily rollups (issue 10) for covered days and the
// raw records for the rest: days after the last run, (member, day)s with changes the rollups have not
// seen, and running sessions. On a database of its own, so the rollup run covers only this data.

const clock = new ManualClock();
let scratch: ScratchDatabase;
let database: Database;
let jobs: JobDatabase;

beforeAll(async () => {
  scratch = await createScratchDatabase('rankings');
});
// Registered before the service, so it runs after the service closed.
afterAll(async () => {
  await jobs?.close();
  await database?.close();
  await scratch?.drop();
});
const { api } = useApp(() => ({
  env: {
    DATABASE_URL: scratch.url,
    RANKING_SNAPSHOT_SECONDS: '0',
    DEFAULT_TIMEZONE: 'Asia/Seoul',
    JOBS_ENABLED: 'false',
  },
  clock,
}));
beforeAll(async () => {
  database = await openDatabase({ url: scratch.url, dataDir: '/nonexistent', poolSize: 2 });
  jobs = openJobDatabase(database, {
    url: scratch.url,
    applicationName: 'rankings-test',
    statementTimeoutMs: 30_000,
    connectTimeoutMs: 3000,
  });
  // A fresh install has its roles from the seeds; registration needs the User role.
  await database.execute(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User') on conflict do nothing`);
});

type User = Awaited<ReturnType<typeof registerAndLogin>>;

const { timer } = actors(() => api, clock);

async function month(u: User, at: string) {
  clock.set(at);
  const r = await api.get('/timer-api/rankings?period=month&date=2010-03-01', { token: u.accessToken });
  expect(r.status, r.text).toBe(200);
  return (r.body.data.ranking as { member_id: string; seconds: number }[]).map((x) => [x.member_id, x.seconds]);
}

const sql = (text: string, params?: unknown[]) => database.execute(text, params);

describe('rankings on the rollups', () => {
  it('equal the raw answer before and after a run; read rollup rows for covered days, raw for the rest', async () => {
    clock.reset();
    const [a, b, c] = [await registerAndLogin(api), await registerAndLogin(api), await registerAndLogin(api)];
    // Seoul is UTC+9. a: 03-02 23:30 → 03-03 00:45 and 03-10 10:00–12:00; b: 03-05 09:00–10:40.
    await timer(a, 'start', '2010-03-02T14:30:00Z');
    await timer(a, 'end', '2010-03-02T15:45:00Z');
    await timer(a, 'start', '2010-03-10T01:00:00Z');
    await timer(a, 'end', '2010-03-10T03:00:00Z');
    await timer(b, 'start', '2010-03-05T00:00:00Z');
    await timer(b, 'end', '2010-03-05T01:40:00Z');
    // c started on 03-11 at 23:00 and is still running on 03-12 at 02:00 (3 h so far).
    await timer(c, 'start', '2010-03-11T14:00:00Z');
    const now = '2010-03-11T17:00:00Z';
    const expected = [
      [a.memberId, 4500 + 7200],
      [c.memberId, 3 * 3600],
      [b.memberId, 6000],
    ];
    expect(await month(a, now)).toEqual(expected);

    // The run covers every day up to yesterday (03-11 in Seoul): c's running session is not in it.
    await new StatJobs(jobs, 'Asia/Seoul').daily(new Date(now));
    const [state] = (await sql(`select to_char(daily_through, 'YYYY-MM-DD') t from stat_state`)).rows;
    expect(state!.t).toBe('2010-03-11');
    expect(await month(a, now)).toEqual(expected);

    // Covered days come from stat_daily: a row changed behind the service's back shows.
    await sql(`update stat_daily set micros = micros + 600000000 where member_id = $1 and local_date = '2010-03-10'`, [
      a.memberId,
    ]);
    expect(await month(a, now)).toEqual([
      [a.memberId, 4500 + 7200 + 600],
      [c.memberId, 3 * 3600],
      [b.memberId, 6000],
    ]);

    // A session on that day ended since the run is a pending change: the day reads raw again (the
    // tampered row no longer counts) and the new session counts; other days stay on the rollups.
    await timer(a, 'start', '2010-03-10T05:00:00Z');
    await timer(a, 'end', '2010-03-10T05:30:00Z');
    expect(await month(a, now)).toEqual([
      [a.memberId, 4500 + 7200 + 1800],
      [c.memberId, 3 * 3600],
      [b.memberId, 6000],
    ]);
    // Another zone never reads the rollups.
    clock.set(now);
    const la = await api.get('/timer-api/rankings?period=month&date=2010-03-01&timezone=UTC', {
      token: a.accessToken,
    });
    expect(la.body.data.ranking.find((x: { member_id: string }) => x.member_id === a.memberId).seconds).toBe(
      4500 + 7200 + 1800,
    );
  });
});

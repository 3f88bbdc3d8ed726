import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp, useApp } from './support/app.js';
import { ManualClock } from './support/clock.js';
import { client, type Client, registerAndLogin } from './support/http.js';

// N20–N22, the statistic/heat-map alias and study records X3 over real sessions
// made through the timer API at clock times the tests set. Days are local to ?timezone= (default
// Asia/Seoul); a session counts toward every local day it overlaps, for its part of that day.

interface Ctx {
  api: Client;
  clock: ManualClock;
}
/** A member and the server (and clock) it uses. */
type User = Awaited<ReturnType<typeof registerAndLogin>> & { ctx: Ctx };

/** A fresh member; its token is minted at real time, so it stays valid while the clock is in the past. */
async function member(ctx: Ctx): Promise<User> {
  ctx.clock.reset();
  return { ...(await registerAndLogin(ctx.api)), ctx };
}

async function timer(user: User, action: 'start' | 'end', at: string, json: Record<string, unknown>) {
  user.ctx.clock.set(at);
  const r = await user.ctx.api.post(`/timer-api/study-timer/${action}`, { token: user.accessToken, json });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ status: 'success', data: null });
}

const start = (user: User, at: string, json: Record<string, unknown> = {}) => timer(user, 'start', at, json);
const end = (user: User, at: string, status = 'Completed') => timer(user, 'end', at, { status });

/** One ended session from `from` to `to` (UTC instants). */
async function session(user: User, from: string, to: string, status = 'Completed') {
  await start(user, from);
  await end(user, to, status);
}

/** GET one of the member's statistics routes; the reply must be a success envelope, whose data it returns. */
async function read(user: User, path: string, query: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  const r = await user.ctx.api.get(`/timer-api/members/${user.memberId}/${path}${qs ? `?${qs}` : ''}`, {
    token: user.accessToken,
  });
  expect(r.status).toBe(200);
  expect(Object.keys(r.body)).toEqual(['status', 'data']);
  expect(r.body.status).toBe('success');
  return r.body.data;
}

const tzq = (timezone?: string): Record<string, string> => (timezone === undefined ? {} : { timezone });
const daily = async (user: User, date: string, timezone?: string) =>
  (await read(user, 'statistics', { date, ...tzq(timezone) })).totalSeconds;
const monthly = (user: User, year: number, month: number, timezone?: string) =>
  read(user, 'statistics/monthly', { year: String(year), month: String(month), ...tzq(timezone) });
const heatMap = (user: User, start: string, end: string, timezone?: string) =>
  read(user, 'statistics/heat-map', { start, end, ...tzq(timezone) });
const records = async (user: User, date: string, timezone?: string) =>
  (await read(user, 'study-records', { date, ...tzq(timezone) })).study_records;

/** The daily totals of several dates at once: `{date: totalSeconds}`. */
async function days(user: User, dates: string[], timezone?: string) {
  const out: Record<string, number> = {};
  for (const date of dates) out[date] = await daily(user, date, timezone);
  return out;
}

/** A day's total: N20's answer and a heat-map entry. */
const D = (date: string, totalSeconds: number) => ({ date, totalSeconds });

/** N21's answer, in the wire's key order. */
const M = (year: number, month: number, totalSeconds: number, uniqueStudyDays: number) => ({
  month,
  year,
  totalSeconds,
  uniqueStudyDays,
});

const record = (from: string, to: string, seconds: number, status = 'Completed', category: string | null = null) => ({
  study_record_id: expect.stringMatching(/^\d+$/),
  start_time: new Date(from).toISOString(),
  end_time: new Date(to).toISOString(),
  status,
  study_category_id: category,
  seconds,
});

const clock = new ManualClock();
let ctx: Ctx;

const app = useApp({ clock });
beforeAll(async () => {
  ctx = { api: client(app.url), clock };
});

describe('a session crossing local midnight', () => {
  it('23:50–00:10 KST counts 600 s on each day in daily, monthly, heat-map and study records', async () => {
    const u = await member(ctx);
    await session(u, '2024-02-07T14:50:00Z', '2024-02-07T15:10:00Z');

    const day = await read(u, 'statistics', { date: '2024-02-07' });
    expect(day).toEqual(D('2024-02-07', 600));
    expect(Object.keys(day)).toEqual(['date', 'totalSeconds']);
    expect(await read(u, 'statistics', { date: '2024-02-08' })).toEqual(D('2024-02-08', 600));
    expect(await days(u, ['2024-02-06', '2024-02-09'])).toEqual({ '2024-02-06': 0, '2024-02-09': 0 });

    const month = await monthly(u, 2024, 2);
    expect(month).toEqual(M(2024, 2, 1200, 2));
    expect(Object.keys(month)).toEqual(['month', 'year', 'totalSeconds', 'uniqueStudyDays']);

    expect(await heatMap(u, '2024-02-01', '2024-02-29')).toEqual([D('2024-02-07', 600), D('2024-02-08', 600)]);

    // Study records list the whole session, with its whole length, on both days it touches.
    const listed = record('2024-02-07T14:50:00Z', '2024-02-07T15:10:00Z', 1200);
    const first = await records(u, '2024-02-07');
    expect(first).toEqual([listed]);
    expect(Object.keys(first[0])).toEqual(Object.keys(listed));
    expect(await records(u, '2024-02-08')).toEqual(first);
    expect(await records(u, '2024-02-06')).toEqual([]);
    expect(await records(u, '2024-02-09')).toEqual([]);
  });

  it("the original's example: 02-07 16:30Z and 02-08 14:30Z (1 h each) give 2024-02-08 5400 s, 02-09 1800 s", async () => {
    const u = await member(ctx);
    await session(u, '2024-02-07T16:30:00Z', '2024-02-07T17:30:00Z'); // 01:30–02:30 KST on the 8th
    await session(u, '2024-02-08T14:30:00Z', '2024-02-08T15:30:00Z'); // 23:30 on the 8th – 00:30 on the 9th
    // The original counted both wholly on their start day (7200 on the 8th).
    expect(await days(u, ['2024-02-07', '2024-02-08', '2024-02-09'])).toEqual({
      '2024-02-07': 0,
      '2024-02-08': 5400,
      '2024-02-09': 1800,
    });
    expect(await heatMap(u, '2024-02-01', '2024-02-29')).toEqual([D('2024-02-08', 5400), D('2024-02-09', 1800)]);
    expect(await monthly(u, 2024, 2)).toEqual(M(2024, 2, 7200, 2));
  });

  it('a session across the last midnight of a month splits between the two months', async () => {
    const u = await member(ctx);
    await session(u, '2024-01-31T14:50:00Z', '2024-01-31T15:10:00Z'); // 01-31 23:50 – 02-01 00:10 KST
    expect(await monthly(u, 2024, 1)).toEqual(M(2024, 1, 600, 1));
    expect(await monthly(u, 2024, 2)).toEqual(M(2024, 2, 600, 1));
    expect(await heatMap(u, '2024-01-31', '2024-01-31')).toEqual([D('2024-01-31', 600)]);
    expect(await heatMap(u, '2024-02-01', '2024-02-01')).toEqual([D('2024-02-01', 600)]);
  });
});

describe('?timezone=', () => {
  it('UTC and the default Asia/Seoul bucket the same sessions differently; Asia/Seoul is the default', async () => {
    const u = await member(ctx);
    await session(u, '2024-02-07T16:30:00Z', '2024-02-07T17:30:00Z');
    await session(u, '2024-02-08T14:30:00Z', '2024-02-08T15:30:00Z');
    const dates = ['2024-02-07', '2024-02-08', '2024-02-09'];
    expect(await days(u, dates, 'UTC')).toEqual({ '2024-02-07': 3600, '2024-02-08': 3600, '2024-02-09': 0 });
    expect(await days(u, dates, 'Asia/Seoul')).toEqual(await days(u, dates));
    expect(await days(u, dates)).toEqual({ '2024-02-07': 0, '2024-02-08': 5400, '2024-02-09': 1800 });

    expect(await heatMap(u, '2024-02-01', '2024-02-29', 'UTC')).toEqual([D('2024-02-07', 3600), D('2024-02-08', 3600)]);
    expect(await records(u, '2024-02-07', 'UTC')).toEqual([
      record('2024-02-07T16:30:00Z', '2024-02-07T17:30:00Z', 3600),
    ]);
    expect(await records(u, '2024-02-07')).toEqual([]);
    expect(await records(u, '2024-02-09', 'UTC')).toEqual([]);
    expect(await records(u, '2024-02-09')).toEqual([record('2024-02-08T14:30:00Z', '2024-02-08T15:30:00Z', 3600)]);
  });

  it('uniqueStudyDays counts local days: 00:30 KST is that KST day, not the previous UTC day', async () => {
    const u = await member(ctx);
    await session(u, '2024-02-29T15:30:00Z', '2024-02-29T15:40:00Z'); // 03-01 00:30 KST
    await session(u, '2024-03-01T01:00:00Z', '2024-03-01T01:10:00Z'); // 03-01 10:00 KST
    expect(await monthly(u, 2024, 3)).toEqual(M(2024, 3, 1200, 1));
    expect(await monthly(u, 2024, 2)).toEqual(M(2024, 2, 0, 0));
    expect(await monthly(u, 2024, 3, 'UTC')).toEqual(M(2024, 3, 600, 1));
    expect(await monthly(u, 2024, 2, 'UTC')).toEqual(M(2024, 2, 600, 1));
  });

  it('zone names mean what the validator reads: aliases, any case, and legacy ids such as IST and AET', async () => {
    const u = await member(ctx);
    // 20:00Z is 01:30 next day in Kolkata but 22:00 the same day in Israel (PostgreSQL's "IST").
    await session(u, '2024-02-07T20:00:00Z', '2024-02-07T20:20:00Z');
    const pair = ['2024-02-07', '2024-02-08'];
    expect(await days(u, pair, 'Asia/Kolkata')).toEqual({ '2024-02-07': 0, '2024-02-08': 1200 });
    expect(await days(u, pair, 'IST')).toEqual({ '2024-02-07': 0, '2024-02-08': 1200 });
    // AET is Australia/Sydney to the validator; PostgreSQL has no such name (this was a 500).
    expect(await days(u, pair, 'AET')).toEqual({ '2024-02-07': 0, '2024-02-08': 1200 });
    expect(await days(u, pair, 'asia/seoul')).toEqual({ '2024-02-07': 0, '2024-02-08': 1200 });
    expect(await days(u, pair, 'US/Pacific')).toEqual({ '2024-02-07': 1200, '2024-02-08': 0 });
    expect(await heatMap(u, '2024-02-01', '2024-02-29', 'IST')).toEqual([D('2024-02-08', 1200)]);
    expect(await records(u, '2024-02-08', 'AET')).toHaveLength(1);
    expect(await records(u, '2024-02-07', 'IST')).toEqual([]);
  });
});

describe('America/Los_Angeles DST days (23 h and 25 h)', () => {
  it('three chained sessions covering exactly 2024-03-10 local → 82800 s, nothing on either neighbour', async () => {
    const u = await member(ctx);
    // 2024-03-10 00:00 PST is 08:00Z; 2024-03-11 00:00 PDT is 07:00Z. Sessions stay under 12 h.
    await session(u, '2024-03-10T08:00:00Z', '2024-03-10T18:00:00Z');
    await session(u, '2024-03-10T18:00:00Z', '2024-03-11T04:00:00Z');
    await session(u, '2024-03-11T04:00:00Z', '2024-03-11T07:00:00Z');
    const la = 'America/Los_Angeles';
    expect(await days(u, ['2024-03-09', '2024-03-10', '2024-03-11'], la)).toEqual({
      '2024-03-09': 0,
      '2024-03-10': 82800,
      '2024-03-11': 0,
    });
    expect(await heatMap(u, '2024-03-01', '2024-03-31', la)).toEqual([D('2024-03-10', 82800)]);
    expect(await monthly(u, 2024, 3, la)).toEqual(M(2024, 3, 82800, 1));
    expect(await records(u, '2024-03-10', la)).toHaveLength(3);
  });

  describe('with MAX_SESSION_HOURS=48', () => {
    const longClock = new ManualClock();
    let longApp: TestApp;
    let long: Ctx;
    const la = 'America/Los_Angeles';

    beforeAll(async () => {
      longApp = await startApp({ MAX_SESSION_HOURS: '48' }, { clock: longClock });
      long = { api: client(longApp.url), clock: longClock };
    });
    afterAll(() => longApp.close());

    it('one session 03-09 22:00 PST → 03-11 02:00 PDT: 7200 + 82800 + 7200', async () => {
      const u = await member(long);
      await session(u, '2024-03-10T06:00:00Z', '2024-03-11T09:00:00Z');
      expect(await heatMap(u, '2024-03-01', '2024-03-31', la)).toEqual([
        D('2024-03-09', 7200),
        D('2024-03-10', 82800),
        D('2024-03-11', 7200),
      ]);
      expect(await daily(u, '2024-03-10', la)).toBe(82800);
      expect(await monthly(u, 2024, 3, la)).toEqual(M(2024, 3, 97200, 3));
      expect(await records(u, '2024-03-11', la)).toEqual([
        record('2024-03-10T06:00:00Z', '2024-03-11T09:00:00Z', 97200),
      ]);
      // The same session in Seoul: 03-10 15:00 → 03-11 18:00 KST.
      expect(await heatMap(u, '2024-03-01', '2024-03-31')).toEqual([D('2024-03-10', 32400), D('2024-03-11', 64800)]);
    });

    it('one session 11-02 22:00 PDT → 11-04 02:00 PST: 7200 + 90000 + 7200', async () => {
      const u = await member(long);
      await session(u, '2024-11-03T05:00:00Z', '2024-11-04T10:00:00Z');
      expect(await heatMap(u, '2024-11-01', '2024-11-30', la)).toEqual([
        D('2024-11-02', 7200),
        D('2024-11-03', 90000),
        D('2024-11-04', 7200),
      ]);
      expect(await daily(u, '2024-11-03', la)).toBe(90000);
      expect(await monthly(u, 2024, 11, la)).toEqual(M(2024, 11, 104400, 3));
    });

    it('sessions covering exactly 2024-11-03 local → 90000 s, nothing on either neighbour', async () => {
      const u = await member(long);
      // 2024-11-03 00:00 PDT is 07:00Z; 2024-11-04 00:00 PST is 08:00Z.
      await session(u, '2024-11-03T07:00:00Z', '2024-11-04T02:00:00Z');
      await session(u, '2024-11-04T02:00:00Z', '2024-11-04T08:00:00Z');
      expect(await days(u, ['2024-11-02', '2024-11-03', '2024-11-04'], la)).toEqual({
        '2024-11-02': 0,
        '2024-11-03': 90000,
        '2024-11-04': 0,
      });
    });
  });
});

describe('heat-map', () => {
  it('is sorted by date with non-zero days only, even when sessions were recorded out of order', async () => {
    const u = await member(ctx);
    // The clock moves back between sessions, so the records' order is not the dates' order.
    await session(u, '2024-05-20T03:00:00Z', '2024-05-20T03:10:00Z');
    await session(u, '2024-05-03T05:00:00Z', '2024-05-03T05:01:00Z');
    await session(u, '2024-05-11T03:00:00Z', '2024-05-11T03:20:00Z');
    await session(u, '2024-05-15T03:00:00Z', '2024-05-15T03:00:00Z'); // zero seconds: not a day
    await session(u, '2024-05-03T03:00:00Z', '2024-05-03T03:05:00Z');
    const expected = [D('2024-05-03', 360), D('2024-05-11', 1200), D('2024-05-20', 600)];
    expect(await heatMap(u, '2024-05-01', '2024-05-31')).toEqual(expected);
    expect(await read(u, 'statistic/heat-map', { start: '2024-05-01', end: '2024-05-31' })).toEqual(expected);
    expect(await heatMap(u, '2024-05-04', '2024-05-19')).toEqual([expected[1]]);
    expect(await heatMap(u, '2024-05-03', '2024-05-03')).toEqual([expected[0]]);
    expect(await monthly(u, 2024, 5)).toEqual(M(2024, 5, 2160, 3));
    // A day's study records are in start order, not record order.
    expect(await records(u, '2024-05-03')).toEqual([
      record('2024-05-03T03:00:00Z', '2024-05-03T03:05:00Z', 300),
      record('2024-05-03T05:00:00Z', '2024-05-03T05:01:00Z', 60),
    ]);
  });

  it('takes a 366-day range and counts both of its ends', async () => {
    const u = await member(ctx);
    await session(u, '2023-12-31T15:00:00Z', '2023-12-31T15:01:00Z'); // 2024-01-01 00:00 KST
    await session(u, '2024-12-31T14:58:00Z', '2024-12-31T15:02:00Z'); // 12-31 23:58 – 2025-01-01 00:02 KST
    expect(await heatMap(u, '2024-01-01', '2024-12-31')).toEqual([D('2024-01-01', 60), D('2024-12-31', 120)]);
    expect(await read(u, 'statistic/heat-map', { start: '2024-01-01', end: '2024-12-31' })).toHaveLength(2);
    expect(await heatMap(u, '2024-12-31', '2025-12-31')).toEqual([D('2024-12-31', 120), D('2025-01-01', 120)]);
  });
});

describe('which sessions count', () => {
  it("running sessions don't count until they end", async () => {
    const u = await member(ctx);
    await start(u, '2024-06-10T01:00:00Z');
    u.ctx.clock.set('2024-06-10T02:00:00Z');
    expect(await daily(u, '2024-06-10')).toBe(0);
    expect(await heatMap(u, '2024-06-01', '2024-06-30')).toEqual([]);
    expect(await monthly(u, 2024, 6)).toEqual(M(2024, 6, 0, 0));
    expect(await records(u, '2024-06-10')).toEqual([]);
    await end(u, '2024-06-10T02:00:00Z');
    expect(await daily(u, '2024-06-10')).toBe(3600);
    expect(await records(u, '2024-06-10')).toEqual([record('2024-06-10T01:00:00Z', '2024-06-10T02:00:00Z', 3600)]);
  });

  it('an Incompleted session counts like a Completed one', async () => {
    const u = await member(ctx);
    await session(u, '2024-06-11T01:00:00Z', '2024-06-11T01:30:00Z', 'Incompleted');
    await session(u, '2024-06-11T02:00:00Z', '2024-06-11T02:10:00Z', 'Completed');
    expect(await daily(u, '2024-06-11')).toBe(2400);
    expect(await heatMap(u, '2024-06-11', '2024-06-11')).toEqual([D('2024-06-11', 2400)]);
    expect(await records(u, '2024-06-11')).toEqual([
      record('2024-06-11T01:00:00Z', '2024-06-11T01:30:00Z', 1800, 'Incompleted'),
      record('2024-06-11T02:00:00Z', '2024-06-11T02:10:00Z', 600, 'Completed'),
    ]);
  });

  it('a session discarded by a new start counts nothing', async () => {
    const u = await member(ctx);
    await start(u, '2024-06-12T01:00:00Z');
    await start(u, '2024-06-12T01:30:00Z');
    await end(u, '2024-06-12T02:00:00Z');
    expect(await daily(u, '2024-06-12')).toBe(1800);
    expect(await monthly(u, 2024, 6)).toEqual(M(2024, 6, 1800, 1));
    expect(await records(u, '2024-06-12')).toEqual([record('2024-06-12T01:30:00Z', '2024-06-12T02:00:00Z', 1800)]);
  });

  it('a forgotten timer counts only MAX_SESSION_HOURS (12 h)', async () => {
    const u = await member(ctx);
    await session(u, '2024-08-01T00:00:00Z', '2024-08-02T06:00:00Z'); // 30 h later
    expect(await heatMap(u, '2024-08-01', '2024-08-02')).toEqual([D('2024-08-01', 43200)]);
    expect(await records(u, '2024-08-01')).toEqual([record('2024-08-01T00:00:00Z', '2024-08-01T12:00:00Z', 43200)]);
  });

  it("a member sees only their own sessions; a record's category id is a string", async () => {
    const u = await member(ctx);
    const other = await member(ctx);
    const created = await ctx.api.post(`/timer-api/members/${u.memberId}/study-categories`, {
      token: u.accessToken,
      json: { subject: '수학' },
    });
    expect(created.status).toBe(200);
    const categoryId: string = created.body.data.category.study_category_id;
    await start(u, '2024-07-01T01:00:00Z', { category_id: Number(categoryId) });
    await end(u, '2024-07-01T01:40:00Z');
    await session(other, '2024-07-01T03:00:00Z', '2024-07-01T03:05:00Z');
    expect(await daily(u, '2024-07-01')).toBe(2400);
    expect(await daily(other, '2024-07-01')).toBe(300);
    expect(await records(u, '2024-07-01')).toEqual([
      record('2024-07-01T01:00:00Z', '2024-07-01T01:40:00Z', 2400, 'Completed', categoryId),
    ]);
    expect(await heatMap(other, '2024-07-01', '2024-07-31')).toEqual([D('2024-07-01', 300)]);
  });
});

describe('missing parameters give the original shapes; unknown query keys are accepted', () => {
  it('answers each route without its parameters exactly as the original, whatever the member studied', async () => {
    const u = await member(ctx);
    await session(u, '2024-02-08T01:00:00Z', '2024-02-08T02:00:00Z');
    const zeroMonth = { month: null, year: null, totalSeconds: 0, uniqueStudyDays: 0 };
    expect(await read(u, 'statistics')).toEqual({ totalSeconds: 0 });
    expect(await read(u, 'statistics', { timezone: 'UTC' })).toEqual({ totalSeconds: 0 });
    const month = await read(u, 'statistics/monthly');
    expect(month).toEqual(zeroMonth);
    expect(Object.keys(month)).toEqual(['month', 'year', 'totalSeconds', 'uniqueStudyDays']);
    expect(await read(u, 'statistics/monthly', { year: '2024' })).toEqual({ ...zeroMonth, year: 2024 });
    expect(await read(u, 'statistics/monthly', { month: '2' })).toEqual({ ...zeroMonth, month: 2 });
    for (const path of ['statistics/heat-map', 'statistic/heat-map']) {
      expect(await read(u, path)).toEqual([]);
      expect(await read(u, path, { start: '2024-02-01' })).toEqual([]);
      expect(await read(u, path, { end: '2024-02-29' })).toEqual([]);
    }
    expect(await read(u, 'study-records')).toEqual({ study_records: [] });
    // With the parameters, the same member has data: the empty answers above are not an empty account.
    expect(await daily(u, '2024-02-08')).toBe(3600);
  });

  it('ignores unknown query keys on every route', async () => {
    const u = await member(ctx);
    await session(u, '2024-02-08T01:00:00Z', '2024-02-08T02:00:00Z');
    const extra = { foo: 'bar', utm_source: 'pwa', date_: 'x' };
    expect(await read(u, 'statistics', { date: '2024-02-08', ...extra })).toEqual(D('2024-02-08', 3600));
    expect(await read(u, 'statistics/monthly', { year: '2024', month: '02', ...extra })).toEqual(M(2024, 2, 3600, 1));
    for (const path of ['statistics/heat-map', 'statistic/heat-map']) {
      expect(await read(u, path, { start: '2024-02-08', end: '2024-02-08', ...extra })).toEqual([
        D('2024-02-08', 3600),
      ]);
    }
    expect(await read(u, 'study-records', { date: '2024-02-08', ...extra })).toEqual({
      study_records: [record('2024-02-08T01:00:00Z', '2024-02-08T02:00:00Z', 3600)],
    });
  });
});

describe('calendar arithmetic at the edges of the year range', () => {
  it('year 50 is year 50, not 1950', async () => {
    const u = await member(ctx);
    await session(u, '1950-03-10T03:00:00Z', '1950-03-10T03:10:00Z');
    expect(await monthly(u, 1950, 3)).toEqual(M(1950, 3, 600, 1));
    expect(await monthly(u, 50, 3)).toEqual(M(50, 3, 0, 0));
    expect(await heatMap(u, '0050-03-01', '0050-03-31')).toEqual([]);
    expect(await heatMap(u, '1950-03-01', '1950-03-31')).toEqual([D('1950-03-10', 600)]);
    expect(await monthly(u, 9999, 12)).toEqual(M(9999, 12, 0, 0));
  });
});

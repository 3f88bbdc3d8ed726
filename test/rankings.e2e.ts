import { beforeAll, describe, expect, it } from 'vitest';
import { actors } from './support/actors.js';
import { useApp } from './support/app.js';
import { ManualClock } from './support/clock.js';
import { registerAndLogin } from './support/http.js';

// GET /timer-api/rankings (issue 13) over real sessions made through the timer API at clock times the
// tests set. Each test uses its own years (2011–2018, which no other suite touches), so the overall
// ranking holds only its members. RANKING_SNAPSHOT_SECONDS=0: every answer is live and exact; the
// snapshot has its own test at the end.

const clock = new ManualClock();

const app = useApp({ env: { RANKING_SNAPSHOT_SECONDS: '0', DEFAULT_TIMEZONE: 'Asia/Seoul' }, clock });
const { api } = app;

type User = Awaited<ReturnType<typeof registerAndLogin>>;

async function member(nickname?: string): Promise<User> {
  clock.reset();
  const u = await registerAndLogin(api);
  if (nickname) await api.patch(`/timer-api/members/${u.memberId}`, { token: u.accessToken, json: { nickname } });
  return u;
}

const { timer, session } = actors(api, clock);

async function rankings(u: User, query: Record<string, string>, at?: string) {
  if (at) clock.set(at);
  const r = await api.get(`/timer-api/rankings?${new URLSearchParams(query).toString()}`, { token: u.accessToken });
  expect(r.status, r.text).toBe(200);
  expect(Object.keys(r.body)).toEqual(['status', 'data']);
  return r.body.data;
}

/** `[member_id, seconds]` pairs of a ranking, in order. */
const pairs = (data: { ranking: { member_id: string; seconds: number }[] }) =>
  data.ranking.map((r) => [r.member_id, r.seconds]);

describe('GET /rankings', () => {
  it('orders by seconds, ties share a rank (1, 1, 3) in member id order, pages never overlap, me outside the page', async () => {
    const [a, b, c, d] = await Promise.all([member('alpha'), member('bravo'), member('charlie'), member('delta')]);
    // 2011-03-02 in Seoul: a and b 2 h, c 1 h, d 30 min.
    await session(a, '2011-03-02T01:00:00Z', '2011-03-02T03:00:00Z');
    await session(b, '2011-03-02T04:00:00Z', '2011-03-02T06:00:00Z');
    await session(c, '2011-03-02T01:00:00Z', '2011-03-02T02:00:00Z');
    await session(d, '2011-03-02T01:00:00Z', '2011-03-02T01:30:00Z');
    const tied = [a, b].map((u) => u.memberId).sort();

    const all = await rankings(d, { period: 'day', date: '2011-03-02' });
    expect(all).toEqual({
      period: 'day',
      start: '2011-03-02',
      end: '2011-03-02',
      timezone: 'Asia/Seoul',
      total: 4,
      ranking: [
        { rank: 1, member_id: tied[0], nickname: expect.any(String), image_url: '', seconds: 7200, is_studying: false },
        { rank: 1, member_id: tied[1], nickname: expect.any(String), image_url: '', seconds: 7200, is_studying: false },
        { rank: 3, member_id: c.memberId, nickname: 'charlie', image_url: '', seconds: 3600, is_studying: false },
        { rank: 4, member_id: d.memberId, nickname: 'delta', image_url: '', seconds: 1800, is_studying: false },
      ],
      me: { rank: 4, seconds: 1800 },
    });
    expect(Object.keys(all)).toEqual(['period', 'start', 'end', 'timezone', 'total', 'ranking', 'me']);
    expect(Object.keys(all.ranking[0])).toEqual([
      'rank',
      'member_id',
      'nickname',
      'image_url',
      'seconds',
      'is_studying',
    ]);

    // Pages of one: together exactly the whole ranking; the caller's place is given on every page.
    const pages = [];
    for (let offset = 0; offset < 5; offset++) {
      const page = await rankings(d, { period: 'day', date: '2011-03-02', limit: '1', offset: String(offset) });
      expect(page.total).toBe(4);
      expect(page.me).toEqual({ rank: 4, seconds: 1800 });
      pages.push(...page.ranking);
    }
    expect(pages).toEqual(all.ranking);

    // A member without a second that day is not ranked: me is null.
    const idle = await member();
    expect((await rankings(idle, { date: '2011-03-02' })).me).toBeNull();
  });

  it('the ISO week starts on Monday and stays whole across a year end', async () => {
    const u = await member();
    // Seoul is UTC+9. 2011-12-25 is a Sunday, 2011-12-26 a Monday; 2012-01-01 a Sunday, 2012-01-02 a Monday.
    await session(u, '2011-12-25T14:00:00Z', '2011-12-25T14:30:00Z'); // Sun 12-25 23:00–23:30: week before
    await session(u, '2011-12-25T15:00:00Z', '2011-12-25T15:10:00Z'); // Mon 12-26 00:00–00:10
    await session(u, '2011-12-31T15:30:00Z', '2011-12-31T15:50:00Z'); // Sun 2012-01-01 00:30–00:50
    await session(u, '2012-01-01T14:50:00Z', '2012-01-01T15:20:00Z'); // Sun 23:50 → Mon 00:20: 10 min in
    const week = await rankings(u, { period: 'week', date: '2011-12-29' });
    expect(week).toMatchObject({ period: 'week', start: '2011-12-26', end: '2012-01-01' });
    expect(week.me).toEqual({ rank: 1, seconds: 600 + 1200 + 600 });
    // Any day of the week gives the same week, 2012-01-01 included.
    expect((await rankings(u, { period: 'week', date: '2012-01-01' })).me).toEqual(week.me);
    const next = await rankings(u, { period: 'week', date: '2012-01-02' });
    expect(next).toMatchObject({ start: '2012-01-02', end: '2012-01-08', me: { rank: 1, seconds: 1200 } });
    const before = await rankings(u, { period: 'week', date: '2011-12-25' });
    expect(before).toMatchObject({ start: '2011-12-19', end: '2011-12-25', me: { rank: 1, seconds: 1800 } });
  });

  it('a month runs from its first to its last local day; a session across midnight is split between days', async () => {
    const u = await member();
    // 2016-02-29 23:00 → 2016-03-01 01:00 in Seoul: one hour in each day, month and (same) week.
    await session(u, '2016-02-29T14:00:00Z', '2016-02-29T16:00:00Z');
    await session(u, '2016-02-01T00:00:00Z', '2016-02-01T00:20:00Z'); // 2016-02-01 09:00 Seoul
    await session(u, '2016-01-31T14:50:00Z', '2016-01-31T15:00:00Z'); // 01-31 23:50 Seoul: January
    expect(await rankings(u, { period: 'month', date: '2016-02-15' })).toMatchObject({
      start: '2016-02-01',
      end: '2016-02-29',
      me: { rank: 1, seconds: 3600 + 1200 },
    });
    expect(await rankings(u, { period: 'month', date: '2016-03-31' })).toMatchObject({
      start: '2016-03-01',
      end: '2016-03-31',
      me: { rank: 1, seconds: 3600 },
    });
    expect((await rankings(u, { period: 'day', date: '2016-02-29' })).me).toEqual({ rank: 1, seconds: 3600 });
    expect((await rankings(u, { period: 'day', date: '2016-03-01' })).me).toEqual({ rank: 1, seconds: 3600 });
    expect((await rankings(u, { period: 'week', date: '2016-03-01' })).me).toEqual({ rank: 1, seconds: 7200 });
    expect((await rankings(u, { period: 'month', date: '2016-01-31' })).me).toEqual({ rank: 1, seconds: 600 });
  });

  it('days, weeks and months are local to ?timezone=', async () => {
    const [u, v] = await Promise.all([member(), member()]);
    // 2013-05-05 20:00–22:00 UTC: 05-06 05:00–07:00 in Seoul, 05-05 13:00–15:00 in Los Angeles (PDT).
    await session(u, '2013-05-05T20:00:00Z', '2013-05-05T22:00:00Z');
    // 2013-05-06 08:00–08:30 UTC: 05-06 in both (17:00 in Seoul, 01:00 in Los Angeles).
    await session(v, '2013-05-06T08:00:00Z', '2013-05-06T08:30:00Z');
    const seoul = await rankings(u, { date: '2013-05-06' });
    expect(pairs(seoul)).toEqual([
      [u.memberId, 7200],
      [v.memberId, 1800],
    ]);
    const la = await rankings(u, { date: '2013-05-06', timezone: 'America/Los_Angeles' });
    expect(la).toMatchObject({ timezone: 'America/Los_Angeles', total: 1, me: null });
    expect(pairs(la)).toEqual([[v.memberId, 1800]]);
    const la5 = await rankings(u, { date: '2013-05-05', timezone: 'America/Los_Angeles' });
    expect(pairs(la5)).toEqual([[u.memberId, 7200]]);
    // "today" is the zone's today: 2013-05-06 02:00 UTC is still 05-05 in Los Angeles.
    expect(await rankings(u, { timezone: 'America/Los_Angeles' }, '2013-05-06T02:00:00Z')).toMatchObject({
      start: '2013-05-05',
      me: { rank: 1, seconds: 7200 },
    });
  });

  it('the running session counts up to now, at most MAX_SESSION_HOURS (12) long, and shows is_studying', async () => {
    const [u, v] = await Promise.all([member(), member()]);
    await session(v, '2014-06-10T00:00:00Z', '2014-06-10T01:00:00Z'); // 1 h on 06-10 (Seoul)
    await timer(u, 'start', '2014-06-10T00:00:00Z'); // 09:00 Seoul, still running
    const early = await rankings(u, { date: '2014-06-10' }, '2014-06-10T00:40:00Z');
    expect(pairs(early)).toEqual([
      [v.memberId, 3600],
      [u.memberId, 2400],
    ]);
    expect(early.ranking.map((r: { is_studying: boolean }) => r.is_studying)).toEqual([false, true]);
    const later = await rankings(u, { date: '2014-06-10' }, '2014-06-10T03:00:00Z');
    expect(pairs(later)).toEqual([
      [u.memberId, 3 * 3600],
      [v.memberId, 3600],
    ]);
    expect(later.me).toEqual({ rank: 1, seconds: 3 * 3600 });
    // 20 hours after its start it still counts 12 hours: 09:00–21:00 Seoul.
    const capped = await rankings(u, { date: '2014-06-10' }, '2014-06-10T20:00:00Z');
    expect(capped.me).toEqual({ rank: 1, seconds: 12 * 3600 });
    await timer(u, 'end', '2014-06-10T20:00:00Z');
    // Ended past the cap, the record holds exactly those 12 hours.
    expect((await rankings(u, { date: '2014-06-10' })).me).toEqual({ rank: 1, seconds: 12 * 3600 });
  });

  it('an opted-out member leaves the overall ranking but still sees their own place; members/me shows the setting', async () => {
    const [u, v, w] = await Promise.all([member(), member(), member()]);
    await session(u, '2015-07-01T00:00:00Z', '2015-07-01T03:00:00Z');
    await session(v, '2015-07-01T00:00:00Z', '2015-07-01T02:00:00Z');
    await session(w, '2015-07-01T00:00:00Z', '2015-07-01T01:00:00Z');
    const me = async (x: User) => (await api.get('/timer-api/members/me', { token: x.accessToken })).body.data.member;
    expect((await me(u)).ranking_opt_out).toBe(false);
    const out = await api.patch(`/timer-api/members/${u.memberId}`, {
      token: u.accessToken,
      json: { ranking_opt_out: true },
    });
    expect(out.status, out.text).toBe(200);
    expect((await me(u)).ranking_opt_out).toBe(true);

    const seenByW = await rankings(w, { date: '2015-07-01' });
    expect(seenByW.total).toBe(2);
    expect(pairs(seenByW)).toEqual([
      [v.memberId, 7200],
      [w.memberId, 3600],
    ]);
    expect(seenByW.ranking[0].rank).toBe(1);
    expect(seenByW.me).toEqual({ rank: 2, seconds: 3600 });
    // Their own place, as if they were in.
    expect((await rankings(u, { date: '2015-07-01' })).me).toEqual({ rank: 1, seconds: 10800 });

    await api.patch(`/timer-api/members/${u.memberId}`, { token: u.accessToken, json: { ranking_opt_out: false } });
    expect((await me(u)).ranking_opt_out).toBe(false);
    expect(pairs(await rankings(w, { date: '2015-07-01' }))[0]).toEqual([u.memberId, 10800]);
  });

  it('scope=group without a seat → 404 in the Nest dialect', async () => {
    const u = await member();
    const r = await api.get('/timer-api/rankings?scope=group', { token: u.accessToken });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      status: 'error',
      error: 'Not Found',
      message: '참여 중인 스터디 그룹이 없습니다.',
      code: 'NOT_IN_GROUP',
    });
  });
});

describe('GET /rankings: bad input → 400 with the validation messages, nothing else', () => {
  let u: User;
  beforeAll(async () => {
    u = await member();
  });
  const cases: [string, string[]][] = [
    ['period=year', ['period must be one of the following values: day, week, month']],
    ['period=', ['period must be one of the following values: day, week, month']],
    ['period=day&period=week', ['period must be one of the following values: day, week, month']],
    ['scope=everyone', ['scope must be one of the following values: all, group']],
    ['date=2023-02-29', ['date must be a valid date (YYYY-MM-DD)']],
    ['date=2023-1-5', ['date must be a valid date (YYYY-MM-DD)']],
    ['timezone=Mars/Base', ['timezone must be an IANA time zone such as Asia/Seoul']],
    ['timezone=%2B09:00', ['timezone must be an IANA time zone such as Asia/Seoul']],
    ['limit=0', ['limit must not be less than 1']],
    ['limit=101', ['limit must not be greater than 100']],
    ['limit=-1', ['limit must be an integer number']],
    ['limit=1.5', ['limit must be an integer number']],
    ['limit=ten', ['limit must be an integer number']],
    ['offset=-5', ['offset must be an integer number']],
    ['offset=1000001', ['offset must not be greater than 1000000']],
    ['sort=asc', ['property sort should not exist']],
    [
      'period=hour&scope=x&limit=500',
      [
        'period must be one of the following values: day, week, month',
        'scope must be one of the following values: all, group',
        'limit must not be greater than 100',
      ],
    ],
  ];
  it.each(cases)('?%s', async (query, message) => {
    const r = await api.get(`/timer-api/rankings?${query}`, { token: u.accessToken });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'error', error: 'Validation Error', message, code: 'VALIDATION' });
  });

  it('PATCH ranking_opt_out must be a boolean; nothing changes', async () => {
    for (const value of ['true', 1, null]) {
      const r = await api.patch(`/timer-api/members/${u.memberId}`, {
        token: u.accessToken,
        json: { ranking_opt_out: value },
      });
      expect(r.status).toBe(400);
      expect(r.body.message).toEqual(['ranking_opt_out must be a boolean value']);
    }
    const me = await api.get('/timer-api/members/me', { token: u.accessToken });
    expect(me.body.data.member.ranking_opt_out).toBe(false);
  });

  it('without a token → 401', async () => {
    const r = await api.get('/timer-api/rankings');
    expect(r.status).toBe(401);
  });
});

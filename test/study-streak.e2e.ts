import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { actors } from './support/actors.js';
import { useApp } from './support/app.js';
import { expectError, forbidden } from './support/bad-input.js';
import { ManualClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { insertPalette, PALETTE } from './support/factories.js';
import { registerAndLogin, uniqueEmail } from './support/http.js';

// N13, streaks kept for real: a local day (Asia/Seoul) counts once the member's ended sessions in it total
// STREAK_MIN_SECONDS (60); current_streak reads 0 after a whole missed day; longest is kept.

const clock = new ManualClock();

const app = useApp({ clock });
const { api } = app;
const db = useDb();
// Members register at real time; each test then moves the clock back to 2024 (tokens stay valid).
beforeEach(() => clock.reset());

type User = Awaited<ReturnType<typeof registerAndLogin>>;

/** KST wall time `YYYY-MM-DDTHH:MM[:SS]` as an instant. */
const kst = (local: string) => new Date(`${local}+09:00`).toISOString();

/** A session from KST `from` lasting `seconds`. */
async function study(u: User, from: string, seconds: number, status = 'Completed') {
  await actors(api, clock).study(u, seconds * 1000, { from: kst(from), status });
}

/** The streak as read at KST `at` (by the member themself unless `reader` is given). */
async function streakAt(u: User, at: string, reader: User = u) {
  clock.set(kst(at));
  const r = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: reader.accessToken });
  expect(r.status).toBe(200);
  return r.body.data as Record<string, unknown>;
}
const counts = async (u: User, at: string) => {
  const s = await streakAt(u, at);
  return { current: s.current_streak, longest: s.longest_streak };
};
const streakId = async (u: User) =>
  (await db.query('select study_streak_id from study_streak where member_id = $1', [u.memberId])).rows[0]
    .study_streak_id as number;

describe('N13 shape and access', () => {
  it('a new member: {study_streak_id, longest_streak, current_streak}, no palette key, no timestamps', async () => {
    const u = await registerAndLogin(api);
    const r = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'success',
      data: { study_streak_id: await streakId(u), longest_streak: 0, current_streak: 0 },
    });
  });

  it('a member whose streak row is missing gets one on read (0/0), named with the member that once', async () => {
    const u = await registerAndLogin(api);
    await db.query('delete from study_streak where member_id = $1', [u.memberId]);
    const path = `/timer-api/members/${u.memberId}/study-streak`;
    const replies = await Promise.all([1, 2, 3].map(() => api.get(path, { token: u.accessToken })));
    const id = await streakId(u);
    const created = replies.filter((r) => 'member' in r.body.data);
    expect(created.map((r) => r.body.data)).toEqual([
      { study_streak_id: id, longest_streak: 0, current_streak: 0, member: { member_id: u.memberId } },
    ]);
    const later = await api.get(path, { token: u.accessToken });
    expect(later.body.data).toEqual({ study_streak_id: id, longest_streak: 0, current_streak: 0 });
  });

  it('with a palette set: the palette object with its seven fields', async () => {
    const u = await registerAndLogin(api);
    const paletteId = await insertPalette(db);
    await db.query('update study_streak set palette_id = $1 where member_id = $2', [paletteId, u.memberId]);
    const r = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken });
    expect(r.body).toEqual({
      status: 'success',
      data: {
        study_streak_id: await streakId(u),
        longest_streak: 0,
        current_streak: 0,
        palette: { palette_id: paletteId, ...PALETTE },
      },
    });
    expect(Object.keys(r.body.data.palette)).toEqual([
      'palette_id',
      'name',
      'grade',
      'light_color',
      'normal_color',
      'dark_color',
      'darker_color',
    ]);
  });

  it("any signed-in member reads another existing member's streak, even an account without a member", async () => {
    const u = await registerAndLogin(api);
    const reader = await registerAndLogin(api);
    await study(u, '2024-03-04T12:00', 600);
    const own = await streakAt(u, '2024-03-04T20:00');
    expect(await streakAt(u, '2024-03-04T20:00', reader)).toEqual(own);
    expect(own).toEqual({ study_streak_id: await streakId(u), longest_streak: 1, current_streak: 1 });
    clock.reset();
    const reg = await api.post('/timer-api/auth/email/register', {
      json: { email: uniqueEmail('streak'), password: 'qwer1234' },
    });
    const bare = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: reg.body.data.access_token });
    expect(bare.status).toBe(200);
    expect(bare.body.data.study_streak_id).toBe(own.study_streak_id);
  });

  it.each([randomUUID(), 'abc', '1', "1' or '1'='1", randomUUID().toUpperCase().replace(/-/g, '')])(
    'unknown or junk member id %s → 403',
    async (id) => {
      const u = await registerAndLogin(api);
      const r = await api.get(`/timer-api/members/${encodeURIComponent(id)}/study-streak`, { token: u.accessToken });
      expectError(r, forbidden);
    },
  );
});

describe('counting days', () => {
  it('three consecutive days → 3/3; a gap day restarts current at 1 and keeps longest 3', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-03-01T12:00', 600);
    expect(await counts(u, '2024-03-01T12:30')).toEqual({ current: 1, longest: 1 });
    await study(u, '2024-03-02T12:00', 600);
    await study(u, '2024-03-03T12:00', 600);
    expect(await counts(u, '2024-03-03T12:30')).toEqual({ current: 3, longest: 3 });
    // 03-04 missed.
    await study(u, '2024-03-05T12:00', 600);
    expect(await counts(u, '2024-03-05T12:30')).toEqual({ current: 1, longest: 3 });
    await study(u, '2024-03-06T12:00', 600);
    expect(await counts(u, '2024-03-06T12:30')).toEqual({ current: 2, longest: 3 });
  });

  it('a day counts once however many sessions it has; across a month end too', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-02-28T09:00', 600);
    await study(u, '2024-02-28T13:00', 600);
    await study(u, '2024-02-28T21:00', 600, 'Incompleted');
    expect(await counts(u, '2024-02-28T22:00')).toEqual({ current: 1, longest: 1 });
    await study(u, '2024-02-29T09:00', 600);
    await study(u, '2024-03-01T09:00', 600);
    expect(await counts(u, '2024-03-01T10:00')).toEqual({ current: 3, longest: 3 });
  });

  it('under 60 s a day does not count; two sessions of 40 s the same day do; exactly 60 s does', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-03-01T12:00', 59);
    expect(await counts(u, '2024-03-01T13:00')).toEqual({ current: 0, longest: 0 });
    await study(u, '2024-03-02T12:00', 40);
    expect(await counts(u, '2024-03-02T13:00')).toEqual({ current: 0, longest: 0 });
    await study(u, '2024-03-02T18:00', 40, 'Incompleted');
    expect(await counts(u, '2024-03-02T19:00')).toEqual({ current: 1, longest: 1 });
    await study(u, '2024-03-03T12:00', 60);
    expect(await counts(u, '2024-03-03T13:00')).toEqual({ current: 2, longest: 2 });
  });

  it('a 23:50–00:10 KST session counts both days', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-03-10T23:50', 20 * 60);
    expect(await counts(u, '2024-03-11T00:20')).toEqual({ current: 2, longest: 2 });
  });

  it('a session across midnight with under 60 s on each side counts neither day', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-03-10T23:59:30', 70);
    expect(await counts(u, '2024-03-11T00:20')).toEqual({ current: 0, longest: 0 });
    // Those 40 s of 03-11 plus 20 s more make the day.
    await study(u, '2024-03-11T08:00', 20);
    expect(await counts(u, '2024-03-11T09:00')).toEqual({ current: 1, longest: 1 });
  });

  it('a discarded session counts nothing toward the streak', async () => {
    const u = await registerAndLogin(api);
    clock.set(kst('2024-03-01T12:00'));
    expect((await api.post('/timer-api/study-timer/start', { token: u.accessToken })).status).toBe(200);
    clock.advance(30 * 60_000);
    await study(u, '2024-03-01T12:30', 30); // the new start discards the 30-minute session
    expect(await counts(u, '2024-03-01T13:00')).toEqual({ current: 0, longest: 0 });
  });

  it('a forgotten timer counts only its first 12 hours', async () => {
    const u = await registerAndLogin(api);
    // 23:00 on 03-01 + 28 h would reach 03:00 on 03-03; the cap stops it at 11:00 on 03-02.
    await study(u, '2024-03-01T23:00', 28 * 3600);
    expect(await counts(u, '2024-03-03T04:00')).toEqual({ current: 2, longest: 2 });
    await study(u, '2024-03-03T12:00', 600);
    expect(await counts(u, '2024-03-03T13:00')).toEqual({ current: 3, longest: 3 });
  });
});

describe('reading the streak later', () => {
  it('the day after the last study day keeps the streak; two days after reads 0; longest stays', async () => {
    const u = await registerAndLogin(api);
    await study(u, '2024-03-01T12:00', 600);
    await study(u, '2024-03-02T12:00', 600);
    expect(await counts(u, '2024-03-02T23:59:59')).toEqual({ current: 2, longest: 2 });
    expect(await counts(u, '2024-03-03T00:00')).toEqual({ current: 2, longest: 2 });
    expect(await counts(u, '2024-03-03T23:59:59')).toEqual({ current: 2, longest: 2 });
    expect(await counts(u, '2024-03-04T00:00')).toEqual({ current: 0, longest: 2 });
    expect(await counts(u, '2024-04-30T12:00')).toEqual({ current: 0, longest: 2 });
    // Studying again starts over at 1.
    await study(u, '2024-03-05T12:00', 600);
    expect(await counts(u, '2024-03-05T13:00')).toEqual({ current: 1, longest: 2 });
  });

  it('the day boundary is Seoul midnight, not UTC midnight', async () => {
    const u = await registerAndLogin(api);
    // 08:00 KST on 03-02 is still 03-01 in UTC: a UTC-day streak would see one day twice.
    await study(u, '2024-03-01T12:00', 600);
    await study(u, '2024-03-02T08:00', 600);
    expect(await counts(u, '2024-03-02T09:00')).toEqual({ current: 2, longest: 2 });
    // 08:59 KST on 03-04 is 23:59 UTC on 03-03: in Seoul 03-03 was already missed.
    expect(await counts(u, '2024-03-04T08:59')).toEqual({ current: 0, longest: 2 });
  });
});

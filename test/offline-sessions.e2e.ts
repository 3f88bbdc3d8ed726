import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { badRequest, type Expected, forbidden, validation } from './support/bad-input.js';
import { ManualClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { insertInventory } from './support/factories.js';
import { registerAndLogin } from './support/http.js';
import { progressOf, transactions } from './support/study-db.js';

// Issue 14 part 2: POST /members/:id/study-records stores a session timed offline, idempotent by
// client_id, refused by the time, overlap and category rules; it counts for statistics, streak and
// food progress but earns no points. The clock is fixed at NOW (KST) once a member is registered.

const clock = new ManualClock();
const NOW = '2024-05-10T12:00:00+09:00';

const app = useApp({ clock });
const { api } = app;
const db = useDb();

type User = Awaited<ReturnType<typeof registerAndLogin>>;

/** A new member (registered at real time, so its token stays valid), then the clock at NOW. */
async function member(): Promise<User> {
  clock.reset();
  const u = await registerAndLogin(api);
  clock.set(NOW);
  return u;
}

const kst = (local: string) => `${local}+09:00`;
const session = (from: string, to: string, extra: Record<string, unknown> = {}) => ({
  client_id: randomUUID(),
  start_time: kst(from),
  end_time: kst(to),
  status: 'Completed',
  ...extra,
});
const upload = (u: User, json: unknown, token = u.accessToken) =>
  api.post(`/timer-api/members/${u.memberId}/study-records`, { token, json });

/** Everything an upload could change for the member, as the database holds it. */
async function state(u: User) {
  const q = async (sql: string) => (await db.query(sql, [u.memberId])).rows;
  return {
    records: await q('select * from study_record where member_id = $1 order by study_record_id'),
    member: await q('select point, active_record_id from member where member_id = $1'),
    transactions: await transactions(db, u.memberId),
    streak: await q(
      'select current_streak, longest_streak, last_study_date::text from study_streak where member_id = $1',
    ),
    food: await q('select item_inventory_id, progress from item_inventory where member_id = $1 order by 1'),
  };
}

async function expectRefused(u: User, json: unknown, expected: Expected, token?: string) {
  const before = await state(u);
  const r = await upload(u, json, token);
  expect({ status: r.status, body: r.body }).toEqual(expected);
  expect(await state(u)).toEqual(before);
}

const read = async (u: User, path: string) => {
  const r = await api.get(`/timer-api/members/${u.memberId}/${path}`, { token: u.accessToken });
  expect(r.status).toBe(200);
  return r.body.data;
};

describe('idempotency', () => {
  it('20 parallel retries of one client_id store one record and answer 20 identical 200s', async () => {
    const u = await member();
    const body = session('2024-05-09T20:00:00', '2024-05-09T21:30:00');
    const replies = await Promise.all(Array.from({ length: 20 }, () => upload(u, body)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    const rows = (await state(u)).records;
    expect(rows).toHaveLength(1);
    expect(replies[0]!.body).toEqual({
      status: 'success',
      data: {
        study_record_id: String(rows[0].study_record_id),
        start_time: '2024-05-09T11:00:00.000Z',
        end_time: '2024-05-09T12:30:00.000Z',
        status: 'Completed',
        study_category_id: null,
        seconds: 5400,
        source: 'offline',
        client_id: body.client_id,
      },
    });
    expect(rows[0]).toMatchObject({ source: 'offline', client_id: body.client_id, end_client_id: null });
    // A later retry, even past the age limit, still answers the stored record.
    clock.set('2024-06-30T00:00:00Z');
    const late = await upload(u, body);
    expect(late.text).toBe(replies[0]!.text);
  });

  it('the same client_id with other content is a 409 and changes nothing', async () => {
    const u = await member();
    const body = session('2024-05-09T08:00:00', '2024-05-09T09:00:00');
    expect((await upload(u, body)).status).toBe(200);
    const conflict: Expected = {
      status: 409,
      body: {
        status: 'error',
        error: 'Conflict',
        message: '같은 client_id로 다른 요청이 이미 처리되었습니다.',
        code: 'CLIENT_ID_REUSED',
      },
    };
    await expectRefused(u, { ...body, end_time: kst('2024-05-09T09:00:01') }, conflict);
    await expectRefused(u, { ...body, status: 'Incompleted' }, conflict);
  });
});

describe('refusals: 400, exact bodies, nothing changed', () => {
  it('shape errors in the validation dialect', async () => {
    const u = await member();
    await expectRefused(
      u,
      {},
      validation(
        'client_id must be a UUID',
        'start_time must be a valid ISO 8601 date string with an offset',
        'end_time must be a valid ISO 8601 date string with an offset',
        'status must be one of the following values: Completed, Incompleted',
        'status must be a string',
      ),
    );
    const ok = session('2024-05-09T08:00:00', '2024-05-09T09:00:00');
    await expectRefused(u, { ...ok, client_id: 'abc' }, validation('client_id must be a UUID'));
    await expectRefused(
      u,
      { ...ok, start_time: '2024-05-09T08:00:00' },
      validation('start_time must be a valid ISO 8601 date string with an offset'),
    );
    await expectRefused(
      u,
      { ...ok, end_time: '2024-02-30T09:00:00Z' },
      validation('end_time must be a valid ISO 8601 date string with an offset'),
    );
    await expectRefused(
      u,
      { ...ok, category_id: '1' },
      validation(
        'category_id must be a number conforming to the specified constraints',
        'category_id must be a non-negative integer',
      ),
    );
    await expectRefused(u, { ...ok, points: 5 }, validation('property points should not exist'));
  });

  it('end not after start, in the future (beyond a minute of skew), too old, too long', async () => {
    const u = await member();
    const rule = (message: string, code: string) => badRequest(message, code);
    const endFirst = rule('종료 시각은 시작 시각보다 뒤여야 합니다.', 'OFFLINE_END_BEFORE_START');
    await expectRefused(u, session('2024-05-10T09:00:00', '2024-05-10T08:00:00'), endFirst);
    await expectRefused(u, session('2024-05-10T09:00:00', '2024-05-10T09:00:00'), endFirst);
    const future = rule('아직 지나지 않은 시각의 공부 기록은 저장할 수 없습니다.', 'OFFLINE_IN_FUTURE');
    await expectRefused(u, session('2024-05-10T11:00:00', '2024-05-10T12:01:01'), future);
    const old = rule('저장할 수 있는 기간이 지난 공부 기록입니다.', 'OFFLINE_TOO_OLD');
    await expectRefused(u, session('2024-05-03T11:59:59', '2024-05-03T13:00:00'), old);
    const long = rule('한 번에 기록할 수 있는 공부 시간을 초과했습니다.', 'OFFLINE_TOO_LONG');
    await expectRefused(u, session('2024-05-08T00:00:00', '2024-05-08T12:00:01'), long);
    // The edges are accepted: a minute ahead, exactly 7 days old, exactly MAX_SESSION_HOURS (12).
    expect((await upload(u, session('2024-05-10T11:30:00', '2024-05-10T12:01:00'))).status).toBe(200);
    expect((await upload(u, session('2024-05-03T12:00:00', '2024-05-03T13:00:00'))).status).toBe(200);
    expect((await upload(u, session('2024-05-08T00:00:00', '2024-05-08T12:00:00'))).status).toBe(200);
  });

  it('overlapping a recorded session or the running one; touching is fine', async () => {
    const u = await member();
    expect((await upload(u, session('2024-05-09T10:00:00', '2024-05-09T11:00:00'))).status).toBe(200);
    const overlap = badRequest('이미 기록된 공부 시간과 겹칩니다.', 'OFFLINE_OVERLAP');
    await expectRefused(u, session('2024-05-09T10:59:59', '2024-05-09T11:30:00'), overlap);
    await expectRefused(u, session('2024-05-09T09:00:00', '2024-05-09T12:00:00'), overlap);
    expect((await upload(u, session('2024-05-09T11:00:00', '2024-05-09T11:30:00'))).status).toBe(200);
    // The running session (started 11:00 KST today) spans until it ends.
    clock.set(kst('2024-05-10T11:00:00'));
    expect((await api.post('/timer-api/study-timer/start', { token: u.accessToken })).status).toBe(200);
    clock.set(NOW);
    await expectRefused(u, session('2024-05-10T10:30:00', '2024-05-10T11:00:01'), overlap);
    expect((await upload(u, session('2024-05-10T10:30:00', '2024-05-10T11:00:00'))).status).toBe(200);
  });

  it("another member's or a deleted category is refused; an own one is stored", async () => {
    const u = await member();
    const other = await member();
    const create = async (who: User, subject: string) => {
      const r = await api.post(`/timer-api/members/${who.memberId}/study-categories`, {
        token: who.accessToken,
        json: { subject },
      });
      return Number(r.body.data.category.study_category_id);
    };
    const notFound = badRequest('카테고리를 찾을 수 없습니다.', 'CATEGORY_NOT_FOUND');
    const foreign = await create(other, 'foreign');
    await expectRefused(u, session('2024-05-09T08:00:00', '2024-05-09T09:00:00', { category_id: foreign }), notFound);
    const gone = await create(u, 'gone');
    await api.delete(`/timer-api/members/${u.memberId}/study-categories/${gone}`, { token: u.accessToken });
    await expectRefused(u, session('2024-05-09T08:00:00', '2024-05-09T09:00:00', { category_id: gone }), notFound);
    const mine = await create(u, 'mine');
    const r = await upload(u, session('2024-05-09T08:00:00', '2024-05-09T09:00:00', { category_id: mine }));
    expect(r.status).toBe(200);
    expect(r.body.data.study_category_id).toBe(String(mine));
  });

  it('the route is in the OpenAPI document', async () => {
    const doc = await api.get('/docs-json');
    expect(Object.keys(doc.body.paths['/timer-api/members/{member_id}/study-records']).sort()).toEqual(['get', 'post']);
  });

  it("another member's records: 403", async () => {
    const u = await member();
    const other = await member();
    await expectRefused(u, session('2024-05-09T08:00:00', '2024-05-09T09:00:00'), forbidden, other.accessToken);
  });

  it('overlapping uploads of different client ids sent in parallel: exactly one wins', async () => {
    const u = await member();
    const bodies = Array.from({ length: 10 }, (_, i) => session(`2024-05-09T10:0${i}:00`, `2024-05-09T11:0${i}:00`));
    const replies = await Promise.all(bodies.map((b) => upload(u, b)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect({ status: r.status, body: r.body }).toEqual(
        badRequest('이미 기록된 공부 시간과 겹칩니다.', 'OFFLINE_OVERLAP'),
      );
    }
    expect((await state(u)).records).toHaveLength(1);
  });
});

describe('effects: like a timed session, without points', () => {
  it('statistics (daily, heat-map, records), food progress; no points, no transactions', async () => {
    const u = await member();
    const food = await insertInventory(db, u.memberId, { progress: 3600 });
    const before = await state(u);
    const r = await upload(u, session('2024-05-09T23:30:00', '2024-05-10T00:20:00'));
    expect(r.status).toBe(200);
    expect((await read(u, 'statistics?date=2024-05-09')).totalSeconds).toBe(1800);
    expect((await read(u, 'statistics?date=2024-05-10')).totalSeconds).toBe(1200);
    expect(await read(u, 'statistics/heat-map?start=2024-05-01&end=2024-05-31')).toEqual([
      { date: '2024-05-09', totalSeconds: 1800 },
      { date: '2024-05-10', totalSeconds: 1200 },
    ]);
    const listed = (await read(u, 'study-records?date=2024-05-09')).study_records;
    expect(listed.map((x: { study_record_id: string }) => x.study_record_id)).toEqual([r.body.data.study_record_id]);
    expect(await progressOf(db, food)).toBe(3600 - 3000);
    const after = await state(u);
    expect(after.member).toEqual(before.member);
    expect(after.transactions).toEqual([]);
    expect(after.streak).toEqual([{ current_streak: 2, longest_streak: 2, last_study_date: '2024-05-10' }]);
  });

  it('a late upload fills a gap before the last streak day and joins the runs', async () => {
    const u = await member();
    // Timed online on the 7th and the 9th: two separate one-day streaks.
    const timed = async (from: string) => {
      clock.set(kst(from));
      await api.post('/timer-api/study-timer/start', { token: u.accessToken });
      clock.advance(600_000);
      await api.post('/timer-api/study-timer/end', { token: u.accessToken, json: { status: 'Incompleted' } });
      clock.set(NOW);
    };
    await timed('2024-05-07T09:00:00');
    await timed('2024-05-09T09:00:00');
    const streak = () => read(u, 'study-streak');
    expect(await streak()).toMatchObject({ current_streak: 1, longest_streak: 1 });
    // The 8th, studied offline, uploaded on the 10th: 7, 8 and 9 are one run of three days.
    expect((await upload(u, session('2024-05-08T20:00:00', '2024-05-08T21:00:00'))).status).toBe(200);
    expect(await streak()).toMatchObject({ current_streak: 3, longest_streak: 3 });
    const [row] = (await state(u)).streak;
    expect(row.last_study_date).toBe('2024-05-09');
  });
});

describe('POST /study-timer/start and /end with client_id', () => {
  const start = (u: User, json?: unknown) => api.post('/timer-api/study-timer/start', { token: u.accessToken, json });
  const end = (u: User, json: unknown) => api.post('/timer-api/study-timer/end', { token: u.accessToken, json });
  const ok = { status: 'success', data: null };

  it('a retried start does not restart; a retried end answers success again and credits once', async () => {
    const u = await member();
    const startId = randomUUID();
    const endId = randomUUID();
    expect((await start(u, { client_id: startId })).body).toEqual(ok);
    const first = (await state(u)).records;
    clock.advance(30 * 60_000);
    expect((await start(u, { client_id: startId })).body).toEqual(ok);
    expect((await state(u)).records).toEqual(first);
    expect((await end(u, { status: 'Completed', client_id: endId })).body).toEqual(ok);
    const ended = await state(u);
    expect(ended.records[0]).toMatchObject({ end_client_id: endId, deleted_at: null, status: 'Completed' });
    expect(ended.transactions).toHaveLength(1);
    clock.advance(60_000);
    const retried = await end(u, { status: 'Completed', client_id: endId });
    expect({ status: retried.status, body: retried.body }).toEqual({ status: 200, body: ok });
    expect(await state(u)).toEqual(ended);
    // A start retried after its session ended starts nothing either.
    expect((await start(u, { client_id: startId })).body).toEqual(ok);
    expect(await state(u)).toEqual(ended);
    // Without client_id, as today: no running timer.
    expect((await end(u, { status: 'Completed' })).status).toBe(404);
  });

  it('parallel retries: 10 starts and then 10 ends of one id each make one session', async () => {
    const u = await member();
    const startId = randomUUID();
    const endId = randomUUID();
    const starts = await Promise.all(Array.from({ length: 10 }, () => start(u, { client_id: startId })));
    expect(starts.map((r) => r.body)).toEqual(Array(10).fill(ok));
    expect((await state(u)).records).toHaveLength(1);
    clock.advance(20 * 60_000);
    const ends = await Promise.all(Array.from({ length: 10 }, () => end(u, { status: 'Completed', client_id: endId })));
    expect(ends.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(ends.map((r) => r.body)).toEqual(Array(10).fill(ok));
    const s = await state(u);
    expect(s.records).toHaveLength(1);
    expect(s.records[0]).toMatchObject({ status: 'Completed', deleted_at: null, source: 'timer' });
    expect(s.transactions).toHaveLength(1);
    expect(s.member[0].active_record_id).toBeNull();
  });

  it('client_id must be a UUID; an id used by an upload is a 409 for a start', async () => {
    const u = await member();
    const bad = await start(u, { client_id: 'x' });
    expect({ status: bad.status, body: bad.body }).toEqual(validation('client_id must be a UUID'));
    const badEnd = await end(u, { status: 'Completed', client_id: 7 });
    expect({ status: badEnd.status, body: badEnd.body }).toEqual(validation('client_id must be a UUID'));
    const body = session('2024-05-09T08:00:00', '2024-05-09T09:00:00');
    expect((await upload(u, body)).status).toBe(200);
    const before = await state(u);
    const reused = await start(u, { client_id: body.client_id });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('CLIENT_ID_REUSED');
    expect(await state(u)).toEqual(before);
  });
});

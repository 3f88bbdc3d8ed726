import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { expectError, notFound } from './support/bad-input.js';
import { ManualClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { insertInventory } from './support/factories.js';
import { registerAndLogin, uniqueEmail } from './support/http.js';
import { memberRow, progressOf, records, running, transactions } from './support/study-db.js';

// N23/N24 with the category checked against its owner and the original's food progress: the server
// clock only, one running record per member, the session cap, and the end's effects (food progress,
// Reward points, streak) applied once.

const TIMER_NOT_FOUND = notFound('진행중인 타이머를 찾을 수 없습니다.', 'TIMER_NOT_FOUND');
const CATEGORY_NOT_FOUND = notFound('카테고리를 찾을 수 없습니다.', 'CATEGORY_NOT_FOUND');
const USER_NOT_FOUND = notFound('사용자를 찾을 수 없습니다.', 'MEMBER_NOT_FOUND');
const OK_NULL = { status: 'success', data: null };
const START_POINTS = 500;
const T0 = '2024-03-05T03:00:00.000Z'; // noon in Seoul

const clock = new ManualClock();

const app = useApp({ clock });
const { api } = app;
const db = useDb();
beforeEach(() => clock.reset());

type User = Awaited<ReturnType<typeof registerAndLogin>>;
const start = (u: { accessToken: string }, json?: unknown) =>
  api.post('/timer-api/study-timer/start', { token: u.accessToken, json });
const end = (u: { accessToken: string }, status = 'Completed') =>
  api.post('/timer-api/study-timer/end', { token: u.accessToken, json: { status } });
const activeRecordId = async (u: User) =>
  (await api.get('/timer-api/members/me', { token: u.accessToken })).body.data.member.active_record_id as unknown;
async function category(u: User, subject: string): Promise<number> {
  const r = await api.post(`/timer-api/members/${u.memberId}/study-categories`, {
    token: u.accessToken,
    json: { subject },
  });
  return Number(r.body.data.category.study_category_id);
}
/** A session of `seconds` ending with `status`, started at `at`. */
async function session(u: User, seconds: number, status = 'Completed', at = T0) {
  clock.set(at);
  expect(await start(u)).toMatchObject({ status: 200, body: OK_NULL });
  clock.advance(seconds * 1000);
  expect(await end(u, status)).toMatchObject({ status: 200, body: OK_NULL });
}

describe('start (N23)', () => {
  it("with the member's own category: one running record from the server clock, active_record_id a string", async () => {
    const u = await registerAndLogin(api);
    const cat = await category(u, 'math');
    expect(await activeRecordId(u)).toBeNull();
    clock.set(T0);
    expect(await start(u, { category_id: cat })).toMatchObject({ status: 200, body: OK_NULL });
    const rows = await records(db, u.memberId);
    expect(rows).toEqual([
      { id: rows[0]!.id, category: String(cat), start: new Date(T0), end: null, status: null, deleted: null },
    ]);
    expect(await activeRecordId(u)).toBe(rows[0]!.id);
    clock.advance(60_000);
    expect(await end(u)).toMatchObject({ status: 200, body: OK_NULL });
    expect(await activeRecordId(u)).toBeNull();
    expect((await records(db, u.memberId))[0]).toMatchObject({
      end: new Date('2024-03-05T03:01:00.000Z'),
      status: 'Completed',
    });
  });

  it("another member's, a deleted or an unknown category → 404; the running session is kept", async () => {
    const u = await registerAndLogin(api);
    const other = await registerAndLogin(api);
    const theirs = await category(other, 'math');
    const gone = await category(u, 'gone');
    await api.delete(`/timer-api/members/${u.memberId}/study-categories/${gone}`, { token: u.accessToken });
    clock.set(T0);
    expect((await start(u)).status).toBe(200);
    const before = await records(db, u.memberId);
    for (const id of [theirs, gone, 999_999_999, Number.MAX_SAFE_INTEGER]) {
      expectError(await start(u, { category_id: id }), CATEGORY_NOT_FOUND);
    }
    expect(await records(db, u.memberId)).toEqual(before);
    expect(await activeRecordId(u)).toBe(before[0]!.id);
    expect(await records(db, other.memberId)).toEqual([]);
  });

  it.each([
    ['0', { category_id: 0 }],
    ['null', { category_id: null }],
    ['absent', {}],
    ['no body', undefined],
  ])('category_id %s → a session without category', async (_, json) => {
    const u = await registerAndLogin(api);
    expect(await start(u, json)).toMatchObject({ status: 200, body: OK_NULL });
    expect((await running(db, u.memberId)).map((r) => r.category)).toEqual([null]);
  });

  it('starting while running discards the old session: soft-deleted, counts and earns nothing', async () => {
    const u = await registerAndLogin(api);
    const food = await insertInventory(db, u.memberId, { progress: 10_000 });
    clock.set(T0);
    expect((await start(u)).status).toBe(200);
    clock.advance(30 * 60_000);
    expect((await start(u)).status).toBe(200);
    const [old, current] = await records(db, u.memberId);
    expect(old).toMatchObject({ end: null, status: null, deleted: new Date('2024-03-05T03:30:00.000Z') });
    expect(current).toMatchObject({ start: new Date('2024-03-05T03:30:00.000Z'), end: null, deleted: null });
    expect(await activeRecordId(u)).toBe(current!.id);

    clock.advance(10 * 60_000);
    expect((await end(u)).status).toBe(200);
    // Only the 10 minutes of the second session count.
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 90, active: null });
    expect(await transactions(db, u.memberId)).toEqual([
      { transaction_type: 'Reward', amount: 90, count: 10, balance_after_transaction: 590, notes: '공부 10분 보상' },
    ]);
    expect(await progressOf(db, food)).toBe(10_000 - 600);
    const day = await api.get(`/timer-api/members/${u.memberId}/study-records?date=2024-03-05`, {
      token: u.accessToken,
    });
    expect(
      day.body.data.study_records.map((r: { study_record_id: string; seconds: number }) => [
        r.study_record_id,
        r.seconds,
      ]),
    ).toEqual([[current!.id, 600]]);
  });

  it('an account without a member → 404 사용자를 찾을 수 없습니다. on start and end; no member is made', async () => {
    const email = uniqueEmail('nomember');
    const reg = await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
    const noMember = { accessToken: reg.body.data.access_token as string };
    expectError(await start(noMember, { category_id: null }), USER_NOT_FOUND);
    expectError(await end(noMember), USER_NOT_FOUND);
    const n = await db.query('select count(*)::int n from member where account_id = $1', [
      reg.body.data.account.account_id,
    ]);
    expect(n.rows[0].n).toBe(0);
  });
});

describe('end (N24)', () => {
  it('without a running timer → 404; a second end → 404; nothing is counted', async () => {
    const u = await registerAndLogin(api);
    expectError(await end(u), TIMER_NOT_FOUND);
    await session(u, 120);
    expectError(await end(u), TIMER_NOT_FOUND);
    expectError(await end(u, 'Incompleted'), TIMER_NOT_FOUND);
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 18, active: null });
    expect(await transactions(db, u.memberId)).toHaveLength(1);
  });

  it('a 20 h session ends at start + 12 h: stored end, 6480 points, a Reward record with the new balance', async () => {
    const u = await registerAndLogin(api);
    const food = await insertInventory(db, u.memberId, { progress: 50_000 });
    await session(u, 20 * 3600);
    const [row] = await records(db, u.memberId);
    expect(row).toMatchObject({ start: new Date(T0), end: new Date('2024-03-05T15:00:00.000Z'), status: 'Completed' });
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 6480, active: null });
    expect(await transactions(db, u.memberId)).toEqual([
      {
        transaction_type: 'Reward',
        amount: 6480,
        count: 720,
        balance_after_transaction: START_POINTS + 6480,
        notes: '공부 720분 보상',
      },
    ]);
    expect(await progressOf(db, food)).toBe(50_000 - 12 * 3600);
  });

  it('Completed pays whole minutes × 9: 59 s nothing, 60 s 9, 25 min 59 s 225', async () => {
    const u = await registerAndLogin(api);
    await session(u, 59);
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS, active: null });
    expect(await transactions(db, u.memberId)).toEqual([]);
    await session(u, 60);
    await session(u, 25 * 60 + 59);
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 9 + 225, active: null });
    expect(await transactions(db, u.memberId)).toEqual([
      { transaction_type: 'Reward', amount: 9, count: 1, balance_after_transaction: 509, notes: '공부 1분 보상' },
      { transaction_type: 'Reward', amount: 225, count: 25, balance_after_transaction: 734, notes: '공부 25분 보상' },
    ]);
  });

  it('Incompleted earns no points but advances food', async () => {
    const u = await registerAndLogin(api);
    const food = await insertInventory(db, u.memberId, { progress: 3600 });
    await session(u, 25 * 60, 'Incompleted');
    expect((await records(db, u.memberId))[0]).toMatchObject({ status: 'Incompleted' });
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS, active: null });
    expect(await transactions(db, u.memberId)).toEqual([]);
    expect(await progressOf(db, food)).toBe(3600 - 1500);
  });

  it('food progress: every growing food loses the whole session, floored at 0; nothing else moves', async () => {
    const u = await registerAndLogin(api);
    const other = await registerAndLogin(api);
    const a = await insertInventory(db, u.memberId, { progress: 3600 });
    const b = await insertInventory(db, u.memberId, { progress: 100 });
    const ready = await insertInventory(db, u.memberId, { progress: 0 });
    const unknown = await insertInventory(db, u.memberId, { progress: null });
    const empty = await insertInventory(db, u.memberId, { progress: 3600, quantity: 0 });
    const used = await insertInventory(db, u.memberId, { progress: 3600, deleted: true });
    const consumable = await insertInventory(db, u.memberId, { progress: 3600, itemType: 'Consumable', quantity: 3 });
    const theirs = await insertInventory(db, other.memberId, { progress: 3600 });
    await session(u, 1000);
    const progress = await Promise.all(
      [a, b, ready, unknown, empty, used, consumable, theirs].map((id) => progressOf(db, id)),
    );
    expect(progress).toEqual([2600, 0, 0, null, 3600, 3600, 3600, 3600]);
  });

  it("the effects share the end's transaction: a failing Reward write undoes the end and the food", async () => {
    const u = await registerAndLogin(api);
    const food = await insertInventory(db, u.memberId, { progress: 3600 });
    const fn = `test_fail_reward_${u.memberId.replace(/-/g, '')}`;
    await db.query(
      `create function ${fn}() returns trigger language plpgsql as $$ begin raise exception 'injected'; end $$`,
    );
    await db.query(
      `create trigger ${fn} before insert on transaction_record for each row
       when (new.member_id = '${u.memberId}'::uuid) execute function ${fn}()`,
    );
    try {
      clock.set(T0);
      expect((await start(u)).status).toBe(200);
      const before = await records(db, u.memberId);
      clock.advance(10 * 60_000);
      const r = await end(u);
      expect({ status: r.status, body: r.body }).toEqual({
        status: 500,
        body: {
          status: 'error',
          error: 'Internal Server Error',
          message: '문제가 발생했습니다. 나중에 다시 시도해주세요.',
        },
      });
      expect(await records(db, u.memberId)).toEqual(before);
      expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS, active: before[0]!.id });
      expect(await progressOf(db, food)).toBe(3600);
      const streak = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken });
      expect(streak.body.data).toMatchObject({ current_streak: 0, longest_streak: 0 });
    } finally {
      await db.query(`drop trigger ${fn} on transaction_record`);
      await db.query(`drop function ${fn}()`);
    }
    // The same session ends normally afterwards.
    expect((await end(u)).status).toBe(200);
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 90, active: null });
    expect(await progressOf(db, food)).toBe(3000);
  });
});

describe('concurrency: one running record, one end', () => {
  it('20 parallel starts leave exactly one running record, the one active_record_id names', async () => {
    const u = await registerAndLogin(api);
    clock.set(T0);
    const replies = await Promise.all(Array.from({ length: 20 }, () => start(u)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const rows = await records(db, u.memberId);
    expect(rows).toHaveLength(20);
    const live = rows.filter((r) => r.end === null && r.deleted === null);
    expect(live).toHaveLength(1);
    expect(rows.filter((r) => r.deleted !== null)).toHaveLength(19);
    expect(await activeRecordId(u)).toBe(live[0]!.id);
    expect((await memberRow(db, u.memberId)).active).toBe(live[0]!.id);
  });

  it('the database itself refuses a second running record', async () => {
    const u = await registerAndLogin(api);
    expect((await start(u)).status).toBe(200);
    await expect(
      db.query('insert into study_record (member_id, start_time) values ($1, now())', [u.memberId]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'study_record_one_running_per_member' });
    expect(await running(db, u.memberId)).toHaveLength(1);
  });

  it('10 parallel ends: one 200, nine 404; points, the Reward record and food counted once', async () => {
    const u = await registerAndLogin(api);
    const food = await insertInventory(db, u.memberId, { progress: 3600 });
    clock.set(T0);
    expect((await start(u)).status).toBe(200);
    clock.advance(25 * 60_000);
    const replies = await Promise.all(Array.from({ length: 10 }, () => end(u)));
    expect(replies.filter((r) => r.status === 200).map((r) => r.body)).toEqual([OK_NULL]);
    const failed = replies.filter((r) => r.status !== 200);
    expect(failed).toHaveLength(9);
    for (const r of failed) expectError(r, TIMER_NOT_FOUND);
    expect(await memberRow(db, u.memberId)).toEqual({ point: START_POINTS + 225, active: null });
    expect(await transactions(db, u.memberId)).toEqual([
      { transaction_type: 'Reward', amount: 225, count: 25, balance_after_transaction: 725, notes: '공부 25분 보상' },
    ]);
    expect(await progressOf(db, food)).toBe(3600 - 1500);
    const rows = await records(db, u.memberId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ end: new Date('2024-03-05T03:25:00.000Z'), status: 'Completed', deleted: null });
    const streak = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken });
    expect(streak.body.data).toMatchObject({ current_streak: 1, longest_streak: 1 });
  });

  it('parallel starts and ends of one member: never a 500, one running record at most, paid at most once', async () => {
    const u = await registerAndLogin(api);
    clock.set(T0);
    expect((await start(u)).status).toBe(200);
    const [first] = await records(db, u.memberId);
    clock.advance(10 * 60_000);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? end(u) : start(u))));
    for (const r of replies) if (r.status !== 200) expectError(r, TIMER_NOT_FOUND);
    const live = await running(db, u.memberId);
    expect(live.length).toBeLessThanOrEqual(1);
    expect((await memberRow(db, u.memberId)).active).toBe(live[0]?.id ?? null);
    // The 10-minute session was either ended (paid 90 once) or discarded (paid nothing); the
    // sessions started in the race ran 0 s and pay nothing.
    const paid = await transactions(db, u.memberId);
    const firstNow = (await records(db, u.memberId)).find((r) => r.id === first!.id)!;
    if (firstNow.end === null) {
      expect(firstNow.deleted).not.toBeNull();
      expect(paid).toEqual([]);
    } else {
      expect(firstNow).toMatchObject({ end: new Date('2024-03-05T03:10:00.000Z'), deleted: null });
      expect(paid).toEqual([
        { transaction_type: 'Reward', amount: 90, count: 10, balance_after_transaction: 590, notes: '공부 10분 보상' },
      ]);
    }
    expect((await memberRow(db, u.memberId)).point).toBe(START_POINTS + 90 * paid.length);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { badRequest, expectError, forbidden, notFound, validation } from './support/bad-input.js';
import { ManualClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { registerAndLogin } from './support/http.js';
import { categoryRows, records } from './support/study-db.js';

// N16–N19 with the original's category defects fixed: categories are checked against the path
// member, rename works and merges into an existing subject as the original did, subjects are unique
// among live categories.

const NOT_FOUND = notFound('카테고리를 찾을 수 없습니다.', 'CATEGORY_NOT_FOUND');
const EXISTS = badRequest('카테고리이(가) 이미 존재합니다.', 'CATEGORY_EXISTS');
const NOTHING = badRequest('변경할 내용이 없습니다.', 'NOTHING_TO_CHANGE');
const OK_NULL = { status: 'success', data: null };

const clock = new ManualClock();

const app = useApp({ clock });
const { api } = app;
const db = useDb();
beforeEach(() => clock.reset());

type User = Awaited<ReturnType<typeof registerAndLogin>>;
const base = (u: User) => `/timer-api/members/${u.memberId}/study-categories`;
const create = (u: User, subject: unknown) => api.post(base(u), { token: u.accessToken, json: { subject } });
const list = async (u: User) => {
  const r = await api.get(base(u), { token: u.accessToken });
  expect(r.status).toBe(200);
  return r.body.data.study_categories as { study_category_id: string; subject: string; color: string }[];
};
async function createId(u: User, subject: string): Promise<string> {
  const r = await create(u, subject);
  expect(r.status).toBe(200);
  return r.body.data.category.study_category_id as string;
}
const rename = (u: User, id: string, subject: unknown) =>
  api.patch(`${base(u)}/${id}`, { token: u.accessToken, json: { subject } });
const remove = (u: User, id: string) => api.delete(`${base(u)}/${id}`, { token: u.accessToken });

/** A 10-minute session in the category, at noon KST on `date`. */
async function studyIn(u: User, categoryId: string | null, date: string) {
  clock.set(`${date}T03:00:00.000Z`);
  const json = { category_id: categoryId === null ? null : Number(categoryId) };
  expect((await api.post('/timer-api/study-timer/start', { token: u.accessToken, json })).status).toBe(200);
  clock.advance(10 * 60_000);
  const end = await api.post('/timer-api/study-timer/end', { token: u.accessToken, json: { status: 'Completed' } });
  expect(end.status).toBe(200);
}

describe('create and list (N16, N17)', () => {
  it('creates with the original shape: a string id, the default colour and the member', async () => {
    const u = await registerAndLogin(api);
    const r = await create(u, 'math');
    expect(r.status).toBe(200);
    const [row] = await categoryRows(db, u.memberId);
    expect(r.body).toEqual({
      status: 'success',
      data: {
        category: { study_category_id: row!.id, subject: 'math', color: '#000000', member: { member_id: u.memberId } },
      },
    });
    expect(row).toEqual({ id: row!.id, subject: 'math', color: '#000000', deleted: null });
  });

  it('lists the live categories in creation order, without member or timestamps', async () => {
    const u = await registerAndLogin(api);
    expect(await list(u)).toEqual([]);
    const a = await createId(u, 'math');
    const b = await createId(u, '영어');
    const c = await createId(u, 'gone');
    expect((await remove(u, c)).body).toEqual(OK_NULL);
    expect(await list(u)).toEqual([
      { study_category_id: a, subject: 'math', color: '#000000' },
      { study_category_id: b, subject: '영어', color: '#000000' },
    ]);
    // Another member sees only their own.
    const other = await registerAndLogin(api);
    await createId(other, 'math');
    expect((await list(other)).map((x) => x.subject)).toEqual(['math']);
    expect(await list(u)).toHaveLength(2);
  });

  it('a duplicate subject → 400; another member may use the same subject', async () => {
    const u = await registerAndLogin(api);
    const id = await createId(u, 'math');
    expectError(await create(u, 'math'), EXISTS);
    expect(await list(u)).toEqual([{ study_category_id: id, subject: 'math', color: '#000000' }]);
    // Case and spacing make a different subject, as in the original's exact comparison.
    expect((await create(u, 'Math')).status).toBe(200);
    const other = await registerAndLogin(api);
    expect((await create(other, 'math')).status).toBe(200);
  });

  it('subjects up to the column: 50 characters (Korean and emoji count as one) ok, 51 → 400', async () => {
    const u = await registerAndLogin(api);
    for (const subject of ['a'.repeat(50), '가'.repeat(50), '😀'.repeat(50)]) {
      const r = await create(u, subject);
      expect(r.status).toBe(200);
      expect(r.body.data.category.subject).toBe(subject);
    }
    for (const subject of ['a'.repeat(51), '가'.repeat(51), '😀'.repeat(51)]) {
      expectError(await create(u, subject), validation('subject must be shorter than or equal to 50 characters'));
    }
    expect((await list(u)).map((c) => c.subject)).toEqual(['a'.repeat(50), '가'.repeat(50), '😀'.repeat(50)]);
  });

  it('10 parallel creates of one subject: exactly one 200, nine 400, one live row', async () => {
    const u = await registerAndLogin(api);
    const replies = await Promise.all(Array.from({ length: 10 }, () => create(u, 'race')));
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) expectError(r, EXISTS);
    const rows = await categoryRows(db, u.memberId);
    expect(rows).toEqual([
      { id: ok[0]!.body.data.category.study_category_id, subject: 'race', color: '#000000', deleted: null },
    ]);
  });

  it('delete, then create the same subject again: a new category', async () => {
    const u = await registerAndLogin(api);
    const first = await createId(u, 'math');
    expect((await remove(u, first)).body).toEqual(OK_NULL);
    const second = await createId(u, 'math');
    expect(second).not.toBe(first);
    expect(await list(u)).toEqual([{ study_category_id: second, subject: 'math', color: '#000000' }]);
    const rows = await categoryRows(db, u.memberId);
    expect(rows.map((r) => [r.id, r.deleted === null])).toEqual([
      [first, false],
      [second, true],
    ]);
  });
});

describe('rename and merge (N18)', () => {
  it('renames in place: same id, new subject', async () => {
    const u = await registerAndLogin(api);
    const id = await createId(u, 'math');
    expect(await rename(u, id, 'mathematics')).toMatchObject({ status: 200, body: OK_NULL });
    expect(await list(u)).toEqual([{ study_category_id: id, subject: 'mathematics', color: '#000000' }]);
    // The old subject is free again.
    expect((await create(u, 'math')).status).toBe(200);
  });

  it('the same subject → 400 변경할 내용이 없습니다., nothing changed', async () => {
    const u = await registerAndLogin(api);
    const id = await createId(u, 'math');
    const before = await categoryRows(db, u.memberId);
    expectError(await rename(u, id, 'math'), NOTHING);
    expect(await categoryRows(db, u.memberId)).toEqual(before);
  });

  it('renaming onto another live subject merges: the records move, the old category is soft-deleted', async () => {
    const u = await registerAndLogin(api);
    const from = await createId(u, 'algebra');
    const to = await createId(u, 'math');
    const other = await createId(u, 'english');
    await studyIn(u, from, '2024-03-04');
    await studyIn(u, from, '2024-03-05');
    await studyIn(u, to, '2024-03-05');
    await studyIn(u, other, '2024-03-05');
    await studyIn(u, null, '2024-03-05');
    clock.reset();

    expect(await rename(u, from, 'math')).toMatchObject({ status: 200, body: OK_NULL });
    expect(await list(u)).toEqual([
      { study_category_id: to, subject: 'math', color: '#000000' },
      { study_category_id: other, subject: 'english', color: '#000000' },
    ]);
    expect((await records(db, u.memberId)).map((r) => r.category)).toEqual([to, to, to, other, null]);
    const rows = await categoryRows(db, u.memberId);
    expect(rows.map((r) => [r.id, r.subject, r.deleted === null])).toEqual([
      [from, 'algebra', false],
      [to, 'math', true],
      [other, 'english', true],
    ]);
    // As the PWA's study-records view shows them.
    const day = await api.get(`/timer-api/members/${u.memberId}/study-records?date=2024-03-05`, {
      token: u.accessToken,
    });
    expect(day.body.data.study_records.map((r: { study_category_id: string | null }) => r.study_category_id)).toEqual([
      to,
      to,
      other,
      null,
    ]);
    // The merged-away id is gone for good.
    expectError(await rename(u, from, 'algebra'), NOT_FOUND);
    expectError(await remove(u, from), NOT_FOUND);
  });

  it("a merge never touches another member's records or categories", async () => {
    const u = await registerAndLogin(api);
    const v = await registerAndLogin(api);
    const from = await createId(u, 'a');
    await createId(u, 'b');
    const vb = await createId(v, 'b');
    await studyIn(v, vb, '2024-03-05');
    await studyIn(u, from, '2024-03-05');
    clock.reset();
    expect((await rename(u, from, 'b')).status).toBe(200);
    expect((await records(db, v.memberId)).map((r) => r.category)).toEqual([vb]);
    expect(await list(v)).toEqual([{ study_category_id: vb, subject: 'b', color: '#000000' }]);
  });

  it('renaming onto the subject of a deleted category is a plain rename', async () => {
    const u = await registerAndLogin(api);
    const gone = await createId(u, 'math');
    expect((await remove(u, gone)).status).toBe(200);
    const id = await createId(u, 'algebra');
    expect((await rename(u, id, 'math')).status).toBe(200);
    expect(await list(u)).toEqual([{ study_category_id: id, subject: 'math', color: '#000000' }]);
  });

  it('parallel renames of two categories onto one new subject: never a 500, one live category keeps it', async () => {
    const u = await registerAndLogin(api);
    const a = await createId(u, 'a');
    const b = await createId(u, 'b');
    const replies = await Promise.all([rename(u, a, 'c'), rename(u, b, 'c')]);
    for (const r of replies) if (r.status !== 200) expectError(r, EXISTS);
    expect(replies.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const live = (await list(u)).filter((c) => c.subject === 'c');
    expect(live).toHaveLength(1);
  });
});

describe('delete (N19)', () => {
  it('soft-deletes; the records keep pointing at it', async () => {
    const u = await registerAndLogin(api);
    const id = await createId(u, 'math');
    await studyIn(u, id, '2024-03-05');
    clock.reset();
    expect(await remove(u, id)).toMatchObject({ status: 200, body: OK_NULL });
    expect(await list(u)).toEqual([]);
    expect((await records(db, u.memberId)).map((r) => r.category)).toEqual([id]);
    const [row] = await categoryRows(db, u.memberId);
    expect(row!.deleted).toBeInstanceOf(Date);
    // Deleted once: a second delete or a rename does not find it.
    expectError(await remove(u, id), NOT_FOUND);
    expectError(await rename(u, id, 'x'), NOT_FOUND);
  });
});

describe("another member's, unknown or junk ids (checked against the path member)", () => {
  const junk = [
    '999999999',
    '9007199254740993',
    '99999999999999999999',
    'abc',
    '0',
    '-1',
    '1.5',
    '01',
    '1e3',
    "1'%20or%20'1'='1",
  ];

  it("PATCH and DELETE of another member's category through one's own path → 404, nothing changed", async () => {
    const owner = await registerAndLogin(api);
    const intruder = await registerAndLogin(api);
    const id = await createId(owner, 'math');
    await createId(intruder, 'math');
    const before = [await categoryRows(db, owner.memberId), await categoryRows(db, intruder.memberId)];
    expectError(await rename(intruder, id, 'hacked'), NOT_FOUND);
    expectError(await rename(intruder, id, 'math'), NOT_FOUND); // not a merge either
    expectError(await remove(intruder, id), NOT_FOUND);
    expect([await categoryRows(db, owner.memberId), await categoryRows(db, intruder.memberId)]).toEqual(before);
  });

  it("another member's path → 403 whatever the category", async () => {
    const owner = await registerAndLogin(api);
    const intruder = await registerAndLogin(api);
    const id = await createId(owner, 'math');
    const path = `${base(owner)}/${id}`;
    const before = await categoryRows(db, owner.memberId);
    expectError(await api.patch(path, { token: intruder.accessToken, json: { subject: 'x' } }), forbidden);
    expectError(await api.delete(path, { token: intruder.accessToken }), forbidden);
    expectError(await api.post(base(owner), { token: intruder.accessToken, json: { subject: 'x' } }), forbidden);
    expectError(await api.get(base(owner), { token: intruder.accessToken }), forbidden);
    expect(await categoryRows(db, owner.memberId)).toEqual(before);
  });

  it.each(junk)('unknown or junk id %s → 404 on PATCH and DELETE, nothing changed', async (id) => {
    const u = await registerAndLogin(api);
    await createId(u, 'math');
    const before = await categoryRows(db, u.memberId);
    expectError(await rename(u, id, 'other'), NOT_FOUND);
    expectError(await remove(u, id), NOT_FOUND);
    expect(await categoryRows(db, u.memberId)).toEqual(before);
  });
});

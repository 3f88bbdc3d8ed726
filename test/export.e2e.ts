import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { parseCsv } from './support/csv-parse.js';
import { insertInventory, insertPalette } from './support/factories.js';
import { type Client, registerAndLogin } from './support/http.js';
import { type Db, useDb } from './support/db.js';

// GET /timer-api/members/:id/export: a streamed file of everything held about the caller.
const P = '/timer-api';
const TRICKY = '수학, "심화"\n2교시';
const FORMULA = '=HYPERLINK("http://x")';

type Owner = Awaited<ReturnType<typeof registerAndLogin>>;

async function category(api: Client, owner: Owner, subject: string): Promise<string> {
  const r = await api.post(`${P}/members/${owner.memberId}/study-categories`, {
    token: owner.accessToken,
    json: { subject },
  });
  expect(r.status).toBe(200);
  return r.body.data.category.study_category_id as string;
}

async function insertRecord(db: Db, memberId: string, category: string | null, start: string, end: string | null) {
  const r = await db.query(
    `insert into study_record (member_id, study_category_id, start_time, end_time, status)
     values ($1, $2, $3, $4, $5) returning study_record_id::text id`,
    [memberId, category, start, end, end ? 'Completed' : null],
  );
  return r.rows[0].id as string;
}

/** A member with some of everything: categories (one deleted), records (one running), shop history. */
async function richOwner(api: Client, db: Db) {
  const owner = await registerAndLogin(api);
  const tricky = await category(api, owner, TRICKY);
  const formula = await category(api, owner, FORMULA);
  const gone = await category(api, owner, 'old subject');
  await insertRecord(db, owner.memberId, tricky, '2026-03-01T00:30:00.250Z', '2026-03-01T01:30:00.250Z');
  await insertRecord(db, owner.memberId, formula, '2026-03-02T23:00:00Z', '2026-03-03T00:10:00Z');
  await insertRecord(db, owner.memberId, gone, '2026-03-03T10:00:00Z', '2026-03-03T10:45:30Z');
  await insertRecord(db, owner.memberId, null, '2026-03-04T10:00:00Z', '2026-03-04T10:00:59Z');
  await insertRecord(db, owner.memberId, null, '2026-03-05T10:00:00Z', null);
  const del = await api.delete(`${P}/members/${owner.memberId}/study-categories/${gone}`, {
    token: owner.accessToken,
  });
  expect(del.status).toBe(200);
  await db.query(
    `insert into transaction_record (member_id, transaction_type, amount, count, balance_after_transaction, notes)
     values ($1, 'Purchase', 200, 1, 300, '고기 구매'), ($1, 'Reward', 90, 1, 390, 'study')`,
    [owner.memberId],
  );
  await insertInventory(db, owner.memberId, { progress: 1200 });
  await insertInventory(db, owner.memberId, { progress: null, itemType: 'Consumable', quantity: 3 });
  const paletteId = await insertPalette(db);
  await db.query(
    'update study_streak set palette_id = $2, current_streak = 2, longest_streak = 5 where member_id = $1',
    [owner.memberId, paletteId],
  );
  const ch = await db.query(
    `insert into character (name, grade, image_url, sell_price) values ($1, 'C', '/c.svg', 100) returning character_id`,
    [`export chick ${owner.memberId}`],
  );
  await db.query('insert into character_inventory (member_id, character_id, quantity) values ($1, $2, 2)', [
    owner.memberId,
    ch.rows[0].character_id,
  ]);
  return owner;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe('data export', () => {
  const db = useDb();
  const app = useApp({ env: { RATE_LIMIT_EXPORT_PER_ACCOUNT: '1000' } });
  const { api } = app;

  it('JSON: an attachment holding everything the database holds about the owner, row by row', async () => {
    const owner = await richOwner(api, db);
    const r = await api.get(`${P}/members/${owner.memberId}/export?timezone=America/New_York`, {
      token: owner.accessToken,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="monta-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = r.body;
    expect(body.status).toBeUndefined(); // a file, not the success envelope

    const acc = (await db.query('select * from account where account_id = $1', [owner.accountId])).rows[0];
    expect(body.account).toEqual({
      account_id: owner.accountId,
      email: owner.email,
      provider: 'email',
      social_id: null,
      role: { role_id: 2, name: 'User' },
      created_at: iso(acc.created_at),
      updated_at: iso(acc.updated_at),
    });
    const mem = (await db.query('select * from member where member_id = $1', [owner.memberId])).rows[0];
    expect(body.member).toEqual({
      member_id: owner.memberId,
      nickname: mem.nickname,
      image_url: mem.image_url,
      status_message: mem.status_message,
      point: mem.point,
      active_record_id: null,
      ranking_opt_out: false,
      created_at: iso(mem.created_at),
      updated_at: iso(mem.updated_at),
    });
    expect(body.timezone).toBe('America/New_York');

    const cats = (
      await db.query(
        'select study_category_id::text id, subject, color, deleted_at from study_category where member_id = $1 order by 1::bigint',
        [owner.memberId],
      )
    ).rows;
    expect(body.study_categories).toEqual(
      cats.map((c) => ({ study_category_id: c.id, subject: c.subject, color: c.color, deleted_at: iso(c.deleted_at) })),
    );
    expect(body.study_categories.filter((c: { deleted_at: string | null }) => c.deleted_at)).toHaveLength(1);

    const recs = (
      await db.query(
        `select study_record_id::text id, start_time, end_time, status, study_category_id::text category, deleted_at,
                source, client_id
           from study_record where member_id = $1 order by start_time, study_record_id`,
        [owner.memberId],
      )
    ).rows;
    expect(recs).toHaveLength(5);
    expect(body.study_records).toEqual(
      recs.map((x) => ({
        study_record_id: x.id,
        start_time: iso(x.start_time),
        end_time: iso(x.end_time),
        status: x.status,
        study_category_id: x.category,
        seconds: x.end_time ? Math.floor((x.end_time.getTime() - x.start_time.getTime()) / 1000) : null,
        source: x.source,
        client_id: x.client_id,
        deleted_at: null,
      })),
    );
    // The same fields as the study-records route, for a record that route shows.
    const day = await api.get(`${P}/members/${owner.memberId}/study-records?date=2026-03-01&timezone=UTC`, {
      token: owner.accessToken,
    });
    const [shown] = day.body.data.study_records;
    expect(Object.keys(body.study_records[0])).toEqual(expect.arrayContaining(Object.keys(shown)));
    expect(Object.fromEntries(Object.keys(shown).map((k) => [k, body.study_records[0][k]]))).toEqual(shown);

    const txs = (
      await db.query(
        `select transaction_record_id::text id, transaction_type, amount, count, balance_after_transaction, notes, created_at
           from transaction_record where member_id = $1 order by transaction_record_id`,
        [owner.memberId],
      )
    ).rows;
    expect(body.transaction_records).toEqual(
      txs.map((t) => ({
        transaction_record_id: t.id,
        transaction_type: t.transaction_type,
        amount: t.amount,
        count: t.count,
        balance_after_transaction: t.balance_after_transaction,
        notes: t.notes,
        created_at: iso(t.created_at),
      })),
    );

    const inv = (
      await db.query(
        `select item_inventory_id::text id, item_id, item_type, quantity, progress from item_inventory
          where member_id = $1 order by item_inventory_id`,
        [owner.memberId],
      )
    ).rows;
    expect(
      body.item_inventory.map((i: Record<string, unknown>) => ({
        id: i.item_inventory_id,
        item_id: i.item_id,
        item_type: i.item_type,
        quantity: i.quantity,
        progress: i.progress,
      })),
    ).toEqual(inv);
    expect(body.item_inventory[0].item).toMatchObject({ item_id: inv[0].item_id, item_type: 'Food' });

    const chars = (
      await db.query(
        `select ci.character_inventory_id::text id, ci.character_id, ci.quantity, c.name from character_inventory ci
           join character c using (character_id) where ci.member_id = $1`,
        [owner.memberId],
      )
    ).rows;
    expect(body.character_inventory).toHaveLength(1);
    expect(body.character_inventory[0]).toMatchObject({
      character_inventory_id: chars[0].id,
      character_id: chars[0].character_id,
      quantity: 2,
      character: { name: chars[0].name },
    });

    const streak = (await db.query('select * from study_streak where member_id = $1', [owner.memberId])).rows[0];
    expect(body.study_streak).toMatchObject({
      study_streak_id: streak.study_streak_id,
      current_streak: 2,
      longest_streak: 5,
      palette: { palette_id: streak.palette_id, name: 'Test Blue' },
    });
    expect(body.palettes).toEqual([body.study_streak.palette]);
    expect(body.ranking_opt_out).toBe(false);
    await db.query('update member set ranking_opt_out = true where member_id = $1', [owner.memberId]);
    const again = await api.get(`${P}/members/${owner.memberId}/export`, { token: owner.accessToken });
    expect(again.body.ranking_opt_out).toBe(true);
  });

  it('holds no secret: no password hash, token, refresh digest or token generation', async () => {
    const owner = await richOwner(api, db);
    const r = await api.get(`${P}/members/${owner.memberId}/export`, { token: owner.accessToken });
    expect(r.status).toBe(200);
    const hash = (await db.query('select password from account where account_id = $1', [owner.accountId])).rows[0]
      .password as string;
    const digests = (await db.query('select token_hash from refresh_token where account_id = $1', [owner.accountId]))
      .rows;
    expect(hash.startsWith('$argon2')).toBe(true);
    expect(digests.length).toBeGreaterThan(0);
    for (const secret of [hash, owner.accessToken, owner.refreshToken, ...digests.map((d) => d.token_hash as string)]) {
      expect(r.text.includes(secret)).toBe(false);
    }
    expect(r.text).not.toMatch(/"password"|token_generation|"token_hash"|argon2/);
  });

  it('another member (or none) is refused exactly like the other owner routes', async () => {
    const owner = await richOwner(api, db);
    const other = await registerAndLogin(api);
    const refused = await api.get(`${P}/members/${owner.memberId}/export`, { token: other.accessToken });
    const reference = await api.get(`${P}/members/${owner.memberId}/study-categories`, { token: other.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe(reference.text);
    expect(refused.body).toEqual({
      status: 'error',
      error: 'Forbidden',
      message: '이 작업을 수행할 권한이 없습니다.',
      code: 'FORBIDDEN',
    });
    expect(refused.headers.get('content-disposition')).toBeNull();
    const anonymous = await api.get(`${P}/members/${owner.memberId}/export`);
    expect(anonymous.status).toBe(401);
  });

  it('bad query: 400 in the Nest dialect, before any byte of a file', async () => {
    const owner = await registerAndLogin(api);
    const bad = await api.get(`${P}/members/${owner.memberId}/export?format=xml&timezone=Mars/Base&x=1`, {
      token: owner.accessToken,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      status: 'error',
      error: 'Validation Error',
      message: [
        'property x should not exist',
        'format must be one of the following values: json, csv',
        'timezone must be an IANA time zone such as Asia/Seoul',
      ],
      code: 'VALIDATION',
    });
  });

  it('CSV: BOM, header, one row per record, the category name, safe quoting, local times with offset', async () => {
    const owner = await richOwner(api, db);
    const response = await fetch(
      `${app.url}${P}/members/${owner.memberId}/export?format=csv&timezone=America/New_York`,
      {
        headers: { authorization: `Bearer ${owner.accessToken}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="monta-export-[\d-]{10}\.csv"$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual([
      'study_record_id',
      'start_time',
      'end_time',
      'seconds',
      'status',
      'study_category_id',
      'category_name',
      'source',
      'deleted_at',
    ]);
    const data = rows.slice(1);
    expect(data).toHaveLength(5);
    for (const row of data) expect(row).toHaveLength(9);
    // 2026-03-01T00:30:00.250Z in New York (EST, -05:00).
    expect(data[0]!.slice(1, 5)).toEqual([
      '2026-02-28T19:30:00.250-05:00',
      '2026-02-28T20:30:00.250-05:00',
      '3600',
      'Completed',
    ]);
    expect(data[0]![6]).toBe(TRICKY);
    expect(data[1]![6]).toBe(`'${FORMULA}`);
    expect(data[2]![6]).toBe('old subject'); // a deleted category still names its records
    expect(data[3]![5]).toBe('');
    expect(data.map((row) => row[7])).toEqual(['timer', 'timer', 'timer', 'timer', 'timer']);
    expect(data[4]!.slice(2, 5)).toEqual(['', '', '']); // still running
    const ids = (
      await db.query('select study_record_id::text id from study_record where member_id = $1 order by start_time', [
        owner.memberId,
      ])
    ).rows.map((x) => x.id);
    expect(data.map((row) => row[0])).toEqual(ids);

    // Without ?timezone: DEFAULT_TIMEZONE (Asia/Seoul, +09:00).
    const seoul = await api.get(`${P}/members/${owner.memberId}/export?format=csv`, { token: owner.accessToken });
    expect(parseCsv(seoul.text.replace(/^\uFEFF/, ''))[1]!.slice(1, 3)).toEqual([
      '2026-03-01T09:30:00.250+09:00',
      '2026-03-01T10:30:00.250+09:00',
    ]);
  });

  it('CSV of a member with no record: the header alone', async () => {
    const owner = await registerAndLogin(api);
    const r = await api.get(`${P}/members/${owner.memberId}/export?format=csv`, { token: owner.accessToken });
    expect(r.status).toBe(200);
    expect(parseCsv(r.text.replace(/^\uFEFF/, ''))).toHaveLength(1);
  });
});

describe('data export limits', () => {
  const app = useApp({ env: { RATE_LIMIT_EXPORT_PER_ACCOUNT: '2', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  const { api } = app;

  it('per account: the third export in the window is 429 with Retry-After; another account is unaffected', async () => {
    const a = await registerAndLogin(api);
    const b = await registerAndLogin(api);
    for (let i = 0; i < 2; i++) {
      expect((await api.get(`${P}/members/${a.memberId}/export`, { token: a.accessToken })).status).toBe(200);
    }
    const blocked = await api.get(`${P}/members/${a.memberId}/export?format=csv`, { token: a.accessToken });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({
      status: 'error',
      error: 'Too Many Requests',
      message: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.',
      code: 'RATE_LIMITED',
    });
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await api.get(`${P}/members/${b.memberId}/export`, { token: b.accessToken })).status).toBe(200);
  });
});

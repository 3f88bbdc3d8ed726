import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase, type Tx } from '../src/database/client.js';
import { MembersRepository } from '../src/members/members.repository.js';
import { useApp } from './support/app.js';
import { createItem } from './support/factories.js';
import { client, registerAndLogin } from './support/http.js';
import { pointsOf } from './support/shop-kit.js';

// The member row lock of the shop and the timer serialises one member's operations, but must not
// block rows other transactions insert for that member (their foreign-key check takes KEY SHARE on
// the member): with FOR UPDATE, a streak created by a read (N13) while a palette ticket holds the
// lock and creates it too deadlocks (40P01, a 500 on one side). Shown here step by step, not by luck.

let database: Database;
let other: pg.Pool;
const app = useApp({ env: { SHOP_LOCK_TIMEOUT_MS: '300' } });
beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl'), dataDir: '', poolSize: 2 });
  other = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
});
afterAll(async () => {
  await database.close();
  await other.end();
});

// One lock (MembersRepository.lock), taken by account (the shop, the timer, offline uploads) or by
// member id (the categories).
type Member = { accountId: string; memberId: string };
const locks: [string, (u: Member, tx: Tx) => Promise<unknown>][] = [
  ['the shop and the study timer', (u, tx) => new MembersRepository(database).lock({ accountId: u.accountId }, tx)],
  ['the categories', (u, tx) => new MembersRepository(database).lock({ memberId: u.memberId }, tx)],
];

describe.each(locks)('the member lock of %s', (_name, lock) => {
  it('lets another transaction insert a row for the member while it is held', async () => {
    const u = await registerAndLogin(client(app.url));
    await other.query('delete from study_streak where member_id = $1', [u.memberId]);
    await database.db.transaction(async (tx) => {
      await lock(u, tx);
      // Another connection creates the member's streak meanwhile; with a blocking lock this waits for
      // our commit and fails on the lock timeout instead.
      const elsewhere = await other.connect();
      try {
        await elsewhere.query('begin');
        await elsewhere.query(`set local lock_timeout = '2s'`);
        const inserted = await elsewhere.query('insert into study_streak (member_id) values ($1) returning member_id', [
          u.memberId,
        ]);
        expect(inserted.rows).toEqual([{ member_id: u.memberId }]);
        await elsewhere.query('commit');
      } finally {
        await elsewhere.query('rollback'); // after a failure; a no-op after the commit
        elsewhere.release();
      }
    });
  });
});

describe('a member row held elsewhere', () => {
  it('a purchase waits at most SHOP_LOCK_TIMEOUT_MS, answers 503 and changes nothing; then it goes through', async () => {
    const api = client(app.url);
    const u = await registerAndLogin(api);
    const item = await createItem(other, { type: 'Consumable', cost: 10 });
    const buy = () => api.post('/v2/shop/purchase', { token: u.accessToken, json: { item_id: item, count: 1 } });
    const holder = await other.connect();
    try {
      // A transaction stuck while holding the member's row (an instance frozen mid-purchase, say).
      await holder.query('begin');
      await holder.query('select 1 from member where member_id = $1 for update', [u.memberId]);
      const r = await buy();
      expect(r.status).toBe(503);
      expect(r.body).toEqual({
        status: 'error',
        error: 'SERVICE_UNAVAILABLE',
        message: ['요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.'],
        code: 'BUSY',
      });
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(await pointsOf(other, u.memberId)).toBe(500);
    expect((await buy()).status).toBe(201);
    expect(await pointsOf(other, u.memberId)).toBe(490);
  });
});

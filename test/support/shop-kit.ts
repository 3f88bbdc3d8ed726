import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Random } from '../../src/common/random.js';
import { spring } from './bad-input.js';
import { type Client, uniqueEmail } from './http.js';
import type { Db } from './db.js';
import { memberRow, transactions } from './study-db.js';

// Factories for the shop suites: catalogue rows with unique names (suites share one database, and
// the seeded catalogue is there too) and randomness the tests control.

/** The shop's refusals as the server must send them: status, Spring envelope, text and code. */
export const REFUSED = {
  CHARACTER_NOT_FOUND: spring(404, 'NOT_FOUND', ['존재하지 않는 캐릭터 입니다.'], 'CHARACTER_NOT_FOUND'),
  COUNT_TOO_LARGE: spring(400, 'BAD_REQUEST', ['수량은 999개 이하로 선택해주세요.'], 'COUNT_TOO_LARGE'),
  COUNT_TOO_SMALL: spring(400, 'BAD_REQUEST', ['수량을 1개 이상 선택해주세요.'], 'COUNT_TOO_SMALL'),
  FOOD_CAP: spring(400, 'BAD_REQUEST', ['음식은 최대 4개까지 보유할 수 있습니다.'], 'FOOD_CAP'),
  ITEM_NOT_FOUND: spring(404, 'NOT_FOUND', ['존재하지 않는 Item 입니다.'], 'ITEM_NOT_FOUND'),
  ITEM_NOT_OWNED: spring(404, 'NOT_FOUND', ['소유하지 않은 item 입니다.'], 'ITEM_NOT_OWNED'),
  NOTHING_TO_USE: spring(400, 'BAD_REQUEST', ['사용할 수 있는 수량이 없습니다.'], 'NOTHING_TO_USE'),
  NOT_ENOUGH_POINTS: spring(400, 'BAD_REQUEST', ['point가 부족합니다.'], 'NOT_ENOUGH_POINTS'),
  SELL_NOT_OWNED: spring(404, 'NOT_FOUND', ['보유하고 있는 캐릭터로 판매 요청해주세요.'], 'SELL_NOT_OWNED'),
  SELL_TOO_MANY: spring(400, 'BAD_REQUEST', ['Inventory에 소유한 수량을 초과하였습니다.'], 'SELL_TOO_MANY'),
  STILL_GROWING: spring(400, 'BAD_REQUEST', ['잔여 시간만큼 공부해야 사용할 수 있습니다.'], 'STILL_GROWING'),
  USER_NOT_FOUND: spring(404, 'NOT_FOUND', ['존재하지 않는 유저 입니다.'], 'USER_NOT_FOUND'),
};

/** A response object's keys in order, comma-joined (the originals' serialisers fixed the order). */
export const keysOf = (o: object) => Object.keys(o).join();
/** A transaction record's keys, in the order the originals' serialisers wrote them. */
export const RECORD_KEYS = 'transaction_record_id,transaction_type,amount,count,balance_after_transaction,notes';

export interface ExpectedRecord {
  transaction_type: 'Purchase' | 'Sell';
  amount: number;
  count: number;
  balance_after_transaction: number;
  notes: string;
}

/** A purchase's or a sale's body: exactly this transaction record (whatever its id), keys in order. */
export function expectRecordBody(body: any, record: ExpectedRecord): void {
  expect(body).toEqual({
    status: 'success',
    data: { transaction_record: { transaction_record_id: expect.any(Number), ...record } },
  });
  expect(keysOf(body.data.transaction_record)).toBe(RECORD_KEYS);
}
/** A row's columns as a response object, in the given key order. */
export const pick = (row: Record<string, unknown>, keys: string) =>
  Object.fromEntries(keys.split(',').map((k) => [k, row[k]]));

/** A catalogue row as the database holds it. */
export async function catalogueRow(db: Db, table: 'item' | 'character' | 'palette', id: number) {
  return (await db.query(`select * from ${table} where ${table}_id = $1`, [id])).rows[0] as Record<string, unknown>;
}

/** An account that never called /members/me, so it has no member row yet; its access token. */
export async function accountOnly(api: Client): Promise<string> {
  const r = await api.post('/timer-api/auth/email/register', { json: { email: uniqueEmail(), password: 'qwer1234' } });
  return r.body.data.access_token as string;
}

export async function setPoints(db: Db, memberId: string, point: number): Promise<void> {
  await db.query('update member set point = $2 where member_id = $1', [memberId, point]);
}

export async function pointsOf(db: Db, memberId: string): Promise<number> {
  const r = await db.query('select point from member where member_id = $1', [memberId]);
  return r.rows[0].point as number;
}

/** A deterministic generator (mulberry32) behind the service's Random: fixed seed, same draws. */
export class SeededRandom extends Random {
  private state: number;
  constructor(seed: number) {
    super();
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uuid(): string {
    return randomUUID();
  }
  hex(length: number): string {
    return Array.from({ length }, () => Math.floor(this.next() * 16).toString(16)).join('');
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
}

/**
 * Randomness a test scripts: `int(max)` answers the queued values in order (modulo max), then 0.
 * Only `int` draws are scripted; ids stay random.
 */
export class ScriptedRandom extends Random {
  private readonly queue: number[] = [];
  push(...values: number[]): this {
    this.queue.push(...values);
    return this;
  }
  uuid(): string {
    return randomUUID();
  }
  hex(length: number): string {
    return randomUUID().replace(/-/g, '').repeat(4).slice(0, length);
  }
  int(max: number): number {
    return (this.queue.shift() ?? 0) % max;
  }
}

/**
 * Everything a shop request could touch for one member, every column (updated_at included): equal
 * before and after, nothing changed. `streak` adds the member's streak row (what a purchase may touch).
 */
export async function shopState(db: Db, memberId: string, { streak = false } = {}) {
  const rows = async (sql: string) => (await db.query(sql, [memberId])).rows;
  return {
    member: await memberRow(db, memberId),
    items: await rows('select * from item_inventory where member_id = $1 order by item_inventory_id'),
    characters: await rows('select * from character_inventory where member_id = $1 order by character_inventory_id'),
    ...(streak ? { streak: await rows('select * from study_streak where member_id = $1') } : {}),
    transactions: await transactions(db, memberId),
  };
}

import type { Db } from './db.js';

// Direct database access for the study suites: rows the API has no route for yet (items, palettes,
// inventories) and the state a response does not show (records, transactions, soft deletes).

export interface RecordRow {
  id: string;
  category: string | null;
  start: Date;
  end: Date | null;
  status: string | null;
  deleted: Date | null;
}

/** Every study record of the member, soft-deleted ones included, oldest first. */
export async function records(db: Db, memberId: string): Promise<RecordRow[]> {
  const r = await db.query(
    `select study_record_id::text id, study_category_id::text category, start_time start, end_time "end",
            status, deleted_at deleted
       from study_record where member_id = $1 order by study_record_id`,
    [memberId],
  );
  return r.rows as RecordRow[];
}

/** The member's records that are still running (not ended, not discarded). */
export const running = async (db: Db, memberId: string) =>
  (await records(db, memberId)).filter((r) => r.end === null && r.deleted === null);

export async function memberRow(db: Db, memberId: string): Promise<{ point: number; active: string | null }> {
  const r = await db.query('select point, active_record_id::text active from member where member_id = $1', [memberId]);
  return r.rows[0] as { point: number; active: string | null };
}

export async function transactions(db: Db, memberId: string) {
  const r = await db.query(
    `select transaction_type, amount, count, balance_after_transaction, notes
       from transaction_record where member_id = $1 order by transaction_record_id`,
    [memberId],
  );
  return r.rows as {
    transaction_type: string;
    amount: number;
    count: number;
    balance_after_transaction: number;
    notes: string;
  }[];
}

export interface InventoryOptions {
  progress: number | null;
  quantity?: number;
  itemType?: 'Food' | 'Consumable';
  deleted?: boolean;
}

/**
 * One item of the catalogue (hidden, so no listing elsewhere sees it) and one inventory row of the
 * member holding it; the inventory id, as text.
 */
export async function insertInventory(db: Db, memberId: string, o: InventoryOptions): Promise<string> {
  const type = o.itemType ?? 'Food';
  const item = await db.query(
    `insert into item (name, item_type, description, required_study_time, cost, image_url, effect_code, is_hidden)
     values ($1, $2, 'test item', $3, 200, '/images/test.svg', $4, true) returning item_id`,
    [`test ${type}`, type, type === 'Food' ? 3600 : null, type === 'Food' ? 10000 : 20000],
  );
  const row = await db.query(
    `insert into item_inventory (member_id, item_id, item_type, quantity, progress, deleted_at)
     values ($1, $2, $3, $4, $5, ${o.deleted ? "'2024-01-01T00:00:00Z'" : 'null'})
     returning item_inventory_id::text id`,
    [memberId, item.rows[0].item_id, type, o.quantity ?? 1, o.progress],
  );
  return row.rows[0].id as string;
}

export async function progressOf(db: Db, inventoryId: string): Promise<number | null> {
  const r = await db.query('select progress from item_inventory where item_inventory_id = $1', [inventoryId]);
  return r.rows[0].progress as number | null;
}

export const PALETTE = {
  name: 'Test Blue',
  grade: 'Rare',
  light_color: '#aaaaff',
  normal_color: '#5555ff',
  dark_color: '#2222aa',
  darker_color: '#111155',
};

/** A palette row; its id. */
export async function insertPalette(db: Db): Promise<number> {
  const p = PALETTE;
  const r = await db.query(
    `insert into palette (name, grade, light_color, normal_color, dark_color, darker_color)
     values ($1, $2, $3, $4, $5, $6) returning palette_id`,
    [p.name, p.grade, p.light_color, p.normal_color, p.dark_color, p.darker_color],
  );
  return r.rows[0].palette_id as number;
}

/** The member's categories, soft-deleted ones included, as the database holds them. */
export async function categoryRows(db: Db, memberId: string) {
  const r = await db.query(
    `select study_category_id::text id, subject, color, deleted_at deleted
       from study_category where member_id = $1 order by study_category_id`,
    [memberId],
  );
  return r.rows as { id: string; subject: string; color: string; deleted: Date | null }[];
}

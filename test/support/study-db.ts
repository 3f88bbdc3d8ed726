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

export async function progressOf(db: Db, inventoryId: string): Promise<number | null> {
  const r = await db.query('select progress from item_inventory where item_inventory_id = $1', [inventoryId]);
  return r.rows[0].progress as number | null;
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

import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { ItemRow, ItemType } from '../catalogue/catalogue.repository.js';
import { DATABASE, type Database, type Tx } from '../database/client.js';
import { character, characterInventory, item, itemInventory } from '../database/schema.js';

export type ItemInventoryRow = typeof itemInventory.$inferSelect;

const liveItem = and(eq(item.itemId, itemInventory.itemId), isNull(item.deletedAt));
const liveCharacter = and(eq(character.characterId, characterInventory.characterId), isNull(character.deletedAt));

/**
 * All SQL on the item and character inventories: what the shop shows, buys, sells and uses, and the
 * food progress a study session advances. The catalogue's own rows are CatalogueRepository's.
 */
@Injectable()
export class InventoryRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  /** N14: live rows with something left; a row whose item was deleted comes without it. */
  async itemInventory(memberId: string, type: ItemType) {
    return this.db
      .select({ row: itemInventory, item })
      .from(itemInventory)
      .leftJoin(item, liveItem)
      .where(
        and(
          eq(itemInventory.memberId, memberId),
          eq(itemInventory.itemType, type),
          isNull(itemInventory.deletedAt),
          gt(itemInventory.quantity, 0),
        ),
      )
      .orderBy(asc(itemInventory.itemInventoryId));
  }

  /** N15: rows with something left; a row whose character was deleted comes without it. */
  async characterInventory(memberId: string) {
    return this.db
      .select({ row: characterInventory, character })
      .from(characterInventory)
      .leftJoin(character, liveCharacter)
      .where(and(eq(characterInventory.memberId, memberId), gt(characterInventory.quantity, 0)))
      .orderBy(asc(characterInventory.characterInventoryId));
  }

  /** Food units held: live food rows count by quantity, so a used food frees its place. */
  async foodUnits(memberId: string, tx: Tx): Promise<number> {
    const [row] = await tx
      .select({ units: sql<number>`coalesce(sum(${itemInventory.quantity}), 0)::int` })
      .from(itemInventory)
      .where(
        and(eq(itemInventory.memberId, memberId), eq(itemInventory.itemType, 'Food'), isNull(itemInventory.deletedAt)),
      );
    return row!.units;
  }

  /** Each food unit is its own row, growing on its own. */
  async addFoods(memberId: string, food: ItemRow, count: number, tx: Tx): Promise<void> {
    const row = {
      memberId,
      itemId: food.itemId,
      itemType: food.itemType,
      quantity: 1,
      progress: food.requiredStudyTime,
    };
    await tx.insert(itemInventory).values(Array.from({ length: count }, () => row));
  }

  /** The member's live stack of this consumable, if any. */
  async consumableStack(memberId: string, itemId: number, tx: Tx): Promise<number | undefined> {
    const rows = await tx
      .select({ quantity: itemInventory.quantity })
      .from(itemInventory)
      .where(
        and(
          eq(itemInventory.memberId, memberId),
          eq(itemInventory.itemId, itemId),
          eq(itemInventory.itemType, 'Consumable'),
          isNull(itemInventory.deletedAt),
        ),
      );
    return rows[0]?.quantity;
  }

  /** Consumables stack in one live row per item; the partial unique index keeps it one. */
  async addConsumables(memberId: string, consumable: ItemRow, count: number, tx: Tx): Promise<void> {
    await tx
      .insert(itemInventory)
      .values({
        memberId,
        itemId: consumable.itemId,
        itemType: 'Consumable',
        quantity: count,
        progress: consumable.requiredStudyTime,
      })
      .onConflictDoUpdate({
        target: [itemInventory.memberId, itemInventory.itemId],
        targetWhere: sql`${itemInventory.itemType} = 'Consumable' and ${itemInventory.deletedAt} is null`,
        set: { quantity: sql`${itemInventory.quantity} + ${count}`, updatedAt: sql`now()` },
      });
  }

  /** A character inventory row with its character, locked for the sale. */
  async lockCharacterInventory(id: number, tx: Tx) {
    const rows = await tx
      .select()
      .from(characterInventory)
      .where(eq(characterInventory.characterInventoryId, id))
      .for('update');
    return rows[0];
  }

  async removeCharacters(id: number, count: number, tx: Tx): Promise<void> {
    await tx
      .update(characterInventory)
      .set({ quantity: sql`${characterInventory.quantity} - ${count}`, updatedAt: sql`now()` })
      .where(eq(characterInventory.characterInventoryId, id));
  }

  /** One more of this character: the member's row (even one at 0) or a new one. Returns the row id. */
  async addCharacter(memberId: string, characterId: number, tx: Tx): Promise<number> {
    const [row] = await tx
      .insert(characterInventory)
      .values({ memberId, characterId, quantity: 1 })
      .onConflictDoUpdate({
        target: [characterInventory.memberId, characterInventory.characterId],
        set: { quantity: sql`${characterInventory.quantity} + 1`, updatedAt: sql`now()` },
      })
      .returning({ id: characterInventory.characterInventoryId });
    return row!.id;
  }

  /** The caller's live item inventory row with its item (even a deleted one), locked for use. */
  async lockOwnedItem(
    id: number,
    memberId: string,
    tx: Tx,
  ): Promise<{ row: ItemInventoryRow; item: ItemRow } | undefined> {
    const rows = await tx
      .select({ row: itemInventory, item })
      .from(itemInventory)
      .innerJoin(item, eq(item.itemId, itemInventory.itemId))
      .where(
        and(
          eq(itemInventory.itemInventoryId, id),
          eq(itemInventory.memberId, memberId),
          isNull(itemInventory.deletedAt),
        ),
      )
      .for('update', { of: itemInventory });
    return rows[0];
  }

  /**
   * One unit of a food is used: a food row (quantity 1) is gone, quantity 0 and soft-deleted as the
   * original left it. A stack (a consumable an admin gave a food code) only loses that unit.
   */
  async consumeFood(row: ItemInventoryRow, tx: Tx): Promise<void> {
    const last = row.quantity <= 1;
    await tx
      .update(itemInventory)
      .set({
        quantity: sql`${itemInventory.quantity} - 1`,
        ...(last ? { deletedAt: sql`now()` } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(itemInventory.itemInventoryId, row.itemInventoryId));
  }

  /** A used consumable leaves its row in place, even at 0, so the stack keeps its id. */
  async consumeOne(id: number, tx: Tx): Promise<void> {
    await tx
      .update(itemInventory)
      .set({ quantity: sql`${itemInventory.quantity} - 1`, updatedAt: sql`now()` })
      .where(eq(itemInventory.itemInventoryId, id));
  }

  /** Every live food still growing gets the whole session's seconds off its progress. */
  async advanceFoodProgress(memberId: string, seconds: number, tx: Tx): Promise<number> {
    const rows = await tx
      .update(itemInventory)
      .set({ progress: sql`greatest(0, ${itemInventory.progress} - ${seconds})`, updatedAt: sql`now()` })
      .where(
        and(
          eq(itemInventory.memberId, memberId),
          eq(itemInventory.itemType, 'Food'),
          isNull(itemInventory.deletedAt),
          gt(itemInventory.quantity, 0),
          gt(itemInventory.progress, 0),
        ),
      )
      .returning({ id: itemInventory.itemInventoryId });
    return rows.length;
  }
}

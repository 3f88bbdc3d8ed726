import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { itemInventory } from '../database/schema.js';

/** Item inventory writes that other features trigger (the shop issue adds its own). */
@Injectable()
export class InventoryRepository {
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

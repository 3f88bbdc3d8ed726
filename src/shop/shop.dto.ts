import type { Check, Field } from '../common/wire/validation.js';
import { springInt, springLong, springObject } from '../common/wire/spring.js';
import type { TransactionRecordRow } from '../points/points.repository.js';
import { toItemResponse, toSpringPaletteResponse } from '../catalogue/catalogue.dto.js';
import { type CharacterRow, ITEM_TYPES, type ItemRow, type ItemType } from '../catalogue/catalogue.repository.js';
import type { ItemInventoryRow } from '../inventory/inventory.repository.js';
import type { UseResult } from './shop.service.js';

// N14/N25's query as the original DTO declared it: a missing type gives both messages, in this order.
const itemTypeChecks: Check[] = [
  {
    test: (v) => typeof v === 'string' && (ITEM_TYPES as readonly string[]).includes(v),
    message: (f) => `${f} must be either Food or Consumable`,
    schema: { type: 'string', enum: [...ITEM_TYPES] },
  },
  { test: (v) => v !== undefined && v !== null && v !== '', message: (f) => `${f} is required`, schema: { minLength: 1 } },
];
export const ItemTypeQuery = { item_type: { checks: itemTypeChecks } as Field<ItemType> };

/** S1's body, read with Spring's leniency: numeric strings count, a missing number is 0. */
export function readPurchase(body: unknown): { itemId: number; count: number } {
  const b = springObject(body);
  return { itemId: springInt(b.item_id), count: springInt(b.count) };
}

/** S2's body: the PWA sends `character_inventory_id` as the Nest string. */
export function readSale(body: unknown): { characterInventoryId: number; count: number } {
  const b = springObject(body);
  return { characterInventoryId: springLong(b.character_inventory_id), count: springInt(b.count) };
}

/** N14: bigint ids are strings in the Nest dialect; a deleted item leaves the key out. */
export function toItemInventoryResponse({ row, item }: { row: ItemInventoryRow; item: ItemRow | null }) {
  return {
    item_inventory_id: String(row.itemInventoryId),
    progress: row.progress,
    quantity: row.quantity,
    item_type: row.itemType,
    ...(item ? { item: toItemResponse(item) } : {}),
  };
}

/** N15. */
export function toCharacterInventoryResponse({
  row,
  character,
}: {
  row: { characterInventoryId: number; quantity: number };
  character: CharacterRow | null;
}) {
  return {
    character_inventory_id: String(row.characterInventoryId),
    quantity: row.quantity,
    ...(character
      ? {
          character: {
            character_id: character.characterId,
            name: character.name,
            description: character.description,
            sell_price: character.sellPrice,
            image_url: character.imageUrl,
            grade: character.grade,
          },
        }
      : {}),
  };
}

/** S1/S2: ids are numbers in the Spring dialect. */
export function toTransactionResponse(r: TransactionRecordRow) {
  return {
    transaction_record: {
      transaction_record_id: r.transactionRecordId,
      transaction_type: r.transactionType,
      amount: r.amount,
      count: r.count,
      balance_after_transaction: r.balanceAfterTransaction,
      notes: r.notes,
    },
  };
}

/** S3: the hatched character or the new palette. */
export function toUseResponse(result: UseResult) {
  if (result.kind === 'palette') return { palette: toSpringPaletteResponse(result.palette) };
  const c = result.character;
  return {
    character_inventory_id: result.characterInventoryId,
    character: {
      character_id: c.characterId,
      name: c.name,
      description: c.description,
      grade: c.grade,
      image_url: c.imageUrl,
      sell_price: c.sellPrice,
    },
  };
}

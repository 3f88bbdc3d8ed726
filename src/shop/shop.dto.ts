import type { Check, Field } from '../common/wire/validation.js';
import { readSpring, spring, springBodySchema } from '../common/wire/spring.js';
import { DecimalId, Int, Nullable, Obj, type Static, Type } from '../common/wire/response-schema.js';
import type { TransactionRecordRow } from '../points/points.repository.js';
import {
  CharacterResponse,
  ItemResponse,
  PaletteResponse,
  toItemResponse,
  toSpringPaletteResponse,
} from '../catalogue/catalogue.dto.js';
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
  {
    test: (v) => v !== undefined && v !== null && v !== '',
    message: (f) => `${f} is required`,
    schema: { minLength: 1 },
  },
];
export const ItemTypeQuery = { item_type: { checks: itemTypeChecks } as Field<ItemType> };

const Purchase = { item_id: spring.int, count: spring.int };
/** S2's body: the PWA sends `character_inventory_id` as the Nest string. */
const Sale = { character_inventory_id: spring.long, count: spring.int };
export const PurchaseBody = springBodySchema(Purchase);
export const SaleBody = springBodySchema(Sale);

/** S1's body, read with Spring's leniency: numeric strings count, a missing number is 0. */
export function readPurchase(body: unknown): { itemId: number; count: number } {
  const b = readSpring(Purchase, body);
  return { itemId: b.item_id, count: b.count };
}

export function readSale(body: unknown): { characterInventoryId: number; count: number } {
  const b = readSpring(Sale, body);
  return { characterInventoryId: b.character_inventory_id, count: b.count };
}

const Text = Type.String();
export const ItemInventoryResponse = Obj({
  item_inventory_id: DecimalId,
  progress: Nullable(Int),
  quantity: Int,
  item_type: Text,
  item: Type.Optional(ItemResponse),
});
export const CharacterInventoryResponse = Obj({
  character_inventory_id: DecimalId,
  quantity: Int,
  character: Type.Optional(CharacterResponse),
});
export const TransactionResponse = Obj({
  transaction_record: Obj({
    transaction_record_id: Int,
    transaction_type: Text,
    amount: Int,
    count: Int,
    balance_after_transaction: Int,
    notes: Text,
  }),
});
export const UseResponse = Type.Union([
  Obj({ palette: PaletteResponse }),
  Obj({ character_inventory_id: Int, character: CharacterResponse }),
]);

/** N14: bigint ids are strings in the Nest dialect; a deleted item leaves the key out. */
export function toItemInventoryResponse({
  row,
  item,
}: {
  row: ItemInventoryRow;
  item: ItemRow | null;
}): Static<typeof ItemInventoryResponse> {
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
}): Static<typeof CharacterInventoryResponse> {
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
export function toTransactionResponse(r: TransactionRecordRow): Static<typeof TransactionResponse> {
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
export function toUseResponse(result: UseResult): Static<typeof UseResponse> {
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

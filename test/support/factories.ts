import { randomUUID } from 'node:crypto';
import { character, item, itemInventory, palette } from '../../src/database/schema.js';
import { type Db, orm } from './db.js';

// Catalogue and inventory rows the API has no route for in the member's dialect, inserted through the
// schema so a renamed or retyped column fails the type check here. Names are unique: suites share one
// database, and the seeded catalogue is there too.

const tag = () => randomUUID().slice(0, 8);

export interface ItemOptions {
  type?: 'Food' | 'Consumable';
  cost?: number;
  effectCode?: number;
  requiredStudyTime?: number | null;
  hidden?: boolean;
  deleted?: boolean;
  name?: string;
  description?: string;
  grade?: string | null;
  imageUrl?: string;
}

/** A catalogue item; its id. Foods default to effect 10000 and one hour, consumables to the palette ticket. */
export async function createItem(db: Db, o: ItemOptions = {}): Promise<number> {
  const type = o.type ?? 'Food';
  const [row] = await orm(db)
    .insert(item)
    .values({
      name: o.name ?? `test ${type} ${tag()}`,
      itemType: type,
      description: o.description ?? 'test item',
      requiredStudyTime: o.requiredStudyTime !== undefined ? o.requiredStudyTime : type === 'Food' ? 3600 : null,
      cost: o.cost ?? 100,
      grade: o.grade !== undefined ? o.grade : type === 'Food' ? 'C~A' : null,
      imageUrl: o.imageUrl ?? 'http://localhost/static/test.svg',
      effectCode: o.effectCode ?? (type === 'Food' ? 10000 : 20000),
      isHidden: o.hidden ?? false,
      deletedAt: o.deleted ? new Date('2024-01-01T00:00:00Z') : null,
    })
    .returning({ id: item.itemId });
  return row!.id;
}

/** A live character of that grade; its id. */
export async function createCharacter(db: Db, grade: string, sellPrice = 100): Promise<number> {
  const [row] = await orm(db)
    .insert(character)
    .values({
      name: `test ${grade} ${tag()}`,
      description: 'test character',
      grade,
      imageUrl: 'http://localhost/static/test.svg',
      sellPrice,
    })
    .returning({ id: character.characterId });
  return row!.id;
}

export const PALETTE = {
  name: 'Test Blue',
  grade: 'Rare',
  light_color: '#aaaaff',
  normal_color: '#5555ff',
  dark_color: '#2222aa',
  darker_color: '#111155',
};

/** A palette row (PALETTE's colours, under `name` when given); its id. */
export async function insertPalette(db: Db, name = PALETTE.name): Promise<number> {
  const p = PALETTE;
  const [row] = await orm(db)
    .insert(palette)
    .values({
      name,
      grade: p.grade,
      lightColor: p.light_color,
      normalColor: p.normal_color,
      darkColor: p.dark_color,
      darkerColor: p.darker_color,
    })
    .returning({ id: palette.paletteId });
  return row!.id;
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
  const itemId = await createItem(db, {
    type,
    name: `test ${type}`,
    cost: 200,
    grade: null,
    imageUrl: '/images/test.svg',
    hidden: true,
  });
  const [row] = await orm(db)
    .insert(itemInventory)
    .values({
      memberId,
      itemId,
      itemType: type,
      quantity: o.quantity ?? 1,
      progress: o.progress,
      deletedAt: o.deleted ? new Date('2024-01-01T00:00:00Z') : null,
    })
    .returning({ id: itemInventory.itemInventoryId });
  return String(row!.id);
}

import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { character, item, palette } from '../database/schema.js';

export const ITEM_TYPES = ['Food', 'Consumable'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export type ItemRow = typeof item.$inferSelect;
export type PaletteRow = typeof palette.$inferSelect;
export type CharacterRow = typeof character.$inferSelect;

type Editable<T> = Omit<T, 'createdAt' | 'updatedAt' | 'deletedAt'>;
export type ItemFields = Editable<Omit<ItemRow, 'itemId'>>;
export type PaletteFields = Editable<Omit<PaletteRow, 'paletteId'>>;
export type CharacterFields = Editable<Omit<CharacterRow, 'characterId' | 'description'>> & { description: string };

/**
 * All SQL on the catalogue (items, palettes, characters): the admin writes it, the shop reads it.
 * Only live rows (deleted_at is null) are found, changed or deleted.
 */
@Injectable()
export class CatalogueRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insertItem(fields: ItemFields, tx: DbOrTx = this.db): Promise<number> {
    const rows = await tx.insert(item).values(fields).returning({ id: item.itemId });
    return rows[0]!.id;
  }

  listItems(tx: DbOrTx = this.db): Promise<ItemRow[]> {
    return tx.select().from(item).where(isNull(item.deletedAt)).orderBy(asc(item.itemId));
  }

  /** N25: what the shop offers, hidden items left out. */
  listListedItems(type: ItemType, tx: DbOrTx = this.db): Promise<ItemRow[]> {
    return tx
      .select()
      .from(item)
      .where(and(eq(item.itemType, type), eq(item.isHidden, false), isNull(item.deletedAt)))
      .orderBy(asc(item.itemId));
  }

  async findItem(id: number, tx: DbOrTx = this.db): Promise<ItemRow | undefined> {
    const rows = await tx
      .select()
      .from(item)
      .where(and(eq(item.itemId, id), isNull(item.deletedAt)))
      .limit(1);
    return rows[0];
  }

  /** Writes the given fields and a new `updated_at`; undefined when there is no live row. */
  async updateItem(id: number, patch: Partial<ItemFields>, tx: DbOrTx = this.db): Promise<ItemRow | undefined> {
    const rows = await tx
      .update(item)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(and(eq(item.itemId, id), isNull(item.deletedAt)))
      .returning();
    return rows[0];
  }

  async softDeleteItem(id: number, at: Date, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .update(item)
      .set({ deletedAt: at })
      .where(and(eq(item.itemId, id), isNull(item.deletedAt)))
      .returning({ id: item.itemId });
    return rows.length > 0;
  }

  async insertPalette(fields: PaletteFields, tx: DbOrTx = this.db): Promise<number> {
    const rows = await tx.insert(palette).values(fields).returning({ id: palette.paletteId });
    return rows[0]!.id;
  }

  listPalettes(tx: DbOrTx = this.db): Promise<PaletteRow[]> {
    return tx.select().from(palette).where(isNull(palette.deletedAt)).orderBy(asc(palette.paletteId));
  }

  async updatePalette(
    id: number,
    patch: Partial<PaletteFields>,
    tx: DbOrTx = this.db,
  ): Promise<PaletteRow | undefined> {
    const rows = await tx
      .update(palette)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(and(eq(palette.paletteId, id), isNull(palette.deletedAt)))
      .returning();
    return rows[0];
  }

  async softDeletePalette(id: number, at: Date, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .update(palette)
      .set({ deletedAt: at })
      .where(and(eq(palette.paletteId, id), isNull(palette.deletedAt)))
      .returning({ id: palette.paletteId });
    return rows.length > 0;
  }

  async insertCharacter(fields: CharacterFields, tx: DbOrTx = this.db): Promise<number> {
    const rows = await tx.insert(character).values(fields).returning({ id: character.characterId });
    return rows[0]!.id;
  }

  listCharacters(tx: DbOrTx = this.db): Promise<CharacterRow[]> {
    return tx.select().from(character).where(isNull(character.deletedAt)).orderBy(asc(character.characterId));
  }

  /** S4, and the pool a hatching food draws from. */
  listCharactersOfGrade(grade: string, tx: DbOrTx = this.db): Promise<CharacterRow[]> {
    return tx
      .select()
      .from(character)
      .where(and(eq(character.grade, grade), isNull(character.deletedAt)))
      .orderBy(asc(character.characterId));
  }

  async findCharacter(id: number, tx: DbOrTx = this.db): Promise<CharacterRow | undefined> {
    const rows = await tx
      .select()
      .from(character)
      .where(and(eq(character.characterId, id), isNull(character.deletedAt)))
      .limit(1);
    return rows[0];
  }

  /** Whether another live character (not `exceptId`) already has the name. */
  async characterNameTaken(name: string, exceptId: number | null, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .select({ id: character.characterId })
      .from(character)
      .where(
        and(
          eq(character.name, name),
          isNull(character.deletedAt),
          exceptId === null ? undefined : ne(character.characterId, exceptId),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  async updateCharacter(
    id: number,
    patch: Partial<CharacterFields>,
    tx: DbOrTx = this.db,
  ): Promise<CharacterRow | undefined> {
    const rows = await tx
      .update(character)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(and(eq(character.characterId, id), isNull(character.deletedAt)))
      .returning();
    return rows[0];
  }

  async softDeleteCharacter(id: number, at: Date, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .update(character)
      .set({ deletedAt: at })
      .where(and(eq(character.characterId, id), isNull(character.deletedAt)))
      .returning({ id: character.characterId });
    return rows.length > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { apiError } from '../common/wire/api-error.js';
import { isUniqueViolation } from '../database/errors.js';
import { INT4_MAX } from '../common/limits.js';
import { type MemberRow, MembersRepository } from '../members/members.repository.js';
import {
  type CharacterFields,
  type CharacterRow,
  CatalogueRepository,
  type ItemFields,
  type ItemRow,
  type PaletteFields,
  type PaletteRow,
} from '../catalogue/catalogue.repository.js';

/** Ids are `integer` columns: a larger path id can name no row (and must not reach SQL as an int4). */
const isRowId = (id: number) => id >= 1 && id <= INT4_MAX;

/**
 * The admin catalogue S5–S19. PATCH writes only the fields it was given (the original threw on
 * a missing one) and every change of a row that is gone, or never was, is its not-found.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly members: MembersRepository,
    private readonly clock: Clock,
  ) {}

  createItem(fields: ItemFields): Promise<number> {
    return this.catalogue.insertItem(fields);
  }

  listItems(): Promise<ItemRow[]> {
    return this.catalogue.listItems();
  }

  async getItem(id: number): Promise<ItemRow> {
    const found = isRowId(id) ? await this.catalogue.findItem(id) : undefined;
    if (!found) throw apiError('ADMIN_ITEM_NOT_FOUND');
    return found;
  }

  async updateItem(id: number, patch: Partial<ItemFields>): Promise<ItemRow> {
    const updated = isRowId(id) ? await this.catalogue.updateItem(id, patch) : undefined;
    if (!updated) throw apiError('ADMIN_ITEM_NOT_FOUND');
    return updated;
  }

  async deleteItem(id: number): Promise<void> {
    if (!isRowId(id) || !(await this.catalogue.softDeleteItem(id, this.clock.now())))
      throw apiError('ADMIN_ITEM_NOT_FOUND');
  }

  createPalette(fields: PaletteFields): Promise<number> {
    return this.catalogue.insertPalette(fields);
  }

  listPalettes(): Promise<PaletteRow[]> {
    return this.catalogue.listPalettes();
  }

  async updatePalette(id: number, patch: Partial<PaletteFields>): Promise<PaletteRow> {
    const updated = isRowId(id) ? await this.catalogue.updatePalette(id, patch) : undefined;
    if (!updated) throw apiError('PALETTE_NOT_FOUND');
    return updated;
  }

  async deletePalette(id: number): Promise<void> {
    if (!isRowId(id) || !(await this.catalogue.softDeletePalette(id, this.clock.now())))
      throw apiError('PALETTE_NOT_FOUND');
  }

  /** A live name is unique: checked first, and the partial unique index settles parallel creates. */
  async createCharacter(fields: CharacterFields): Promise<number> {
    if (await this.catalogue.characterNameTaken(fields.name, null)) throw apiError('CHARACTER_NAME_TAKEN');
    return this.catalogue.insertCharacter(fields).catch(rethrowNameTaken);
  }

  listCharacters(): Promise<CharacterRow[]> {
    return this.catalogue.listCharacters();
  }

  async getCharacter(id: number): Promise<CharacterRow> {
    const found = isRowId(id) ? await this.catalogue.findCharacter(id) : undefined;
    if (!found) throw apiError('ADMIN_CHARACTER_NOT_FOUND');
    return found;
  }

  /** Not found comes before a taken name, so an unknown id never reports a name clash. */
  async updateCharacter(id: number, patch: Partial<CharacterFields>): Promise<CharacterRow> {
    await this.getCharacter(id);
    if (patch.name !== undefined && (await this.catalogue.characterNameTaken(patch.name, id)))
      throw apiError('CHARACTER_NAME_TAKEN');
    // The row may have been deleted since it was read: then the update finds nothing.
    const updated = await this.catalogue.updateCharacter(id, patch).catch(rethrowNameTaken);
    if (!updated) throw apiError('ADMIN_CHARACTER_NOT_FOUND');
    return updated;
  }

  async deleteCharacter(id: number): Promise<void> {
    if (!isRowId(id) || !(await this.catalogue.softDeleteCharacter(id, this.clock.now())))
      throw apiError('ADMIN_CHARACTER_NOT_FOUND');
  }

  /** Every member: ours have no soft delete (an erased account takes its member with it). */
  listMembers(): Promise<MemberRow[]> {
    return this.members.listAll();
  }
}

/** A parallel create or rename took the name between the check and the write. */
function rethrowNameTaken(error: unknown): never {
  if (isUniqueViolation(error)) throw apiError('CHARACTER_NAME_TAKEN');
  throw error;
}

import { Inject, Injectable } from '@nestjs/common';
import { MemberQueue } from '../common/keyed-queue.js';
import { Random } from '../common/random.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import {
  CatalogueRepository,
  type CharacterRow,
  type ItemType,
  type PaletteRow,
} from '../catalogue/catalogue.repository.js';
import { INT4_MAX } from '../common/limits.js';
import type { Tx } from '../database/client.js';
import { Transactions } from '../database/transactions.js';
import { type ItemInventoryRow, InventoryRepository } from '../inventory/inventory.repository.js';
import { MembersRepository } from '../members/members.repository.js';
import { PointsRepository, type TransactionRecordRow } from '../points/points.repository.js';
import { StreaksRepository } from '../streaks/streaks.repository.js';
import { drawGrade, effectOf, pickOne, pickPalette } from './item-use.rules.js';

/** A purchase or sale's count: at least one, and small enough that no sum can overflow. */
export const MAX_COUNT = 999;
/** The food cap counts units (the original counted rows). */
export const MAX_FOOD_UNITS = 4;

export type UseResult =
  | { kind: 'character'; characterInventoryId: number; character: CharacterRow }
  | { kind: 'palette'; palette: PaletteRow };

/**
 * S1–S3 and the inventories. Each purchase, sale and use is one transaction that first locks the
 * caller's member row, so one member's operations run one at a time: points can't be overspent
 * and nothing is used twice. Checks run in the original's order with its messages.
 */
@Injectable()
export class ShopService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    /** One member's operations queue here before taking a pooled connection. */
    private readonly perMember: MemberQueue,
    private readonly inventory: InventoryRepository,
    private readonly members: MembersRepository,
    private readonly catalogue: CatalogueRepository,
    private readonly points: PointsRepository,
    private readonly streaks: StreaksRepository,
    private readonly random: Random,
  ) {}

  listedItems(type: ItemType) {
    return this.catalogue.listListedItems(type);
  }

  itemInventory(memberId: string, type: ItemType) {
    return this.inventory.itemInventory(memberId, type);
  }

  characterInventory(memberId: string) {
    return this.inventory.characterInventory(memberId);
  }

  charactersOfGrade(grade: string) {
    return this.catalogue.listCharactersOfGrade(grade);
  }

  /** S1. Hidden items are as absent as deleted ones. */
  async purchase(accountId: string, itemId: number, count: number): Promise<TransactionRecordRow> {
    return this.transaction(accountId, async (tx) => {
      // The lock comes first, so the item is read as it is when the purchase runs (a purchase queued
      // behind another can't buy an item hidden or repriced meanwhile); the item 404 still wins.
      const locked = await this.members.lock({ accountId }, tx);
      const found = await this.catalogue.findItem(itemId, tx);
      if (!found || found.isHidden) throw apiError('ITEM_NOT_FOUND');
      if (!locked) throw apiError('USER_NOT_FOUND');
      const member = locked;
      checkCount(count);
      const amount = found.cost * count; // ≤ INT4_MAX × 999: exact in a double
      if (amount > member.point) throw apiError('NOT_ENOUGH_POINTS');
      if (found.itemType === 'Food') {
        if ((await this.inventory.foodUnits(member.memberId, tx)) + count > MAX_FOOD_UNITS) {
          throw apiError('FOOD_CAP');
        }
        await this.inventory.addFoods(member.memberId, found, count, tx);
      } else {
        const held = (await this.inventory.consumableStack(member.memberId, found.itemId, tx)) ?? 0;
        if (held + count > INT4_MAX) throw apiError('STACK_FULL');
        await this.inventory.addConsumables(member.memberId, found, count, tx);
      }
      const { record } = await this.points.debit(
        member.memberId,
        { type: 'Purchase', amount, count, notes: `${found.name} ${count}개 구매` },
        tx,
      );
      return record;
    });
  }

  /** S2. */
  async sell(accountId: string, characterInventoryId: number, count: number): Promise<TransactionRecordRow> {
    checkCount(count);
    return this.transaction(accountId, async (tx) => {
      const member = await this.lockMember(accountId, tx);
      const row = await this.inventory.lockCharacterInventory(characterInventoryId, tx);
      // Someone else's row answers exactly as a missing one: ids reveal nothing.
      if (!row || row.memberId !== member.memberId) throw apiError('SELL_NOT_OWNED');
      if (row.quantity < count) throw apiError('SELL_TOO_MANY');
      const sold = await this.catalogue.findCharacter(row.characterId, tx);
      if (!sold) throw apiError('CHARACTER_NOT_FOUND');
      const amount = sold.sellPrice * count;
      // A sale that the balance can't hold is refused whole, rather than paying part of it.
      if (member.point + amount > INT4_MAX) throw apiError('POINTS_FULL');
      await this.inventory.removeCharacters(row.characterInventoryId, count, tx);
      const { record } = await this.points.credit(
        member.memberId,
        { type: 'Sell', amount, count, notes: `${sold.name} ${count}개 판매` },
        tx,
      );
      return record;
    });
  }

  /** S3: what the item does is decided by its effect code alone. */
  async use(accountId: string, itemInventoryId: number): Promise<UseResult> {
    return this.transaction(accountId, async (tx) => {
      const member = await this.lockMember(accountId, tx);
      const owned = await this.inventory.lockOwnedItem(itemInventoryId, member.memberId, tx);
      if (!owned) throw apiError('ITEM_NOT_OWNED');
      if (owned.row.quantity <= 0) throw apiError('NOTHING_TO_USE');
      const effect = effectOf(owned.item.effectCode);
      // A food's progress is checked before its code is looked up, as the original does (S3 food, step 1);
      // a food without a study requirement (null progress) is ready at once instead of failing.
      const food = effect.kind === 'food' || (effect.kind === 'unknown' && effect.range === 'food');
      if (food && (owned.row.progress ?? 0) > 0) throw apiError('STILL_GROWING');
      switch (effect.kind) {
        case 'food':
          return this.hatch(member.memberId, owned.row, effect.code, tx);
        case 'palette':
          return this.repaint(member.memberId, owned.row, tx);
        default:
          throw apiError(
            effect.range === 'food'
              ? 'FOOD_EFFECT_MISSING'
              : effect.range === 'consumable'
                ? 'CONSUMABLE_EFFECT_MISSING'
                : 'EFFECT_MISSING',
          );
      }
    });
  }

  /** A grown food hatches into a random character of a grade drawn with the food's odds. */
  private async hatch(memberId: string, food: ItemInventoryRow, code: number, tx: Tx): Promise<UseResult> {
    const pool = await this.catalogue.listCharactersOfGrade(drawGrade(code, this.random), tx);
    if (pool.length === 0) throw apiError('NO_CHARACTER_OF_GRADE');
    const hatched = pickOne(pool, this.random);
    const characterInventoryId = await this.inventory.addCharacter(memberId, hatched.characterId, tx);
    await this.inventory.consumeFood(food, tx);
    return { kind: 'character', characterInventoryId, character: hatched };
  }

  /** A palette ticket repaints the streak, with a palette other than the current one when there is one. */
  private async repaint(memberId: string, ticket: ItemInventoryRow, tx: Tx): Promise<UseResult> {
    const palettes = await this.catalogue.listPalettes(tx);
    if (palettes.length === 0) throw apiError('NO_PALETTE');
    const streak = await this.streaks.lock(memberId, tx);
    const chosen = pickPalette(palettes, streak.paletteId, this.random);
    await this.streaks.setPalette(memberId, chosen.paletteId, tx);
    await this.inventory.consumeOne(ticket.itemInventoryId, tx);
    return { kind: 'palette', palette: chosen };
  }

  /**
   * One member's operation: queued behind that member's others in this process, then one
   * transaction whose lock waits are bounded, so a stuck holder of the member's row (another
   * instance frozen mid-transaction) makes callers retry (503) instead of piling up.
   */
  private transaction<T>(accountId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.perMember.run(accountId, () =>
      this.transactions.run(work, { lockTimeoutMs: this.config.SHOP_LOCK_TIMEOUT_MS }),
    );
  }

  private async lockMember(accountId: string, tx: Tx) {
    const member = await this.members.lock({ accountId }, tx);
    if (!member) throw apiError('USER_NOT_FOUND');
    return member;
  }
}

function checkCount(count: number): void {
  if (count <= 0) throw apiError('COUNT_TOO_SMALL');
  if (count > MAX_COUNT) throw apiError('COUNT_TOO_LARGE');
}

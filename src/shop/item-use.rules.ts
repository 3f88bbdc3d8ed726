import type { Random } from '../common/random.js';

/** Character grades as the catalogue and the odds table name them. */
export type Grade = 'C' | 'B' | 'A' | 'A+' | 'S' | 'S+' | 'SS';

/** Food effect codes → grade odds in whole percent; each row sums to 100. */
export const FOOD_ODDS: Readonly<Record<number, ReadonlyArray<readonly [Grade, number]>>> = {
  10000: [
    ['C', 65],
    ['B', 30],
    ['A', 5],
  ],
  10001: [
    ['C', 79],
    ['B', 20],
    ['A', 1],
  ],
  10002: [
    ['B', 79],
    ['A', 20],
    ['A+', 1],
  ],
  10003: [
    ['A', 90],
    ['A+', 10],
  ],
  10004: [
    ['A+', 90],
    ['S', 10],
  ],
  10005: [
    ['S', 90],
    ['S+', 10],
  ],
  10006: [
    ['S+', 90],
    ['SS', 10],
  ],
};

export const PALETTE_TICKET = 20000;

export type Effect =
  { kind: 'food'; code: number } | { kind: 'palette' } | { kind: 'unknown'; range: 'food' | 'consumable' | 'other' };

/** What an effect code does; the item's own type and grade don't matter, as in the original. */
export function effectOf(code: number): Effect {
  if (code >= 10000 && code <= 19999) {
    return FOOD_ODDS[code] ? { kind: 'food', code } : { kind: 'unknown', range: 'food' };
  }
  if (code === PALETTE_TICKET) return { kind: 'palette' };
  if (code >= 20000 && code <= 29999) return { kind: 'unknown', range: 'consumable' };
  return { kind: 'unknown', range: 'other' };
}

/** A grade drawn with the food's odds: r uniform in [0, 100) against the cumulative table. */
export function drawGrade(code: number, random: Random): Grade {
  const odds = FOOD_ODDS[code];
  if (!odds) throw new Error(`no odds for effect code ${code}`);
  let r = random.int(100);
  for (const [grade, percent] of odds) {
    if (r < percent) return grade;
    r -= percent;
  }
  throw new Error(`odds of ${code} do not sum to 100`);
}

/** One element, uniformly. */
export function pickOne<T>(items: readonly T[], random: Random): T {
  if (items.length === 0) throw new Error('nothing to pick from');
  return items[random.int(items.length)]!;
}

/** A palette ticket gives a palette other than the current one whenever there is one. */
export function pickPalette<T extends { paletteId: number }>(
  palettes: readonly T[],
  currentId: number | null,
  random: Random,
): T {
  const others = palettes.filter((p) => p.paletteId !== currentId);
  return pickOne(others.length > 0 ? others : palettes, random);
}

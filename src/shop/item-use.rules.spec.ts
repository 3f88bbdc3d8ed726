import { describe, expect, it } from 'vitest';
import { Random } from '../common/random.js';
import { SeededRandom } from '../../test/support/shop-kit.js';
import { drawGrade, effectOf, type Grade, pickOne, pickPalette } from './item-use.rules.js';

// The odds as the original's rules table gives them, written out here rather than read from FOOD_ODDS so
// that a typo in the rules' table fails these tests instead of being copied into them.
const CONTRACT_ODDS: Record<number, [Grade, number][]> = {
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
const FOOD_CODES = Object.keys(CONTRACT_ODDS).map(Number);

// Upper critical values of the chi-square distribution at p = 0.001, from the standard table
// (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.4), by degrees of freedom.
const CHI2_CRITICAL_P001: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467 };

const DRAWS = 100_000;
// Fixed seeds: the statistical tests give the same answer on every run.
const SEED = 20_240_601;

/** Randomness that answers queued `int` values and remembers the bounds it was asked for. */
class ScriptedInts extends Random {
  readonly asked: number[] = [];
  constructor(private readonly values: number[]) {
    super();
  }
  uuid(): string {
    throw new Error('not used by the rules');
  }
  hex(): string {
    throw new Error('not used by the rules');
  }
  int(max: number): number {
    this.asked.push(max);
    const value = this.values.shift();
    if (value === undefined) throw new Error('more draws than scripted');
    if (value < 0 || value >= max) throw new Error(`scripted ${value} outside [0, ${max})`);
    return value;
  }
}

/** Pearson's statistic of observed counts against expected counts (same keys). */
function chiSquare<K>(observed: Map<K, number>, expected: Map<K, number>): number {
  let sum = 0;
  for (const [key, e] of expected) {
    const o = observed.get(key) ?? 0;
    sum += (o - e) ** 2 / e;
  }
  return sum;
}

function tally<K>(values: Iterable<K>): Map<K, number> {
  const counts = new Map<K, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function gradeDraws(code: number, seed: number, n = DRAWS): Map<Grade, number> {
  const random = new SeededRandom(seed);
  return tally(Array.from({ length: n }, () => drawGrade(code, random)));
}

const expectedCounts = (odds: [Grade, number][], n = DRAWS) =>
  new Map(odds.map(([grade, percent]) => [grade, (n * percent) / 100]));

describe('effectOf', () => {
  it.each(FOOD_CODES)('%i is a food with its own odds', (code) => {
    expect(effectOf(code)).toEqual({ kind: 'food', code });
  });

  it.each([10007, 19999])('%i is in the food range but has no odds', (code) => {
    expect(effectOf(code)).toEqual({ kind: 'unknown', range: 'food' });
  });

  it('20000 is the palette ticket', () => {
    expect(effectOf(20000)).toEqual({ kind: 'palette' });
  });

  it.each([20001, 29999])('%i is in the consumable range but does nothing', (code) => {
    expect(effectOf(code)).toEqual({ kind: 'unknown', range: 'consumable' });
  });

  it.each([0, 9999, 30000, -1])('%i is outside both ranges', (code) => {
    expect(effectOf(code)).toEqual({ kind: 'unknown', range: 'other' });
  });
});

describe('drawGrade boundaries', () => {
  // For each row: the first and last r of every grade's band of the cumulative table.
  const cases = FOOD_CODES.flatMap((code) => {
    let from = 0;
    return CONTRACT_ODDS[code]!.flatMap(([grade, percent]) => {
      const band: [number, number, Grade][] = [
        [code, from, grade],
        [code, from + percent - 1, grade],
      ];
      from += percent;
      return band;
    });
  });

  it.each(cases)('%i with r = %i gives %s', (code, r, grade) => {
    const random = new ScriptedInts([r]);
    expect(drawGrade(code, random)).toBe(grade);
    // One draw of r in [0, 100), as the contract's whole-percent odds need.
    expect(random.asked).toEqual([100]);
  });

  it.each(FOOD_CODES)('%i: every r in [0, 100) maps to a grade, as many r per grade as its percent', (code) => {
    const grades = Array.from({ length: 100 }, (_, r) => drawGrade(code, new ScriptedInts([r])));
    expect(Object.fromEntries(tally(grades))).toEqual(Object.fromEntries(CONTRACT_ODDS[code]!));
  });

  it('refuses a code without odds instead of drawing', () => {
    expect(() => drawGrade(10007, new ScriptedInts([0]))).toThrow(/no odds/);
  });
});

describe('drawGrade odds (chi-square goodness of fit, p = 0.001)', () => {
  it.each(FOOD_CODES)(`%i: ${DRAWS} seeded draws fit the contract's odds`, (code) => {
    const odds = CONTRACT_ODDS[code]!;
    const observed = gradeDraws(code, SEED + code);
    // Nothing outside the row: a grade the table doesn't name would not show in the statistic.
    expect([...observed.keys()].every((g) => odds.some(([grade]) => grade === g))).toBe(true);
    const statistic = chiSquare(observed, expectedCounts(odds));
    expect(statistic).toBeLessThan(CHI2_CRITICAL_P001[odds.length - 1]!);
  });

  // Negative controls: the same statistic must reject draws that follow other odds, or the
  // passing tests above would prove nothing.
  it("rejects 10000's draws judged against 10001's odds", () => {
    const statistic = chiSquare(gradeDraws(10000, SEED), expectedCounts(CONTRACT_ODDS[10001]!));
    expect(statistic).toBeGreaterThan(CHI2_CRITICAL_P001[2]!);
  });

  it.each(FOOD_CODES)('%i: rejects a table one percentage point off', (code) => {
    const odds = CONTRACT_ODDS[code]!;
    // Move one point from the most likely grade to the least likely one.
    const wrong = odds.map(([grade, percent], i): [Grade, number] => [
      grade,
      percent + (i === 0 ? -1 : i === odds.length - 1 ? 1 : 0),
    ]);
    const statistic = chiSquare(gradeDraws(code, SEED + code), expectedCounts(wrong));
    expect(statistic).toBeGreaterThan(CHI2_CRITICAL_P001[odds.length - 1]!);
  });
});

describe('pickOne', () => {
  const items = ['a', 'b', 'c', 'd', 'e'] as const;

  it('picks the element at the drawn index, asking for a draw over the whole list', () => {
    const random = new ScriptedInts([0, 4, 2]);
    expect([pickOne(items, random), pickOne(items, random), pickOne(items, random)]).toEqual(['a', 'e', 'c']);
    expect(random.asked).toEqual([5, 5, 5]);
  });

  it('refuses an empty list', () => {
    expect(() => pickOne([], new ScriptedInts([0]))).toThrow(/nothing to pick/);
  });

  it(`is uniform over 5 items (${DRAWS} seeded draws, chi-square p = 0.001)`, () => {
    const random = new SeededRandom(SEED);
    const observed = tally(Array.from({ length: DRAWS }, () => pickOne(items, random)));
    const expected = new Map(items.map((item) => [item, DRAWS / items.length]));
    expect(chiSquare(observed, expected)).toBeLessThan(CHI2_CRITICAL_P001[4]!);
  });

  it('the same statistic rejects a picker that favours the first item by two points', () => {
    const random = new SeededRandom(SEED);
    // 22 % for 'a', 19.5 % for each of the others.
    const skewed = () => {
      const u = random.next();
      return u < 0.22 ? 'a' : items[1 + Math.floor(((u - 0.22) / 0.78) * 4)]!;
    };
    const observed = tally(Array.from({ length: DRAWS }, skewed));
    const expected = new Map(items.map((item) => [item, DRAWS / items.length]));
    expect(chiSquare(observed, expected)).toBeGreaterThan(CHI2_CRITICAL_P001[4]!);
  });
});

describe('pickPalette', () => {
  const palettes = [1, 2, 3, 4, 5].map((paletteId) => ({ paletteId, name: `palette ${paletteId}` }));

  it('never gives back the current palette when there is another', () => {
    const random = new SeededRandom(SEED);
    for (const current of [1, 3, 5]) {
      const drawn = Array.from({ length: 10_000 }, () => pickPalette(palettes, current, random).paletteId);
      expect(drawn).not.toContain(current);
    }
    const two = palettes.slice(0, 2);
    const drawn = Array.from({ length: 1_000 }, () => pickPalette(two, 1, random).paletteId);
    expect(new Set(drawn)).toEqual(new Set([2]));
  });

  it('gives the only palette even when it is the current one', () => {
    const only = [palettes[2]!];
    expect(pickPalette(only, 3, new ScriptedInts([0]))).toBe(only[0]);
  });

  it('draws over all palettes when none is current, or the current one is not among them', () => {
    const random = new SeededRandom(SEED);
    for (const current of [null, 99]) {
      const drawn = new Set(Array.from({ length: 1_000 }, () => pickPalette(palettes, current, random).paletteId));
      expect(drawn).toEqual(new Set([1, 2, 3, 4, 5]));
    }
  });

  it(`is uniform over the other palettes (${DRAWS} seeded draws, chi-square p = 0.001)`, () => {
    const random = new SeededRandom(SEED);
    const observed = tally(Array.from({ length: DRAWS }, () => pickPalette(palettes, 3, random).paletteId));
    const expected = new Map([1, 2, 4, 5].map((id) => [id, DRAWS / 4]));
    expect(observed.get(3)).toBeUndefined();
    expect(chiSquare(observed, expected)).toBeLessThan(CHI2_CRITICAL_P001[3]!);
  });
});

import { describe, expect, it } from 'vitest';
import { RankingBoard } from './ranking-board.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const t = (n: number, seconds: number) => ({ memberId: id(n), seconds });

describe('ranking board', () => {
  const board = new RankingBoard([t(5, 100), t(2, 300), t(9, 300), t(1, 50), t(3, 100), t(4, 0), t(7, 300)]);

  it('ranks most seconds first, ties share a rank and are ordered by member id', () => {
    expect(board.page(0, 10)).toEqual([
      { rank: 1, memberId: id(2), seconds: 300 },
      { rank: 1, memberId: id(7), seconds: 300 },
      { rank: 1, memberId: id(9), seconds: 300 },
      { rank: 4, memberId: id(3), seconds: 100 },
      { rank: 4, memberId: id(5), seconds: 100 },
      { rank: 6, memberId: id(1), seconds: 50 },
    ]);
    expect(board.total).toBe(6);
  });

  it('pages without overlap or gap', () => {
    const pages = [board.page(0, 2), board.page(2, 2), board.page(4, 2), board.page(6, 2)];
    expect(pages.flat().map((r) => r.memberId)).toEqual(board.page(0, 100).map((r) => r.memberId));
    expect(pages[3]).toEqual([]);
  });

  it("gives a member's place, null without seconds", () => {
    expect(board.placeOf(id(5))).toEqual({ rank: 4, seconds: 100 });
    expect(board.placeOf(id(1))).toEqual({ rank: 6, seconds: 50 });
    expect(board.placeOf(id(4))).toBeNull();
    expect(board.placeOf(id(8))).toBeNull();
  });

  it('leaves excluded members out but still places them as if they were in', () => {
    const b = new RankingBoard([t(1, 300), t(2, 200), t(3, 100)], new Set([id(2)]));
    expect(b.page(0, 10).map((r) => [r.rank, r.memberId])).toEqual([
      [1, id(1)],
      [2, id(3)],
    ]);
    expect(b.placeOf(id(2))).toEqual({ rank: 2, seconds: 200 });
    expect(b.total).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { RankingBoard } from './ranking-board.js';
import { RankingSnapshots } from './ranking-snapshots.js';

const board = (seconds: number) => new RankingBoard([{ memberId: 'm', seconds }]);
const busy = () => new Error('busy');

/** A build the test finishes by hand. */
function pending() {
  let finish!: (b: RankingBoard) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<RankingBoard>((resolve, reject) => ([finish, fail] = [resolve, reject]));
  return { build: () => promise, finish, fail };
}

describe('ranking snapshots', () => {
  it('serves a board until it is ttl old, then the stale one while a single rebuild runs', async () => {
    let now = 0;
    const s = new RankingSnapshots(60_000, 8, () => now, 2, busy);
    let builds = 0;
    const build = async () => board(++builds);
    expect((await s.get('k', build)).placeOf('m')?.seconds).toBe(1);
    now = 59_999;
    expect((await s.get('k', build)).placeOf('m')?.seconds).toBe(1);
    now = 60_000;
    expect((await s.get('k', build)).placeOf('m')?.seconds).toBe(1); // stale, rebuild started
    await new Promise((r) => setImmediate(r));
    expect((await s.get('k', build)).placeOf('m')?.seconds).toBe(2);
    expect(builds).toBe(2);
  });

  it('lets concurrent first readers share one build; a failed first build is tried again', async () => {
    const s = new RankingSnapshots(60_000, 8, () => 0, 2, busy);
    const first = pending();
    const [a, b] = [s.get('k', first.build), s.get('k', first.build)];
    first.fail(new Error('db down'));
    await expect(a).rejects.toThrow('db down');
    await expect(b).rejects.toThrow('db down');
    expect((await s.get('k', async () => board(5))).placeOf('m')?.seconds).toBe(5);
  });

  it('refuses a new period while maxBuilds builds run, and live builds too', async () => {
    const s = new RankingSnapshots(60_000, 8, () => 0, 1, busy);
    const slow = pending();
    const running = s.get('a', slow.build);
    await expect(s.get('b', async () => board(1))).rejects.toThrow('busy');
    slow.finish(board(3));
    await running;
    expect((await s.get('b', async () => board(1))).placeOf('m')?.seconds).toBe(1);

    const live = new RankingSnapshots(0, 8, () => 0, 1, busy);
    const held = pending();
    const first = live.get('a', held.build);
    await expect(live.get('a', async () => board(1))).rejects.toThrow('busy');
    held.finish(board(2));
    expect((await first).placeOf('m')?.seconds).toBe(2);
  });

  it('forgets the least recently used period beyond maxPeriods', async () => {
    const s = new RankingSnapshots(60_000, 2, () => 0, 2, busy);
    let builds = 0;
    const build = async () => board(++builds);
    await s.get('a', build);
    await s.get('b', build);
    await s.get('a', build); // a is now the most recent
    await s.get('c', build); // b goes
    expect(builds).toBe(3);
    await s.get('a', build);
    expect(builds).toBe(3);
    await s.get('b', build);
    expect(builds).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { KeyedQueue, QueueWaitTimeout } from './keyed-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in arrival order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running += 1;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((n) => queue.run('member', task(n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });

  it('runs different keys side by side', async () => {
    const queue = new KeyedQueue();
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
    };
    await Promise.all([queue.run('a', task), queue.run('b', task), queue.run('c', task)]);
    expect(most).toBe(3);
  });

  it('a failed task rejects its own caller only; the next one still runs', async () => {
    const queue = new KeyedQueue();
    const failing = queue.run('m', async () => {
      throw new Error('boom');
    });
    const next = queue.run('m', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    expect(queue.size).toBe(0);
  });

  it('a long burst waits as long as the queue moves: no task is refused for its place in the line', async () => {
    const queue = new KeyedQueue({ holdMs: 50, maxWaitMs: 5000, maxLength: 500 });
    const step = () => new Promise((resolve) => setTimeout(resolve, 5));
    // 100 tasks of ~5 ms: the last waits ~500 ms, ten times the hold limit, and still runs.
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => queue.run('m', () => step().then(() => i))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it('a holder stuck past holdMs sends every waiter away, and later arrivals at once; the lane recovers', async () => {
    const queue = new KeyedQueue({ holdMs: 40, maxWaitMs: 5000, maxLength: 500 });
    let release!: () => void;
    const log: string[] = [];
    const stuck = queue.run('m', () =>
      new Promise<void>((resolve) => (release = resolve)).then(() => log.push('stuck')),
    );
    const started = Date.now();
    const waiters = [1, 2, 3].map((n) => queue.run('m', async () => log.push(`w${n}`)));
    for (const w of waiters) await expect(w).rejects.toBeInstanceOf(QueueWaitTimeout);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(queue.run('m', async () => log.push('late'))).rejects.toThrow(/stuck/);
    await expect(queue.run('other', async () => 'free')).resolves.toBe('free');
    release();
    await stuck;
    await expect(queue.run('m', async () => log.push('next'))).resolves.toBe(2);
    expect(log).toEqual(['stuck', 'next']);
    expect(queue.size).toBe(0);
  });

  it('a waiter gives up after maxWaitMs in all, and beyond maxLength waiting a task is refused at once', async () => {
    const queue = new KeyedQueue({ holdMs: 10_000, maxWaitMs: 30, maxLength: 2 });
    let release!: () => void;
    const log: string[] = [];
    const slow = queue.run('m', () => new Promise<void>((resolve) => (release = resolve)).then(() => log.push('slow')));
    const a = queue.run('m', async () => log.push('a'));
    const b = queue.run('m', async () => log.push('b'));
    await expect(queue.run('m', async () => log.push('c'))).rejects.toThrow(/2 already waiting/);
    await expect(a).rejects.toThrow(/too slowly/);
    await expect(b).rejects.toThrow(/too slowly/);
    const next = queue.run('m', async () => log.push('next'));
    await tick();
    expect(log).toEqual([]); // `next` waits for `slow`, not for the ones that gave up
    release();
    await Promise.all([slow, next]);
    expect(log).toEqual(['slow', 'next']);
    expect(queue.size).toBe(0);
  });
});

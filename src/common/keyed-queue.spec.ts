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

  it('a task that cannot start within maxWaitMs rejects without running; later tasks still wait their turn', async () => {
    const queue = new KeyedQueue();
    let release!: () => void;
    const log: string[] = [];
    const slow = queue.run('m', () => new Promise<void>((resolve) => (release = resolve)).then(() => log.push('slow')));
    const late = queue.run('m', async () => log.push('late'), 20);
    await expect(late).rejects.toBeInstanceOf(QueueWaitTimeout);
    const next = queue.run('m', async () => log.push('next'));
    await tick();
    expect(log).toEqual([]); // `next` waits for `slow`, not just for `late` that gave up
    release();
    await Promise.all([slow, next]);
    expect(log).toEqual(['slow', 'next']);
  });
});

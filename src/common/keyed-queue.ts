import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';

/** A task gave up waiting for its turn: the key's earlier work took too long (answered 503). */
export class QueueWaitTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`waited ${waitedMs} ms for earlier work of the same key`);
  }
}

/**
 * Runs tasks of one key one after another, in arrival order, in this process. The database lock
 * stays the guarantee (across instances); this only keeps one member's burst of requests from
 * holding every pooled connection while they wait on that member's row lock.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** With `maxWaitMs`, a task that can't start by then rejects with QueueWaitTimeout and never runs. */
  async run<T>(key: string, task: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const turn = maxWaitMs === undefined ? previous.then(noop, noop) : within(previous, maxWaitMs);
    const result = turn.then(task);
    // The next task waits for this one and for the earlier ones, even when this one gave up early.
    const tail = Promise.allSettled([previous, result]);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
  }

  /** Keys with work queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}

const noop = () => undefined;

function within(previous: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new QueueWaitTimeout(ms)), ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    previous.then(done, done);
  });
}

/**
 * The one per-member queue of this process, shared by everything that locks a member row (the shop,
 * the timer, the profile, categories), keyed by account id: a member's requests take at most one
 * pooled connection at a time, and wait for their turn at most DATABASE_CONNECT_TIMEOUT_MS.
 */
@Injectable()
export class MemberQueue {
  private readonly queue = new KeyedQueue();

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  run<T>(accountId: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(accountId, task, this.config.DATABASE_CONNECT_TIMEOUT_MS);
  }

  get size(): number {
    return this.queue.size;
  }
}

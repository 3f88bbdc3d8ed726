import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';

/** A task was refused its turn (answered 503 BUSY): the key's work is stuck, too slow, or too much is queued. */
export class QueueWaitTimeout extends Error {
  constructor(
    readonly waitedMs: number,
    reason: string,
  ) {
    super(`gave up after ${waitedMs} ms waiting for earlier work of the same key: ${reason}`);
  }
}

/** Bounds on one key's queue, all in milliseconds but the length. */
export interface QueueLimits {
  /** Waiters give up once the task holding the turn has held it this long (it is stuck, not slow). */
  holdMs: number;
  /** A waiter gives up after this long in the queue, however well the queue moves. */
  maxWaitMs: number;
  /** Tasks waiting behind the running one; one more is refused at once. */
  maxLength: number;
}

interface Waiter {
  start(): void;
  refuse(error: QueueWaitTimeout): void;
}

interface Lane {
  heldSince: number;
  waiting: Waiter[];
  watchdog?: NodeJS.Timeout;
}

/**
 * Runs tasks of one key one after another, in arrival order, in this process. The database lock
 * stays the guarantee (across instances); this only keeps one member's burst of requests from
 * holding every pooled connection while they wait on that member's row lock.
 */
export class KeyedQueue {
  private readonly lanes = new Map<string, Lane>();

  /** Without limits, tasks wait for their turn however long it takes. */
  constructor(private readonly limits?: QueueLimits) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.turn(key);
    try {
      return await task();
    } finally {
      this.pass(key);
    }
  }

  /** Keys with work queued or running (for tests and metrics). */
  get size(): number {
    return this.lanes.size;
  }

  private turn(key: string): Promise<void> {
    const lane = this.lanes.get(key);
    if (!lane) {
      this.lanes.set(key, this.hold({ heldSince: 0, waiting: [] }));
      return Promise.resolve();
    }
    const limits = this.limits;
    if (limits && lane.waiting.length >= limits.maxLength) {
      return Promise.reject(new QueueWaitTimeout(0, `${limits.maxLength} already waiting`));
    }
    if (limits && Date.now() - lane.heldSince >= limits.holdMs) {
      return Promise.reject(new QueueWaitTimeout(0, 'the running task is stuck'));
    }
    return new Promise<void>((resolve, reject) => {
      const arrived = Date.now();
      const waiter: Waiter = {
        start: () => {
          clearTimeout(timer);
          resolve();
        },
        refuse: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer =
        limits &&
        setTimeout(() => {
          lane.waiting.splice(lane.waiting.indexOf(waiter), 1);
          reject(new QueueWaitTimeout(Date.now() - arrived, 'the queue moves too slowly'));
        }, limits.maxWaitMs);
      lane.waiting.push(waiter);
    });
  }

  /** The lane's turn starts now; if it is held too long, everyone waiting gives up (they'd only pile up). */
  private hold(lane: Lane): Lane {
    lane.heldSince = Date.now();
    clearTimeout(lane.watchdog);
    const limits = this.limits;
    if (limits) {
      lane.watchdog = setTimeout(() => {
        const waited = Date.now() - lane.heldSince;
        for (const waiter of lane.waiting.splice(0))
          waiter.refuse(new QueueWaitTimeout(waited, 'the running task is stuck'));
      }, limits.holdMs);
    }
    return lane;
  }

  private pass(key: string): void {
    const lane = this.lanes.get(key);
    if (!lane) return;
    clearTimeout(lane.watchdog);
    const next = lane.waiting.shift();
    if (!next) {
      this.lanes.delete(key);
      return;
    }
    this.hold(lane);
    next.start();
  }
}

/**
 * The one per-member queue of this process, shared by everything that locks a member row (the shop,
 * the timer, the profile, categories), keyed by account id: a member's requests take at most one
 * pooled connection at a time. A burst waits as long as the queue moves (MEMBER_QUEUE_MAX_WAIT_MS at
 * most); a holder stuck for MEMBER_QUEUE_HOLD_LIMIT_MS sends everyone behind it away at once.
 */
@Injectable()
export class MemberQueue {
  private readonly queue: KeyedQueue;

  constructor(@Inject(CONFIG) config: Config) {
    this.queue = new KeyedQueue({
      holdMs: config.MEMBER_QUEUE_HOLD_LIMIT_MS,
      maxWaitMs: config.MEMBER_QUEUE_MAX_WAIT_MS,
      maxLength: config.MEMBER_QUEUE_MAX_LENGTH,
    });
  }

  run<T>(accountId: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(accountId, task);
  }

  get size(): number {
    return this.queue.size;
  }
}

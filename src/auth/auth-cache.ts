import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type AccountAccess, AccountsRepository } from '../accounts/accounts.repository.js';
import { CONFIG, type Config } from '../config/config.js';
import { MembersRepository } from '../members/members.repository.js';
import { REDIS, type RedisClient } from '../common/redis.js';
import { BoundedCache } from '../common/bounded-cache.js';
import { KeyBatcher } from '../common/key-batcher.js';

/** What changed: the accounts whose role or generation moved or which went, and the members that went. */
export interface CacheChange {
  accountIds?: string[];
  memberIds?: string[];
}

interface Invalidation extends CacheChange {
  t: 'inv';
  id: string;
  from: string;
}

interface Ack {
  t: 'ack';
  id: string;
  to: string;
}

/** How long an erasing request waits for every subscribed instance to confirm, at most. */
const ACK_WAIT_MS = 2_000;
/** The subscription is pinged this often; one unanswered within PING_TIMEOUT_MS turns the cache off here. */
const PING_EVERY_MS = 500;
const PING_TIMEOUT_MS = 1_000;

/**
 * The guards' per-request lookups (live role + token generation, the caller's member id, whether a member
 * exists), cached per instance for AUTH_CACHE_TTL_SECONDS. Only found rows are cached, so a new account
 * or member is seen at once. A change is dropped here and on every instance through Redis pub/sub before
 * the changing request answers: it waits until each subscribed instance confirms, or else until the TTL
 * has run out since the commit, after which no instance can hold an entry read before it. An instance
 * whose subscription is down (or does not answer its ping) reads the database directly until it is back.
 */
@Injectable()
export class AuthCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthCache.name);
  private readonly ttlMs: number;
  private readonly accesses: BoundedCache<AccountAccess>;
  private readonly memberIds: BoundedCache<string>;
  private readonly liveMembers: BoundedCache<true>;
  private readonly channel: string;
  private readonly instanceId = randomUUID();
  private subscriber?: Redis;
  private pinger?: NodeJS.Timeout;
  private closed = false;
  /** Whether this instance hears every invalidation; without Redis there is no one else to hear from. */
  private listening: boolean;
  /** Moves on every invalidation and subscription change: a read that saw it move is not stored. */
  private epoch = 0;
  private readonly waiting = new Map<string, { need: number; got: number; done: () => void }>();
  /** Misses asked for together are read together. */
  private readonly accessReads: KeyBatcher<AccountAccess>;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly accounts: AccountsRepository,
    private readonly members: MembersRepository,
  ) {
    this.ttlMs = config.AUTH_CACHE_TTL_SECONDS * 1000;
    const max = config.AUTH_CACHE_MAX_ENTRIES;
    [this.accesses, this.memberIds, this.liveMembers] = [
      new BoundedCache(max),
      new BoundedCache(max),
      new BoundedCache(max),
    ];
    this.channel = `${config.REDIS_KEY_PREFIX}auth-cache`;
    this.accessReads = new KeyBatcher((ids) => accounts.findAccessMany(ids));
    this.listening = !redis;
  }

  onModuleInit(): void {
    if (!this.redis || this.ttlMs === 0) return;
    const subscriber = this.redis.duplicate({ autoResubscribe: false, commandTimeout: PING_TIMEOUT_MS });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // the main client reports Redis errors; this one just reconnects
    subscriber.on('ready', () => void this.subscribe(subscriber));
    subscriber.on('close', () => this.deafen());
    subscriber.on('message', (_channel: string, text: string) => this.onMessage(text));
    this.pinger = setInterval(() => {
      if (this.listening) subscriber.ping().catch(() => this.deafen());
    }, PING_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    this.closed = true;
    clearInterval(this.pinger);
    this.subscriber?.disconnect();
    this.deafen();
  }

  /** The live role and token generation of the account, or undefined when it does not exist. */
  access(accountId: string): Promise<AccountAccess | undefined> {
    return this.read(this.accesses, accountId, () => this.accessReads.get(accountId));
  }

  /** The id of the account's member, or undefined when it has none (yet). */
  memberIdOf(accountId: string): Promise<string | undefined> {
    return this.read(this.memberIds, accountId, () => this.members.findIdByAccount(accountId));
  }

  async memberExists(memberId: string): Promise<boolean> {
    const found = await this.read(this.liveMembers, memberId, async () =>
      (await this.members.exists(memberId)) ? (true as const) : undefined,
    );
    return found === true;
  }

  /**
   * Call after the change committed. Resolves once no instance can answer from what was cached before it:
   * each subscribed instance confirmed dropping it, or the TTL ran out since the commit.
   */
  async invalidate(change: CacheChange): Promise<void> {
    const committed = performance.now();
    this.drop(change);
    if (!this.redis || this.ttlMs === 0) return;
    const deadline = committed + this.ttlMs;
    let confirmed = false;
    try {
      confirmed = await this.broadcast(change, Math.min(ACK_WAIT_MS, this.ttlMs));
    } catch (error) {
      this.logger.warn({ err: error }, 'auth cache invalidation not published; waiting out the cache TTL');
    }
    if (confirmed) return;
    const left = deadline - performance.now();
    if (left > 0) await sleep(left);
  }

  private get usable(): boolean {
    return this.ttlMs > 0 && this.listening;
  }

  private async read<V>(cache: BoundedCache<V>, key: string, load: () => Promise<V | undefined>) {
    if (!this.usable) return load();
    const started = performance.now();
    const hit = cache.get(key, started);
    if (hit !== undefined) return hit;
    const epoch = this.epoch;
    const value = await load();
    // Stored only if nothing was invalidated while it was read: that read may predate the change.
    if (value !== undefined && epoch === this.epoch && this.usable) cache.set(key, value, started + this.ttlMs);
    return value;
  }

  private drop({ accountIds = [], memberIds = [] }: CacheChange): void {
    this.epoch += 1;
    for (const id of accountIds) {
      this.accesses.delete(id);
      this.memberIds.delete(id);
    }
    for (const id of memberIds) this.liveMembers.delete(id);
  }

  private dropAll(): void {
    this.epoch += 1;
    this.accesses.clear();
    this.memberIds.clear();
    this.liveMembers.clear();
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.channel);
    } catch {
      return; // the connection went again; its next 'ready' tries anew
    }
    // Whatever was published while this instance was not listening is unknown: start empty.
    this.dropAll();
    this.listening = true;
  }

  private deafen(): void {
    if (this.listening && this.redis && !this.closed)
      this.logger.warn('auth cache off until its Redis subscription is back');
    if (this.redis) this.listening = false;
    this.dropAll();
  }

  private onMessage(text: string): void {
    let message: Invalidation | Ack;
    try {
      message = JSON.parse(text) as Invalidation | Ack;
    } catch {
      return;
    }
    if (message.t === 'inv') {
      this.drop(message);
      const ack: Ack = { t: 'ack', id: message.id, to: message.from };
      this.redis?.publish(this.channel, JSON.stringify(ack)).catch(() => undefined);
    } else if (message.t === 'ack' && message.to === this.instanceId) {
      const waiter = this.waiting.get(message.id);
      if (waiter && ++waiter.got >= waiter.need) waiter.done();
    }
  }

  /** Publishes the change and waits (bounded) for as many confirmations as Redis counted receivers. */
  private async broadcast(change: CacheChange, waitMs: number): Promise<boolean> {
    const id = randomUUID();
    let done!: () => void;
    const confirmed = new Promise<void>((resolve) => (done = resolve));
    const waiter = { need: Number.POSITIVE_INFINITY, got: 0, done };
    this.waiting.set(id, waiter);
    try {
      const message: Invalidation = { t: 'inv', id, from: this.instanceId, ...change };
      const receivers = await this.redis!.publish(this.channel, JSON.stringify(message));
      waiter.need = receivers;
      if (waiter.got >= receivers) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
      const result = await Promise.race([confirmed.then(() => true), timedOut]);
      clearTimeout(timer);
      if (!result) {
        this.logger.warn(
          { confirmed: waiter.got, receivers },
          'auth cache invalidation not confirmed by every instance; waiting out the cache TTL',
        );
      }
      return result;
    } finally {
      this.waiting.delete(id);
    }
  }
}

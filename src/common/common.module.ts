import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { Transactions } from '../database/transactions.js';
import { Clock, SystemClock } from './clock.js';
import { EventBus } from './events.js';
import { MemberQueue } from './keyed-queue.js';
import { Metrics } from './metrics.js';
import { CryptoRandom, Random } from './random.js';
import { MemoryRateLimiter, RATE_LIMITER, RedisRateLimiter } from './rate-limit/rate-limiter.js';
import { REDIS, type RedisClient } from './redis.js';
import { ShutdownState } from './shutdown.js';

export interface Infrastructure {
  config: Config;
  database: Database;
  redis: RedisClient;
  clock?: Clock;
  random?: Random;
}

const rateLimitLogger = new Logger('RateLimiter');

/**
 * What every feature shares: configuration, the database and its transaction runner, Redis, the clock and randomness, the rate
 * limiter, events, the member queue, metrics and the shutdown state. Tests pass their own clock or
 * randomness here.
 */
@Global()
@Module({})
export class CommonModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    const shared = [
      { provide: CONFIG, useValue: infra.config },
      { provide: DATABASE, useValue: infra.database },
      { provide: REDIS, useValue: infra.redis },
      { provide: Clock, useValue: infra.clock ?? new SystemClock() },
      { provide: Random, useValue: infra.random ?? new CryptoRandom() },
      {
        provide: RATE_LIMITER,
        useValue: infra.redis
          ? new RedisRateLimiter(infra.redis, infra.config.REDIS_KEY_PREFIX, (error) =>
              rateLimitLogger.warn({ err: error }, 'rate limits in memory: Redis unreachable'),
            )
          : new MemoryRateLimiter(),
      },
      Transactions,
      EventBus,
      MemberQueue,
      Metrics,
      ShutdownState,
    ];
    return { module: CommonModule, providers: shared, exports: shared.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

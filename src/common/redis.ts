import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');
/** `undefined` when `REDIS_URL` is unset: every shared concern then falls back to memory. */
export type RedisClient = Redis | undefined;

export function openRedis(url: string | undefined): RedisClient {
  if (!url) return undefined;
  // Commands fail fast while Redis is away instead of queueing without bound; the client reconnects.
  // The timeout bounds a command on a connection that went silent (no reset): every caller handles failures.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    commandTimeout: 2_000,
  });
}

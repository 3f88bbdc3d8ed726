import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter.js';

describe('MemoryRateLimiter', () => {
  it('allows `limit` hits per window per key, then tells how long to wait', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await limiter.hit('k', 3, 60));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
    expect(hits[3]!.retryAfterSeconds).toBe(60);
    now += 45_000;
    expect(await limiter.hit('k', 3, 60)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect((await limiter.hit('other', 3, 60)).allowed).toBe(true);
    now += 15_000;
    expect((await limiter.hit('k', 3, 60)).allowed).toBe(true);
  });
});

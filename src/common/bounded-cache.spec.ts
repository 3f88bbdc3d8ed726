import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('forgets an entry at its expiry time', () => {
    const cache = new BoundedCache<number>(10);
    cache.set('a', 1, 100);
    expect(cache.get('a', 99)).toBe(1);
    expect(cache.get('a', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most max entries and lets the least recently used go first', () => {
    const cache = new BoundedCache<string>(2);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    expect(cache.get('a', 0)).toBe('A'); // a is now the most recently used
    cache.set('c', 'C', 1000);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe('A');
    expect(cache.get('c', 0)).toBe('C');
  });

  it('replaces a value and drops single entries or all', () => {
    const cache = new BoundedCache<number>(3);
    cache.set('a', 1, 1000);
    cache.set('a', 2, 1000);
    expect(cache.size).toBe(1);
    expect(cache.get('a', 0)).toBe(2);
    cache.set('b', 3, 1000);
    cache.delete('a');
    expect(cache.get('a', 0)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

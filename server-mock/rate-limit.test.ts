import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('lets a burst of `capacity` through, then `perSecond` a second', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 2, () => now);
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000;
    expect(bucket.full).toBe(true);
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5); // never more than the capacity
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each key separately, forgets quiet keys, and refuses new keys rather than growing past maxKeys', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter(2, () => now, 3);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.take('c')).toBe(true);
    expect(limiter.take('d')).toBe(false); // table full of active keys
    expect(limiter.size).toBe(3);
    now += 60_000; // everyone refilled
    expect(limiter.take('d')).toBe(true); // pruning made room
    expect(limiter.size).toBe(1);
  });
});

/**
 * A token bucket: holds up to `capacity` tokens and regains `perSecond` of
 * them each second. Bursts up to the capacity pass; a sustained rate above
 * `perSecond` does not.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `clock` is read, not wrapped: a closure per bucket would cost every idle connection. */
  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: { now(): number },
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled completely, i.e. its owner has been quiet. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

/**
 * One token bucket per key (a client IP), for connection attempts. The map
 * stays bounded: buckets that have refilled are dropped, since a full bucket
 * is the same as no bucket, and when `maxKeys` is reached anyway new keys are
 * refused rather than letting memory grow.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly clock: { now(): number };

  constructor(
    private readonly perMinute: number,
    now: () => number,
    private readonly maxKeys = 100_000,
  ) {
    this.clock = { now };
  }

  /** Takes one token for `key`; false when that key is over its rate. */
  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune();
      if (this.buckets.size >= this.maxKeys) return false;
      bucket = new TokenBucket(this.perMinute, this.perMinute / 60, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  /** Drops the buckets of keys that have been quiet long enough to refill. */
  prune(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
  }

  /** Number of keys tracked; for tests and metrics. */
  get size(): number {
    return this.buckets.size;
  }
}

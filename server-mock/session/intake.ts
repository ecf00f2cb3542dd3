import type { Limits } from '../config/options.js';
import type { Clock } from '../ops/clock.js';
import type { Metrics } from '../ops/metrics.js';
import type { Pipe } from '../transport/pipe.js';
import { TokenBucket } from './rate-limit.js';

/** Window over which refused frames count towards closing an abusive connection. */
const ABUSE_WINDOW_SECONDS = 10;

/** What happens to a frame that arrived: handled, or refused for the rate (the connection is read more slowly instead when the server is behind). */
export type Admission = 'handle' | 'refuse';

/**
 * The limits on what one connection sends: bytes waiting to be handled, the
 * frame rate (a token bucket), and the refusals that make a connection
 * abusive. Frames that waited in socket buffers while the server was behind
 * arrive together, however evenly they were sent: then the connection is
 * paced (read more slowly) rather than refused.
 */
export class Intake {
  private queuedBytes = 0;
  private readonly rate: TokenBucket;
  /** Made on the first refusal: most connections never have one. */
  private strikes: TokenBucket | undefined;
  /** Set while reading is paused to pace the connection. */
  private paced: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly pipe: Pipe,
    private readonly limits: Limits,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    /** Whether the server itself is behind. */
    private readonly lag: { readonly behind: boolean },
  ) {
    this.rate = new TokenBucket(limits.rateBurst, limits.ratePerSecond, clock);
  }

  /** Counts `size` bytes as waiting; false (nothing counted) when that would pass the bound. */
  queue(size: number): boolean {
    if (this.queuedBytes + size > this.limits.maxBuffered) {
      this.metrics.limited.inc({ limit: 'queue' });
      return false;
    }
    this.queuedBytes += size;
    return true;
  }

  /** A frame of `size` bytes, counted by {@link queue}, is being handled. */
  dequeue(size: number): void {
    this.queuedBytes -= size;
  }

  /** Takes a frame's share of the rate: a frame over it is refused, or when the server is behind, paced. */
  admit(): Admission {
    if (this.rate.take()) return 'handle';
    if (!this.lag.behind) return 'refuse';
    this.pace();
    return 'handle';
  }

  /** Counts a refused frame; false once there were too many: the connection is abusive. */
  strike(): boolean {
    this.metrics.limited.inc({ limit: 'rate' });
    this.strikes ??= new TokenBucket(this.limits.abuseLimit, this.limits.abuseLimit / ABUSE_WINDOW_SECONDS, this.clock);
    return this.strikes.take();
  }

  /** Stops pacing for good (the connection ended). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.paced);
  }

  /** Stops reading the connection for as long as one frame's share of the rate. */
  private pace(): void {
    this.metrics.limited.inc({ limit: 'paced' });
    if (this.paced) return;
    this.paced = setTimeout(() => {
      this.paced = undefined;
      if (!this.stopped) this.pipe.resume?.();
    }, Math.ceil(1000 / this.limits.ratePerSecond));
    this.pipe.pause?.();
  }
}

/** setTimeout treats longer delays as 0; long token lifetimes must not fire at once. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Every timer a client owns. Keeping them in one place lets `close()` release
 * them all and `stats()` count them, so a leaked timer shows in tests.
 */
export class Timers {
  private readonly live = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  /** Number of timers armed. */
  get size(): number {
    return this.live.size;
  }

  /** Runs `fn` after `ms` (capped at about 24.8 days); returns the function that cancels it. Does nothing once closed. */
  set(fn: () => void, ms: number): () => void {
    // Work that outlives close() (a token fetch, a refresh that fails) must not arm a timer that keeps Node alive.
    if (this.closed) return () => {};
    const timer = setTimeout(() => {
      this.live.delete(timer);
      fn();
    }, Math.min(Math.max(0, ms), MAX_DELAY));
    this.live.add(timer);
    return () => {
      clearTimeout(timer);
      this.live.delete(timer);
    };
  }

  /** Cancels every timer, and every later one, for good. */
  close(): void {
    this.closed = true;
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }
}

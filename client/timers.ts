/** setTimeout treats longer delays as 0; long token lifetimes must not fire at once. */
const MAX_DELAY = 2 ** 31 - 1;

/** Every timer a client owns (see {@link createTimers}). */
export interface Timers {
  /** Number of timers armed. */
  size(): number;
  /** Runs `fn` after `ms` (capped at about 24.8 days); returns the function that cancels it. Does nothing once closed. */
  set(fn: () => void, ms: number): () => void;
  /** Cancels every timer, and every later one, for good. */
  close(): void;
}

/**
 * Every timer a client owns. Keeping them in one place lets `close()` release
 * them all and `stats()` count them, so a leaked timer shows in tests.
 */
export function createTimers(): Timers {
  const live = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  return {
    size: () => live.size,
    set(fn, ms) {
      // Work that outlives close() (a token fetch, a refresh that fails) must not arm a timer that keeps Node alive.
      if (closed) return () => {};
      const timer = setTimeout(() => {
        live.delete(timer);
        fn();
      }, Math.min(Math.max(0, ms), MAX_DELAY));
      live.add(timer);
      return () => {
        clearTimeout(timer);
        live.delete(timer);
      };
    },
    close() {
      closed = true;
      for (const timer of live) clearTimeout(timer);
      live.clear();
    },
  };
}

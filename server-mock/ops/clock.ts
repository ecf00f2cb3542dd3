/**
 * Time as the server sees it. Token expiry, reminders and rate limits read
 * the time and arm timers through a Clock so tests can move time by hand
 * instead of waiting for it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Longest delay setTimeout honours; beyond it, Node fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. Delays longer than setTimeout allows (tokens can outlive 24.8 days) are chained. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    let timer: ReturnType<typeof setTimeout>;
    const arm = (remaining: number): void => {
      timer = setTimeout(() => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()), Math.min(Math.max(0, remaining), MAX_TIMER_MS));
    };
    arm(ms);
    return () => clearTimeout(timer);
  },
};

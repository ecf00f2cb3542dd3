/** Reconnect backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** Shortest delay. Default 500. */
  minDelay?: number;
  /** Longest delay. Default 20 000. */
  maxDelay?: number;
}

/**
 * How wide the reconnect's first retry window is, in multiples of `minDelay`: [min, 5·min]. Every client of a
 * crashed server draws its first retry at the same instant, so this window alone sets the herd's peak; at 2·min
 * (plain doubling) 2,000 clients put ~24 % of their attempts in one 100 ms.
 */
export const RECONNECT_FIRST_SPREAD = 5;

/**
 * Full-jitter exponential backoff: a random delay in [min, min(max, max(min·spread, min·2^attempt))]. The jitter
 * spreads a crowd of clients that lost the same server, so they do not all come back in the same instant; `spread`
 * widens the early windows (the reconnect passes {@link RECONNECT_FIRST_SPREAD}).
 */
export function backoffDelay(attempt: number, { minDelay = 500, maxDelay = 20_000 }: BackoffOptions = {}, random = Math.random, spread = 2): number {
  const ceiling = Math.min(maxDelay, minDelay * Math.max(spread, 2 ** Math.min(attempt, 30)));
  return Math.max(minDelay, minDelay + random() * (ceiling - minDelay));
}

/** Reconnect backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** Shortest delay. Default 500. */
  minDelay?: number;
  /** Longest delay. Default 20 000. */
  maxDelay?: number;
}

/**
 * Full-jitter exponential backoff: a random delay in
 * [min, min(max, min·2^attempt)]. The jitter spreads a crowd of clients that
 * lost the same server, so they do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, { minDelay = 500, maxDelay = 20_000 }: BackoffOptions = {}, random = Math.random): number {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
  return Math.max(minDelay, minDelay + random() * (ceiling - minDelay));
}

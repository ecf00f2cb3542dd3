import type { Timers } from './timers.js';

/** A fixed token, or a function that fetches a fresh one (it may throw `UnauthorizedError`). */
export type TokenProvider = string | (() => string | Promise<string>);

/** A token this close to its `exp` is not used for a new connection. */
const EXPIRY_MARGIN_MS = 1_000;

/**
 * Reads `exp` (as ms since the epoch) from a JWT's payload without verifying it:
 * the client only needs to know when to refresh. Undefined for anything else.
 */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The client's token (see {@link createTokens}). */
export interface Tokens {
  /** True when the provider is a function, so refreshing can yield a new token. */
  readonly refreshable: boolean;
  /** The last token obtained, if any (for redacting it from logs). */
  last(): string | undefined;
  /** The token for a new connection: the one a refresh under way brings, the cached one if still valid, else a fresh one. */
  current(): Promise<string>;
  /** Fetches a fresh token, or joins the fetch already under way. Only for a {@link refreshable} provider. */
  refresh(): Promise<string>;
  /** Forgets the cached token (the server said it expired), so the next connection fetches one. */
  invalidate(): void;
  /** `base` with the {@link current} token as its `access_token`, for a new connection. */
  url(base: string): Promise<string>;
  /**
   * When to refresh on our own, in case the server's reminder never comes:
   * 60 s before `exp`, or 10 % of the lifetime before it if that is shorter.
   * Undefined when the token has no readable `exp`.
   */
  refreshAt(): number | undefined;
}

/**
 * The client's token: the provider, the last token it gave and when that one
 * expires. Concurrent refreshes share one provider call. A connection never
 * gets a token that a refresh under way is about to replace, nor one that
 * has expired (see centrifuge-js#435).
 * @param fresh Called with each token a refresh brings, and its expiry.
 * @param bound How long a token function may take before the call is given up (`queueTimeout`), and the timers to
 * measure it with: a fetch that never settles would otherwise hold the connection in `connecting` for ever.
 */
export function createTokens(provider: TokenProvider, fresh: (token: string, expires: number | undefined) => void, { ms, timers }: { ms: number; timers?: Timers } = { ms: Infinity }): Tokens {
  const refreshable = typeof provider === 'function';
  let token = refreshable ? undefined : provider;
  let expires: number | undefined;
  let obtained = 0;
  let inflight: Promise<string> | undefined;

  const refresh = (): Promise<string> =>
    // Chained, not an async IIFE: a provider that throws synchronously would clear `inflight` before it is even set.
    (inflight ??= new Promise<string>((resolve, reject) => {
      const stop = ms < Infinity ? timers!.set(() => reject(new Error(`token function did not settle within ${ms} ms (queueTimeout)`)), ms) : undefined;
      Promise.resolve()
        .then(provider as Exclude<TokenProvider, string>)
        .then((given) => {
          if (typeof given !== 'string' || given === '') throw new TypeError('token function returned no token');
          // Kept even when it comes after the call was given up: it is as fresh as the one the next attempt asks for.
          token = given;
          expires = tokenExpiry(given);
          obtained = Date.now();
          fresh(given, expires);
          resolve(given);
        })
        .catch(reject)
        .finally(stop);
    }).finally(() => (inflight = undefined)));

  const current = (): Promise<string> => {
    if (inflight) return inflight;
    const valid = token !== undefined && (expires === undefined || expires - Date.now() > EXPIRY_MARGIN_MS);
    return valid || !refreshable ? Promise.resolve(token!) : refresh();
  };

  return {
    refreshable,
    last: () => token,
    current,
    async url(base) {
      const url = new URL(base);
      url.searchParams.set('access_token', await current());
      return `${url}`;
    },
    refresh,
    invalidate() {
      if (refreshable) token = undefined;
    },
    refreshAt: () => (expires === undefined || !refreshable ? undefined : expires - Math.min(60_000, (expires - obtained) / 10)),
  };
}

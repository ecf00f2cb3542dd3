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

/**
 * The client's token: the provider, the last token it gave and when that one
 * expires. Concurrent refreshes share one provider call. A connection never
 * gets a token that a refresh under way is about to replace, nor one that
 * has expired (see centrifuge-js#435).
 */
export class Tokens {
  private token: string | undefined;
  private expires: number | undefined;
  private obtained = 0;
  private inflight: Promise<string> | undefined;

  /**
   * @param fresh Called with each token a refresh brings, and its expiry.
   * @param bound How long a token function may take before the call is given up (`queueTimeout`), and the timers to
   * measure it with: a fetch that never settles would otherwise hold the connection in `connecting` for ever.
   */
  constructor(
    private readonly provider: TokenProvider,
    private readonly fresh: (token: string, expires: number | undefined) => void,
    private readonly bound: { ms: number; timers?: Timers } = { ms: Infinity },
  ) {
    if (typeof provider === 'string') this.token = provider;
  }

  /** True when the provider is a function, so refreshing can yield a new token. */
  get refreshable(): boolean {
    return typeof this.provider === 'function';
  }

  /** The last token obtained, if any (for redacting it from logs). */
  get last(): string | undefined {
    return this.token;
  }

  /** The token for a new connection: the one a refresh under way brings, the cached one if still valid, else a fresh one. */
  current(): Promise<string> {
    if (this.inflight) return this.inflight;
    const valid = this.token !== undefined && (this.expires === undefined || this.expires - Date.now() > EXPIRY_MARGIN_MS);
    return valid || !this.refreshable ? Promise.resolve(this.token!) : this.refresh();
  }

  /** Fetches a fresh token, or joins the fetch already under way. Only for a {@link refreshable} provider. */
  refresh(): Promise<string> {
    const provider = this.provider as Exclude<TokenProvider, string>;
    // Chained, not an async IIFE: a provider that throws synchronously would clear `inflight` before it is even set.
    const { ms, timers } = this.bound;
    this.inflight ??= new Promise<string>((resolve, reject) => {
      const stop = ms < Infinity ? timers!.set(() => reject(new Error(`the token function did not settle within ${ms} ms (queueTimeout)`)), ms) : undefined;
      Promise.resolve()
        .then(provider)
        .then((token) => {
          if (typeof token !== 'string' || token === '') throw new TypeError('the token function returned no token');
          // Kept even when it comes after the call was given up: it is as fresh as the one the next attempt asks for.
          this.store(token);
          resolve(token);
        })
        .catch(reject)
        .finally(stop);
    }).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Forgets the cached token (the server said it expired), so the next connection fetches one. */
  invalidate(): void {
    if (this.refreshable) this.token = undefined;
  }

  /**
   * When to refresh on our own, in case the server's reminder never comes:
   * 60 s before `exp`, or 10 % of the lifetime before it if that is shorter.
   * Undefined when the token has no readable `exp`.
   */
  refreshAt(): number | undefined {
    if (this.expires === undefined || !this.refreshable) return undefined;
    return this.expires - Math.min(60_000, (this.expires - this.obtained) / 10);
  }

  private store(token: string): void {
    this.token = token;
    this.expires = tokenExpiry(token);
    this.obtained = Date.now();
    this.fresh(token, this.expires);
  }
}

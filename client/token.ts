/** A fixed token, or a function that fetches a fresh one. */
export type TokenProvider = string | (() => string | Promise<string>);

/** Supplies tokens, with concurrent fetches coalesced into one call. */
export interface TokenSource {
  /** The current token, fetching one first if there is none. */
  current(): Promise<string>;
  /** Fetches a fresh token (or joins the fetch already under way). */
  refresh(): Promise<string>;
  /** True when the provider is a function, so refreshing can yield a new token. */
  readonly refreshable: boolean;
}

/** Wraps a {@link TokenProvider} into a {@link TokenSource}. */
export function createTokenSource(provider: TokenProvider): TokenSource {
  let token: string | undefined = typeof provider === 'string' ? provider : undefined;
  let inflight: Promise<string> | undefined;

  const refresh = (): Promise<string> => {
    if (typeof provider === 'string') return Promise.resolve(provider);
    inflight ??= (async () => {
      try {
        const next = await provider();
        if (typeof next !== 'string' || next === '') throw new TypeError('token provider returned no token');
        token = next;
        return next;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  return {
    current: () => (token === undefined ? refresh() : Promise.resolve(token)),
    refresh,
    refreshable: typeof provider === 'function',
  };
}

import { tokenExpiry } from '../token.js';

/**
 * The token of a shared connection. It never calls a token function itself:
 * `mint` asks a live tab, whose page holds the function. Tokens the tabs
 * bring (at connect) are adopted when they last longer. Tabs asking for a
 * token get the current one until it is due for refresh, so the N tabs of a
 * user cause one refresh, not N.
 */
export class HostTokens {
  private token: string | undefined;
  private expires: number | undefined;
  private obtained = 0;
  private givenUpstream: string | undefined;
  private inflight: Promise<string> | undefined;

  /** @param mint Fetches a fresh token from a tab's token function. */
  constructor(private readonly mint: () => Promise<string>) {}

  /** Adopts `token` if there is none yet or it expires later than the current one. */
  offer(token: string): void {
    const expires = tokenExpiry(token);
    if (this.token === undefined || (expires !== undefined && this.expires !== undefined && expires > this.expires)) this.store(token, expires);
  }

  /** For a tab: the current token, or a fresh one once it is due. */
  current(): Promise<string> {
    return this.token !== undefined && !this.due() ? Promise.resolve(this.token) : this.refresh();
  }

  /** For the shared connection, which asks only when it needs a new token: one it has not had yet. */
  upstream(): Promise<string> {
    const given = this.token !== undefined && this.token !== this.givenUpstream && !this.due() ? Promise.resolve(this.token) : this.refresh();
    return given.then((token) => (this.givenUpstream = token));
  }

  /** The moment a client would refresh on its own (60 s, or a tenth of the lifetime, before `exp`), with 2 s to spare. */
  private due(): boolean {
    if (this.expires === undefined) return false;
    return this.expires - Date.now() < Math.min(60_000, (this.expires - this.obtained) / 10) + 2_000;
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.mint()
      .then((token) => {
        this.store(token, tokenExpiry(token));
        return token;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private store(token: string, expires: number | undefined): void {
    this.token = token;
    this.expires = expires;
    this.obtained = Date.now();
  }
}

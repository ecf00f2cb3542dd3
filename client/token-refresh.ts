import { backoffDelay, type BackoffOptions } from './backoff.js';
import { RtmError, UnauthorizedError } from './errors.js';
import { RtcErrorCode } from '../protocol/index.js';
import type { Timers } from './timers.js';
import type { Tokens } from './token.js';

/** What {@link TokenRefresh} needs from the client. */
export interface TokenRefreshDeps {
  tokens: Tokens;
  timers: Timers;
  /** Identifies the open link (changes on every open), or undefined when not open. */
  link: () => number | undefined;
  /** Sends `jwt replace` with `token` on the open link. */
  replace: (token: string) => Promise<unknown>;
  /** Backoff for retrying a failed refresh. */
  backoff: BackoffOptions | undefined;
  report: (error: RtmError) => void;
  /** The token was refused for good: stop the client. */
  stop: (cause: unknown) => void;
}

/** Keeps an open link's token fresh (see {@link createTokenRefresh}). */
export interface TokenRefresh {
  /** Arms the own timer for the current token. Call whenever a new token arrives. */
  schedule(): void;
  /** Refreshes now (or joins the refresh under way). */
  run(): Promise<void>;
}

/**
 * Keeps an open link's token fresh: on the server's reminder and, in case it
 * never comes, on its own timer before `exp`. Triggers that overlap share one
 * refresh and one `jwt replace`; failures are reported and retried with
 * backoff; a refusal stops the client.
 */
export function createTokenRefresh({ tokens, timers, link, replace, backoff, report, stop }: TokenRefreshDeps): TokenRefresh {
  let running: Promise<void> | undefined;
  let failures = 0;
  let cancel: (() => void) | undefined;

  const schedule = (): void => {
    cancel?.();
    const at = tokens.refreshAt();
    // Re-check on firing: a timer capped at 24.8 days may fire before a far-off refresh time.
    if (at !== undefined) cancel = timers.set(() => (Date.now() >= at ? void run() : schedule()), at - Date.now());
  };

  // Cleared in `finally`, which always runs later, so a call that returns at once cannot leave a settled promise
  // behind that would swallow every later trigger.
  const run = (): Promise<void> => (running ??= refresh().finally(() => (running = undefined)));

  const refresh = async (): Promise<void> => {
    const opened = link();
    // Not connected: the next connection fetches a token anyway, if the cached one is no longer valid.
    if (!tokens.refreshable || opened === undefined) return;
    try {
      const token = await tokens.refresh();
      // Sent only on the link it was fetched for; a newer link already connected with it.
      if (link() === opened) await replace(token);
      failures = 0;
    } catch (error) {
      if (error instanceof UnauthorizedError || (error instanceof RtmError && error.code === RtcErrorCode.InvalidToken)) return stop(error);
      if (error instanceof RtmError && (error.code === 'disconnected' || error.code === 'closed')) return;
      report(new RtmError('token', 'token refresh failed; retrying', undefined, { cause: error }));
      cancel?.();
      cancel = timers.set(() => void run(), backoffDelay(++failures, backoff));
    }
  };

  return { schedule, run };
}

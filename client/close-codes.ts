import { CloseCode } from '../protocol/index.js';

/**
 * What the client does after the link closes with a given code:
 * `retry` reconnects with backoff, `refresh` reconnects with a freshly fetched
 * token, `stop` closes the client for good and emits an error.
 */
export type CloseAction = 'retry' | 'refresh' | 'stop';

/**
 * The close-code policy (docs/client.md shows it as a table). Codes not listed
 * are retried: an unknown code is more likely a proxy or a new server
 * version than a reason to give up on the user.
 */
export const CLOSE_POLICY: Readonly<Record<number, CloseAction>> = {
  1001: 'retry', // going away: server restart or deploy
  1006: 'retry', // abnormal: network loss, refused handshake
  1011: 'retry', // server error
  1012: 'retry', // service restart
  1013: 'retry', // try again later
  [CloseCode.SlowConsumer]: 'retry',
  [CloseCode.TokenExpired]: 'refresh',
  [CloseCode.InvalidToken]: 'stop',
  1008: 'stop', // policy violation: the same request would be refused again
  // Message too big: the client refuses such commands itself (too_large), so this came from an older or stricter
  // server; the command that caused it has failed, and a new link serves the rest.
  1009: 'retry',
};

/** The {@link CloseAction} for a close code. */
export function closeAction(code: number): CloseAction {
  return CLOSE_POLICY[code] ?? 'retry';
}

import type { ClientOptions } from '../client.js';

/** Client options a tab hands the host with each socket (the first tab's make the shared client): those that can cross a port. */
export type SharedClientSettings = Pick<ClientOptions, 'reconnect' | 'connectTimeout' | 'requestTimeout' | 'maxQueued' | 'pingInterval' | 'pingTimeout'>;

/**
 * What tabs and the link host say to each other, over a SharedWorker's port or
 * a BroadcastChannel. A tab's client talks RTC over a virtual socket (`conn`)
 * whose frames the host answers or relays on its one real connection.
 */

/** From a tab to the host. `tab` names the sending tab's link. */
export type TabMessage =
  /** Opens virtual socket `conn` for the user `key`; `url` carries the tab's current token. */
  | { t: 'open'; tab: string; conn: number; key: string; url: string; settings: SharedClientSettings }
  /** An RTC frame the tab's client sent on `conn`. */
  | { t: 'frame'; tab: string; conn: number; data: string }
  /** The tab's client closed `conn`. */
  | { t: 'close'; tab: string; conn: number }
  /** The tab's client wants a token for `key`: the host answers with its current one (fetching a fresh one if due). */
  | { t: 'token'; tab: string; ask: number; key: string }
  /** The answer to the host's `mint`: a token from the page's token function, or why not. */
  | { t: 'minted'; tab: string; ask: number; token?: string; error?: string; unauthorized?: boolean }
  /** The tab's link is going away (its last client closed, or the page is hidden for good). */
  | { t: 'leave'; tab: string };

/** From the host to one tab. */
export type HostMessage =
  /** Virtual socket `conn` is open: the host's connection is. */
  | { t: 'opened'; conn: number }
  /** An RTC frame for `conn`. */
  | { t: 'frame'; conn: number; data: string }
  /** The host closed `conn`, as a server would close a socket. */
  | { t: 'closed'; conn: number; code: number; reason: string }
  /** The answer to `token`. */
  | { t: 'token'; ask: number; token?: string; error?: string; unauthorized?: boolean }
  /** The host needs a fresh token from the page's token function. */
  | { t: 'mint'; ask: number; key: string };

/** Close code of virtual sockets whose host went away or lost its connection: the tab's client reconnects, as after a network loss. */
export const LINK_LOST = 1006;

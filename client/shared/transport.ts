import type { HostMessage, TabMessage } from './messages.js';

/** What a {@link Transport} tells the tab's link. */
export interface TransportEvents {
  /** A message from the host. */
  message(message: HostMessage): void;
  /** Another host serves `key` now: sockets on the old one are lost, requests not yet answered go to the new one. */
  hostChanged(key: string): void;
  /** The mechanism cannot work here after all (e.g. the worker's script did not load). */
  failed(): void;
}

/** How a tab reaches the host of its shared connections. */
export interface Transport {
  /** `worker`: a SharedWorker holds the connections; `election`: the tab elected by Web Locks does. */
  readonly mode: 'worker' | 'election';
  /** Starts serving the user `key` (the election of its leader, for `election`). */
  join(key: string): void;
  /** Sends a message to the host of `key`. */
  send(key: string, message: TabMessage): void;
  /** Stops using the transport. */
  close(): void;
}

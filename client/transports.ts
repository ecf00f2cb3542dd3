import type { WebSocketConstructor } from './connection.js';
import { httpSocket } from './http-socket.js';
import type { Logger } from './log.js';
import type { Timers } from './timers.js';

/** The ways a client can reach the server, best first. */
export type TransportName = 'websocket' | 'http-stream' | 'long-poll';

/** Every transport, in the order the client tries them. */
export const TRANSPORTS: readonly TransportName[] = ['websocket', 'http-stream', 'long-poll'];

/** Payload of the `transport` event. */
export interface TransportChange {
  /** The transport now in use. */
  transport: TransportName;
  /** The one before, if the client had connected before. */
  previous: TransportName | undefined;
}

/** Settings of {@link Transports}. */
export interface TransportsOptions {
  /** The transports allowed, in order of preference. */
  list: readonly TransportName[];
  WebSocket: WebSocketConstructor | undefined;
  /** Mean wait between two WebSocket probes while on a fallback, in ms. */
  upgradeInterval: number;
  /** How long a probe may take to open, in ms. */
  connectTimeout: number;
  /** The WebSocket URL with a fresh token, for a probe. */
  url: () => Promise<string>;
  /** Replaces the current link: a probe found WebSocket working again. */
  upgrade: () => void;
  timers: Timers;
  log?: Logger;
}

/** Minimal view of the sockets handed to the reconnecting socket. */
interface Attempt {
  addEventListener(type: string, listener: (event: { message?: string }) => void): void;
  stalled?: boolean;
  posted?: boolean;
}

/**
 * Picks the transport of each connection attempt. It steps down from
 * WebSocket after two handshakes in a row failed, or at once when the server
 * (or a proxy) plainly refused the upgrade; from HTTP streaming to
 * long-polling when a stream opened but never delivered a byte (a proxy that
 * buffers responses). An HTTP transport that cannot reach the server at all
 * says nothing about WebSockets, so the next attempt starts from the top
 * again. While on a fallback it probes WebSocket every `upgradeInterval`
 * (jittered) and asks for an upgrade once one opens.
 */
export class Transports {
  /** A constructor for the reconnecting socket: each `new` is one attempt on the transport picked now. */
  readonly socket: WebSocketConstructor;
  /** The transport of the link that opened last. */
  current: TransportName | undefined;
  /** Stops probing and releases the probe socket. */
  readonly close: () => void;

  // The state lives in the constructor's closure: locals minify, members would not.
  constructor({ list, WebSocket, upgradeInterval, connectTimeout, url, upgrade, timers, log }: TransportsOptions) {
    let index = 0;
    let failures = 0;
    let cancelProbe: (() => void) | undefined;
    let probe: { close(): void } | undefined;
    const down = (): number => (index = Math.min(index + 1, list.length - 1));
    // Jittered by ±25 %, so clients behind the same proxy do not probe in step.
    const armProbe = (): void => void (cancelProbe = timers.set(() => void runProbe(), upgradeInterval * (0.75 + Math.random() / 2)));
    const runProbe = async (): Promise<void> => {
      let address: string;
      try {
        address = await url();
      } catch {
        return armProbe();
      }
      const ws = new WebSocket!(address) as { onopen: unknown; onclose: unknown; onerror: unknown; close(code?: number): void };
      probe = ws;
      const cancel = timers.set(() => ws.close(), connectTimeout);
      ws.onerror = () => {};
      ws.onopen = () => {
        ws.onclose = null;
        ws.close(1000);
        cancel();
        log?.('transport', 'websocket works again: upgrading');
        index = 0;
        upgrade();
      };
      ws.onclose = () => {
        cancel();
        armProbe();
      };
    };
    const opened = (name: TransportName): void => {
      if (name === 'websocket') failures = 0;
      this.current = name;
      cancelProbe?.();
      if (index > 0 && list[0] === 'websocket') armProbe();
    };
    const failed = (name: TransportName, refused: boolean, socket: Attempt): void => {
      if (name !== 'websocket') {
        if (socket.stalled) down();
        else if (!socket.posted) index = 0;
      } else if (refused || ++failures > 1) {
        failures = 0;
        down();
      }
    };
    this.close = () => {
      cancelProbe?.();
      probe?.close();
    };
    // A function, not an arrow: the reconnecting socket calls it with `new`, and gets the object it returns.
    this.socket = function (address: string) {
      const name = list[index]!;
      log?.('transport', name);
      const socket = (name === 'websocket' ? new WebSocket!(address) : httpSocket(address, name === 'long-poll')) as Attempt;
      let open = false;
      let status = '';
      socket.addEventListener('open', () => {
        open = true;
        opened(name);
      });
      // Only Node's ws says why a handshake failed; browsers hide it, and two failures in a row stand for it there.
      socket.addEventListener('error', ({ message = '' }) => (status ||= /response: (\d+)/.exec(message)?.[1] ?? ''));
      // A 5xx or 429 is the server itself, busy or stopping: that says nothing about WebSockets being blocked.
      socket.addEventListener('close', () => open || /^(5|429)/.test(status) || failed(name, /^[24]/.test(status), socket));
      return socket;
    } as unknown as WebSocketConstructor;
  }
}

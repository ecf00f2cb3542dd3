import type { WebSocketConstructor } from './connection.js';
import { HttpSocket } from './http-socket.js';
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
  private index = 0;
  private failures = 0;
  private cancelProbe: (() => void) | undefined;
  private probe: { close(): void } | undefined;

  constructor(private readonly options: TransportsOptions) {
    const self = this;
    this.socket = function (url: string) {
      return self.attempt(url);
    } as unknown as WebSocketConstructor;
  }

  /** Stops probing and releases the probe socket. */
  close(): void {
    this.cancelProbe?.();
    this.probe?.close();
  }

  private attempt(url: string): Attempt {
    const { list, WebSocket, log } = this.options;
    const name = list[this.index]!;
    log?.('transport', name);
    const socket = (name === 'websocket' ? new WebSocket!(url) : new HttpSocket(url, name === 'long-poll')) as Attempt;
    let opened = false;
    let status = '';
    socket.addEventListener('open', () => {
      opened = true;
      this.opened(name);
    });
    // Only Node's ws says why a handshake failed; browsers hide it, and two failures in a row stand for it there.
    socket.addEventListener('error', ({ message = '' }) => (status ||= /response: (\d+)/.exec(message)?.[1] ?? ''));
    // A 5xx or 429 is the server itself, busy or stopping: that says nothing about WebSockets being blocked.
    socket.addEventListener('close', () => opened || /^(5|429)/.test(status) || this.failed(name, /^[24]/.test(status), socket));
    return socket;
  }

  private opened(name: TransportName): void {
    if (name === 'websocket') this.failures = 0;
    this.current = name;
    this.cancelProbe?.();
    if (this.index > 0 && this.options.list[0] === 'websocket') this.armProbe();
  }

  private failed(name: TransportName, refused: boolean, socket: Attempt): void {
    const last = this.options.list.length - 1;
    if (name === 'websocket') {
      if (!refused && ++this.failures < 2) return;
      this.failures = 0;
      this.index = Math.min(this.index + 1, last);
    } else if (socket.stalled) this.index = Math.min(this.index + 1, last);
    else if (!socket.posted) this.index = 0;
  }

  private armProbe(): void {
    const { upgradeInterval, timers } = this.options;
    // Jittered by ±25 %, so clients behind the same proxy do not probe in step.
    this.cancelProbe = timers.set(() => void this.runProbe(), upgradeInterval * (0.75 + Math.random() / 2));
  }

  private async runProbe(): Promise<void> {
    const { WebSocket, connectTimeout, timers, log } = this.options;
    let url: string;
    try {
      url = await this.options.url();
    } catch {
      return this.armProbe();
    }
    const ws = new WebSocket!(url) as { onopen: unknown; onclose: unknown; onerror: unknown; close(code?: number): void };
    this.probe = ws;
    const cancel = timers.set(() => ws.close(), connectTimeout);
    ws.onerror = () => {};
    ws.onopen = () => {
      ws.onclose = null;
      ws.close(1000);
      cancel();
      log?.('transport', 'websocket works again: upgrading');
      this.index = 0;
      this.options.upgrade();
    };
    ws.onclose = () => {
      cancel();
      this.armProbe();
    };
  }
}

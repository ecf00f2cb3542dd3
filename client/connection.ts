import ReconnectingWebSocket from 'partysocket/ws';
import { createNanoEvents } from 'nanoevents';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { RtmError } from './errors.js';
import { CloseCode, isObject, type CommandMessage, type ServerMessage } from './protocol.js';
import type { TokenSource } from './token.js';

/**
 * Connection states. `closed` is terminal: reached after `close()` or after a
 * close the server says must not be retried.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Payload of the `state` event. */
export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why the transition happened, e.g. `connect`, `open`, `close 1006`, `client closed`. */
  reason: string;
}

/** A WebSocket constructor, such as the browser's or the `ws` package's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/** Settings of {@link Connection}. */
export interface ConnectionOptions {
  url: string;
  tokens: TokenSource;
  WebSocket?: WebSocketConstructor;
  /** Backoff settings, or `false` to never reconnect. */
  reconnect?: false | BackoffOptions;
  /** How long one connection attempt may take, in ms. Default 5000. */
  connectTimeout?: number;
}

interface ConnectionEvents {
  state: (change: StateChange) => void;
  message: (message: ServerMessage) => void;
  error: (error: RtmError) => void;
}

/** A connection up this long counts as stable, so the backoff starts over. */
const STABLE_AFTER_MS = 5_000;

/** Close codes after which retrying cannot help. */
const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 1009, CloseCode.InvalidToken]);

/** True when a close with this code should be followed by a reconnect. */
export function isRetryable(code: number): boolean {
  return !TERMINAL_CLOSE_CODES.has(code);
}

/**
 * One logical link to the server over partysocket's reconnecting WebSocket.
 * It owns the state machine, the jittered backoff and the token in the URL;
 * it never queues: callers send only while `open`.
 */
export class Connection {
  private readonly emitter = createNanoEvents<ConnectionEvents>();
  private socket: ReconnectingWebSocket | undefined;
  private current: ConnectionState = 'idle';
  private failures = 0;
  private openedAt = 0;
  private wait: { timer: ReturnType<typeof setTimeout>; done: () => void } | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Subscribes to connection events; returns the unsubscribe function. */
  on<E extends keyof ConnectionEvents>(event: E, handler: ConnectionEvents[E]): () => void {
    return this.emitter.on(event, handler);
  }

  /** Starts connecting. Does nothing unless `idle`. */
  connect(): void {
    if (this.current !== 'idle') return;
    this.transition('connecting', 'connect');
    const { reconnect, connectTimeout = 5_000, WebSocket } = this.options;
    // partysocket's own delay has no jitter: zero it and wait in nextUrl() instead.
    const socket = new ReconnectingWebSocket(() => this.nextUrl(), undefined, {
      WebSocket,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: connectTimeout,
      maxRetries: reconnect === false ? 0 : Number.POSITIVE_INFINITY,
      shouldReconnectOnClose: (event) => reconnect !== false && isRetryable(event.code),
    });
    socket.addEventListener('open', this.handleOpen);
    socket.addEventListener('message', this.handleMessage);
    socket.addEventListener('close', this.handleClose);
    this.socket = socket;
  }

  /** Sends a command if the link is open; returns false (and sends nothing) otherwise. */
  send(message: CommandMessage): boolean {
    if (this.current !== 'open' || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes the link for good and releases the socket, timers and listeners. */
  close(reason = 'client closed'): void {
    if (this.current === 'closed') return;
    this.cancelWait();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeEventListener('open', this.handleOpen);
      socket.removeEventListener('message', this.handleMessage);
      socket.removeEventListener('close', this.handleClose);
      socket.close(1000, reason);
    }
    this.transition('closed', reason);
  }

  private transition(state: ConnectionState, reason: string): void {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    this.emitter.emit('state', { state, previous, reason });
  }

  private async nextUrl(): Promise<string> {
    if (this.failures > 0) {
      const reconnect = this.options.reconnect;
      await this.sleep(backoffDelay(this.failures, reconnect === false ? undefined : reconnect));
    }
    if (this.current === 'closed') return 'ws://closed.invalid/';
    let token: string;
    try {
      token = await this.options.tokens.current();
    } catch (cause) {
      this.failures++;
      this.emitter.emit('error', new RtmError('token', 'could not obtain a token', undefined, { cause }));
      throw cause;
    }
    const url = new URL(this.options.url);
    url.searchParams.set('access_token', token);
    return url.toString();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wait = undefined;
        resolve();
      };
      this.wait = { timer: setTimeout(done, ms), done };
    });
  }

  private cancelWait(): void {
    if (!this.wait) return;
    clearTimeout(this.wait.timer);
    this.wait.done();
  }

  private readonly handleOpen = (): void => {
    this.openedAt = Date.now();
    this.transition('open', 'open');
  };

  private readonly handleMessage = (event: { data: unknown }): void => {
    let message: unknown;
    try {
      message = typeof event.data === 'string' ? JSON.parse(event.data) : undefined;
    } catch {
      message = undefined;
    }
    if (!isObject(message) || typeof message.type !== 'string' || !isObject(message.data)) {
      this.emitter.emit('error', new RtmError('protocol', 'ignored a malformed frame from the server'));
      return;
    }
    this.emitter.emit('message', message as unknown as ServerMessage);
  };

  private readonly handleClose = (event: { code: number; reason: string }): void => {
    if (this.current === 'closed') return;
    const wasStable = this.current === 'open' && Date.now() - this.openedAt >= STABLE_AFTER_MS;
    this.failures = wasStable ? 1 : this.failures + 1;
    const reason = `close ${event.code}${event.reason ? ` ${event.reason}` : ''}`;
    if (this.options.reconnect === false || !isRetryable(event.code)) {
      if (!isRetryable(event.code)) {
        const code = event.code === CloseCode.InvalidToken ? 3 : event.code;
        this.emitter.emit('error', new RtmError(code, event.reason || 'the server closed the connection for good'));
      }
      this.close(reason);
      return;
    }
    this.transition('reconnecting', reason);
  };
}

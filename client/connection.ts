import ReconnectingWebSocket from 'partysocket/ws';
import { createNanoEvents } from 'nanoevents';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { closeAction } from './close-codes.js';
import { RtmError, UnauthorizedError } from './errors.js';
import type { Logger } from './log.js';
import { CloseCode, isObject, type ServerMessage } from '../protocol/index.js';
import type { Timers } from './timers.js';
import type { Tokens } from './token.js';

/**
 * Connection states. `closed` is terminal: reached after `close()` or after a
 * close the policy says must not be retried.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Payload of the `state` event. */
export interface StateChange {
  /** The new state. */
  state: ConnectionState;
  /** The state before. */
  previous: ConnectionState;
  /** Why the transition happened, e.g. `connect`, `open`, `close 1006`, `ping timeout`, `offline`, `client closed`. */
  reason: string;
}

/** A WebSocket constructor, such as the browser's or the `ws` package's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/** Settings of {@link Connection}. */
export interface ConnectionOptions {
  url: string;
  tokens: Tokens;
  timers: Timers;
  WebSocket?: WebSocketConstructor;
  /** Backoff settings, or `false` to never reconnect. */
  reconnect?: false | BackoffOptions;
  /** How long one connection attempt may take, in ms. */
  connectTimeout: number;
  log?: Logger;
}

interface ConnectionEvents {
  state: (change: StateChange) => void;
  message: (message: ServerMessage) => void;
  error: (error: RtmError) => void;
}

/** A connection up this long counts as stable, so the backoff starts over. */
const STABLE_AFTER_MS = 5_000;
/** Close code for links the client drops itself (dead link, offline); in the range applications may use. */
const CLIENT_DROP = 4000;

/**
 * One logical link to the server over partysocket's reconnecting WebSocket.
 * It owns the state machine, the jittered backoff and the token in the URL;
 * it never queues: callers send only while `open`.
 */
export class Connection {
  /** Counts opens, so work started for one link can tell the link has since changed. */
  epoch = 0;
  private readonly emitter = createNanoEvents<ConnectionEvents>();
  private socket: ReconnectingWebSocket | undefined;
  private current: ConnectionState = 'idle';
  private failures = 0;
  private openedAt = 0;
  private wake: (() => void) | undefined;

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
    const { reconnect, connectTimeout, WebSocket } = this.options;
    // partysocket's own delay has no jitter: zero it and wait in nextUrl() instead.
    const socket = new ReconnectingWebSocket(() => this.nextUrl(), undefined, {
      WebSocket,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: connectTimeout,
      maxRetries: reconnect === false ? 0 : Number.POSITIVE_INFINITY,
      // Our requests/outbox are the only queue: a frame partysocket buffered while its socket was closing would be
      // reported as lost (disconnected) and then still be sent on the next open.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event) => reconnect !== false && closeAction(event.code) !== 'stop',
    });
    socket.onopen = this.handleOpen;
    socket.onmessage = this.handleMessage;
    socket.onclose = this.handleClose;
    this.socket = socket;
  }

  /** Sends a command's frame if the link is open; returns false (and sends nothing) otherwise. */
  send(frame: string): boolean {
    if (this.current !== 'open' || !this.socket?.send(frame)) return false;
    this.options.log?.('send', frame);
    return true;
  }

  /** Drops the current link or attempt (dead link, network gone) and reconnects with backoff. */
  drop(reason: string): void {
    if (this.current === 'open' || this.current === 'connecting') this.socket?.reconnect(CLIENT_DROP, reason);
  }

  /** Skips the rest of the backoff wait, or the next one, and starts the backoff over (the network is back). */
  resume(): void {
    this.failures = 0;
    this.wake?.();
  }

  /** Closes the link for good and releases the socket, timers and listeners. */
  close(reason = 'client closed'): void {
    if (this.current === 'closed') return;
    this.wake?.();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      // Detached first: the close below must not come back as a close to retry.
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close(1000, reason);
    }
    this.transition('closed', reason);
    this.emitter.events = {};
  }

  private transition(state: ConnectionState, reason: string): void {
    const previous = this.current;
    if (previous === state || previous === 'closed') return;
    this.current = state;
    this.options.log?.('state', `${previous} -> ${state} (${reason})`);
    this.emitter.emit('state', { state, previous, reason });
  }

  /** Emits only: the client's error reporter logs, so each error is logged once. */
  private fail(error: RtmError): void {
    this.emitter.emit('error', error);
  }

  private async nextUrl(): Promise<string> {
    if (this.failures > 0) {
      const { reconnect, timers } = this.options;
      await new Promise<void>((resolve) => {
        const cancel = timers.set(
          (this.wake = () => {
            cancel();
            this.wake = undefined;
            resolve();
          }),
          backoffDelay(this.failures, reconnect || undefined),
        );
      });
    }
    try {
      if (this.current === 'closed') throw new Error('closed');
      const url = new URL(this.options.url);
      url.searchParams.set('access_token', await this.options.tokens.current());
      this.options.log?.('connect', url.toString());
      return url.toString();
    } catch (cause) {
      if (this.current !== 'closed') {
        this.failures++;
        if (cause instanceof UnauthorizedError) {
          this.fail(new RtmError('unauthorized', cause.message, undefined, { cause }));
          this.close('unauthorized');
        } else this.fail(new RtmError('token', 'could not obtain a token', undefined, { cause }));
      }
      throw cause;
    }
  }

  private readonly handleOpen = (): void => {
    this.openedAt = Date.now();
    this.epoch++;
    this.transition('open', 'open');
  };

  private readonly handleMessage = (event: { data: unknown }): void => {
    let message: unknown;
    try {
      this.options.log?.('receive', String(event.data));
      message = JSON.parse(event.data as string);
    } catch {
      // Leaves message undefined: reported below.
    }
    if (!isObject(message) || typeof message.type !== 'string' || !isObject(message.data)) {
      return this.fail(new RtmError('protocol', 'ignored a malformed frame from the server'));
    }
    this.emitter.emit('message', message as unknown as ServerMessage);
  };

  // As onclose, not a 'close' listener: partysocket hands onclose the event itself, while listeners get a clone,
  // which in browsers it rebuilds with its arguments shifted (code "close", the original event as reason).
  private readonly handleClose = ({ code, reason: text }: { code: number; reason: string }): void => {
    const wasStable = this.current === 'open' && Date.now() - this.openedAt >= STABLE_AFTER_MS;
    this.failures = wasStable ? 1 : this.failures + 1;
    const reason = `close ${code}${text ? ` ${text}` : ''}`;
    const action = closeAction(code);
    if (action === 'refresh') this.options.tokens.invalidate();
    if (action === 'stop') {
      this.fail(new RtmError(code === CloseCode.InvalidToken ? 'unauthorized' : code, text || 'the server closed the connection for good'));
    }
    if (action === 'stop' || this.options.reconnect === false) this.close(reason);
    else this.transition('reconnecting', reason);
  };
}

import ReconnectingWebSocket from 'partysocket/ws';
import { backoffDelay, RECONNECT_FIRST_SPREAD, type BackoffOptions } from './backoff.js';
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
  /**
   * Why the transition happened, e.g. `connect`, `open`, `close 1006`, `no pong within 10000 ms`, `offline`,
   * `client closed`; for an attempt that never opened, `connect failed`, `handshake timeout` or `closed 1006 before open`.
   */
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
  /** Receives every well-formed frame. */
  receive: (message: ServerMessage) => void;
  /** Hears every state change. */
  changed: (change: StateChange) => void;
  /** Hears every error that belongs to no call (connect failures, a refused token, a malformed frame). */
  failed: (error: RtmError) => void;
  log?: Logger;
}

/** What one connection attempt came to: whether its socket opened, and the first error it reported. */
interface Attempt {
  opened: boolean;
  error?: string;
}

/** The part of a socket used to watch an attempt: an error listener added before partysocket's own. */
interface Watched {
  addEventListener(type: 'error', listener: (event: { message?: unknown; error?: unknown }) => void): void;
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
  private socket: ReconnectingWebSocket | undefined;
  private current: ConnectionState = 'idle';
  private failures = 0;
  private openedAt = 0;
  private wake: (() => void) | undefined;
  private attempt: Attempt | undefined;
  /**
   * Causes of the `connect` errors reported since the last open, so a retry that fails the same way is not
   * reported again, even when attempts alternate between transports that fail differently.
   */
  private readonly causes = new Set<string>();
  /** A refused token was already replaced once since the server last accepted one. */
  private tokenRetried = false;
  private why = 'not started';

  constructor(private readonly options: ConnectionOptions) {}

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Why the connection is where it is: the last transition's reason, or the last attempt's failure. */
  get reason(): string {
    return this.why;
  }

  /** Starts connecting. Does nothing unless `idle`. */
  connect(): void {
    if (this.current !== 'idle') return;
    this.transition('connecting', 'connect');
    const { reconnect, connectTimeout, WebSocket } = this.options;
    // partysocket reports a failed attempt as a normal close (1000) and its error only afterwards: an error
    // listener of our own, added before partysocket's, records what really happened for handleClose.
    const Socket = WebSocket!;
    const self = this;
    // A function, not an arrow: partysocket calls it with `new`, and the socket it returns becomes the result.
    function watch(url: string, protocols?: string | string[]): unknown {
      const attempt: Attempt = (self.attempt = { opened: false });
      let socket: Watched;
      try {
        socket = new Socket(url, protocols) as Watched;
      } catch (error) {
        // E.g. a ws:// URL from an https page. partysocket would retry at once, for ever: back off and say why.
        self.failures++;
        self.failedAttempt(`connect failed (${(error as Error).message})`);
        if (self.options.reconnect === false) self.close(self.why);
        else self.transition('reconnecting', self.why);
        throw error;
      }
      socket.addEventListener('error', (event) => {
        const { message, error } = event;
        attempt.error ??= String(message || (error as Error | undefined)?.message || '');
      });
      return socket;
    }
    // partysocket's own delay has no jitter: zero it and wait in nextUrl() instead.
    const socket = new ReconnectingWebSocket(() => this.nextUrl(), undefined, {
      WebSocket: watch as unknown as WebSocketConstructor,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: connectTimeout,
      maxRetries: reconnect === false ? 0 : Infinity,
      // Our requests/outbox are the only queue: a frame partysocket buffered while its socket was closing would be
      // reported as lost (disconnected) and then still be sent on the next open.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event) => reconnect !== false && this.actionOn(event.code) !== 'stop',
    });
    // partysocket calls onmessage and then clones each message event and dispatches the copy through its own
    // EventTarget, where nothing listens: its per-socket handler is replaced, so a frame costs one call, no copy.
    (socket as unknown as { _handleMessage: (event: { data: unknown }) => void })._handleMessage = this.handleMessage;
    socket.onopen = this.handleOpen;
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

  /** The server answered on this link without refusing the token: a later refusal may be retried once again. */
  accepted(): void {
    this.tokenRetried = false;
  }

  /** The server refused the token on the open link (error 3 before any answer): a fresh token once, else stop. */
  refused(info: string): void {
    if (this.current !== 'open') return;
    if (this.actionOn(CloseCode.InvalidToken) === 'stop') return this.stop(info);
    this.tokenRetried = true;
    this.options.tokens.invalidate();
    this.socket?.reconnect(CLIENT_DROP, 'token refused');
  }

  /** Closes the link for good and releases the socket, timers and listeners. */
  close(reason = 'client closed'): void {
    if (this.current === 'closed') return;
    this.wake?.();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      // Detached first: the close below must not come back as a close to retry.
      socket.onopen = socket.onclose = null;
      socket.close(1000, reason);
    }
    this.transition('closed', reason);
  }

  /** What to do after a close with `code`: a refused token function gets one fresh token before the client gives up. */
  private actionOn(code: number): ReturnType<typeof closeAction> {
    const retry = code === CloseCode.InvalidToken && this.options.tokens.refreshable && !this.tokenRetried;
    return retry ? 'refresh' : closeAction(code);
  }

  private stop(info: string): void {
    this.fail(new RtmError('unauthorized', `the server refused the token (${info || 'no reason given'}); the client has stopped`));
    this.close('unauthorized');
  }

  /** Reports an attempt that never opened: once per cause, so a retry loop does not repeat the same error. */
  private failedAttempt(cause: string): void {
    this.why = cause;
    this.options.log?.('attempt', cause);
    if (this.causes.has(cause)) return;
    // Bounded: a cause that embeds something changing (a port, a count) cannot grow it without end.
    if (this.causes.size >= 8) this.causes.clear();
    this.causes.add(cause);
    const url = new URL(this.options.url);
    // As the app gave it: no token, and not the session flag the client adds itself.
    url.searchParams.delete('access_token');
    url.searchParams.delete('session');
    this.fail(new RtmError('connect', `cannot connect to ${url}: ${cause}`));
  }

  private transition(state: ConnectionState, reason: string): void {
    const previous = this.current;
    this.why = reason;
    if (previous === state || previous === 'closed') return;
    this.current = state;
    this.options.log?.('state', `${previous} -> ${state} (${reason})`);
    this.options.changed({ state, previous, reason });
  }

  /** Emits only: the client's error reporter logs, so each error is logged once. */
  private fail(error: RtmError): void {
    if (this.current !== 'closed') this.options.failed(error);
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
          backoffDelay(this.failures, reconnect || undefined, Math.random, RECONNECT_FIRST_SPREAD),
        );
      });
    }
    // A close that comes without a new socket (the token could not be had) belongs to no attempt.
    this.attempt = undefined;
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
    if (this.attempt) this.attempt.opened = true;
    this.causes.clear();
    this.openedAt = Date.now();
    this.epoch++;
    this.transition('open', 'open');
  };

  private readonly handleMessage = (event: { data: unknown }): void => {
    // A socket closing for good may still hand over a frame: nobody is listening any more.
    if (!this.socket) return;
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
    this.options.receive(message as unknown as ServerMessage);
  };

  // As onclose, not a 'close' listener: partysocket hands onclose the event itself, while listeners get a clone,
  // which in browsers it rebuilds with its arguments shifted (code "close", the original event as reason).
  private readonly handleClose = ({ code, reason: text }: { code: number; reason: string }): void => {
    const wasStable = this.current === 'open' && Date.now() - this.openedAt >= STABLE_AFTER_MS;
    this.failures = wasStable ? 1 : this.failures + 1;
    const { opened = true, error } = this.attempt ?? {};
    let reason = `close ${code}${text ? ` ${text}` : ''}`;
    if (error !== undefined) reason = opened ? `connection error${error ? ` (${error})` : ''}` : `connect failed${error ? ` (${error})` : ''}`;
    else if (!opened && code !== CLIENT_DROP) reason = text === 'timeout' && code === 1000 ? 'handshake timeout' : `closed ${code} before open${text ? ` (${text})` : ''}`;
    if (!opened && code !== CLIENT_DROP) this.failedAttempt(reason);
    const action = this.actionOn(code);
    if (code === CloseCode.InvalidToken && action === 'refresh') this.tokenRetried = true;
    if (action === 'refresh') this.options.tokens.invalidate();
    if (action === 'stop') {
      if (code === CloseCode.InvalidToken) return this.stop(text);
      this.fail(new RtmError(code, text || 'the server closed the connection for good'));
    }
    if (action === 'stop' || this.options.reconnect === false) this.close(reason);
    else this.transition('reconnecting', reason);
  };
}

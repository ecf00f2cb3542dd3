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

/** One logical link to the server (see {@link createConnection}). */
export interface Connection {
  /** Counts opens, so work started for one link can tell the link has since changed. */
  epoch(): number;
  /** The current state. */
  state(): ConnectionState;
  /** Why the connection is where it is: the last transition's reason, or the last attempt's failure. */
  reason(): string;
  /** Starts connecting. Does nothing unless `idle`. */
  connect(): void;
  /** Sends a command's frame if the link is open; returns false (and sends nothing) otherwise. */
  send(frame: string): boolean;
  /** Drops the current link or attempt (dead link, network gone) and reconnects with backoff. */
  drop(reason: string): void;
  /** Skips the rest of the backoff wait, or the next one, and starts the backoff over (the network is back). */
  resume(): void;
  /** The server answered on this link without refusing the token: a later refusal may be retried once again. */
  accepted(): void;
  /** The server refused the token on the open link (error 3 before any answer): a fresh token once, else stop. */
  refused(info: string): void;
  /** Closes the link for good and releases the socket, timers and listeners. */
  close(reason?: string): void;
}

/**
 * One logical link to the server over partysocket's reconnecting WebSocket.
 * It owns the state machine, the jittered backoff and the token in the URL;
 * it never queues: callers send only while `open`.
 */
export function createConnection({ url, tokens, timers, WebSocket, reconnect, connectTimeout, receive, changed, failed, log }: ConnectionOptions): Connection {
  let epoch = 0;
  let socket: ReconnectingWebSocket | undefined;
  let current: ConnectionState = 'idle';
  let failures = 0;
  let openedAt = 0;
  let wake: (() => void) | undefined;
  let attempt: Attempt | undefined;
  /**
   * Causes of the `connect` errors reported since the last open, so a retry that fails the same way is not
   * reported again, even when attempts alternate between transports that fail differently.
   */
  const causes = new Set<string>();
  /** A refused token was already replaced once since the server last accepted one. */
  let tokenRetried = false;
  let why = 'not started';

  /** What to do after a close with `code`: a refused token function gets one fresh token before the client gives up. */
  const actionOn = (code: number): ReturnType<typeof closeAction> =>
    code === CloseCode.InvalidToken && tokens.refreshable && !tokenRetried ? 'refresh' : closeAction(code);

  const stop = (info: string): void => {
    fail(new RtmError('unauthorized', `token refused (${info || 'no reason given'}); client stopped`));
    close('unauthorized');
  };

  /** Reports an attempt that never opened: once per cause, so a retry loop does not repeat the same error. */
  const failedAttempt = (cause: string): void => {
    why = cause;
    log?.('attempt', cause);
    if (causes.has(cause)) return;
    // Bounded: a cause that embeds something changing (a port, a count) cannot grow it without end.
    if (causes.size >= 8) causes.clear();
    causes.add(cause);
    const shown = new URL(url);
    // As the app gave it: no token, and not the session flag the client adds itself.
    shown.searchParams.delete('access_token');
    shown.searchParams.delete('session');
    fail(new RtmError('connect', `cannot connect to ${shown}: ${cause}`));
  };

  const transition = (state: ConnectionState, reason: string): void => {
    const previous = current;
    why = reason;
    if (previous === state || previous === 'closed') return;
    current = state;
    log?.('state', `${previous} -> ${state} (${reason})`);
    changed({ state, previous, reason });
  };

  /** Emits only: the client's error reporter logs, so each error is logged once. */
  const fail = (error: RtmError): void => {
    if (current !== 'closed') failed(error);
  };

  const close = (reason = 'client closed'): void => {
    if (current === 'closed') return;
    wake?.();
    const closing = socket;
    socket = undefined;
    if (closing) {
      // Detached first: the close below must not come back as a close to retry.
      closing.onopen = closing.onclose = null;
      closing.close(1000, reason);
    }
    transition('closed', reason);
  };

  const nextUrl = async (): Promise<string> => {
    if (failures > 0) {
      await new Promise<void>((resolve) => {
        const cancel = timers.set(
          (wake = () => {
            cancel();
            wake = undefined;
            resolve();
          }),
          backoffDelay(failures, reconnect || undefined, Math.random, RECONNECT_FIRST_SPREAD),
        );
      });
    }
    // A close that comes without a new socket (the token could not be had) belongs to no attempt.
    attempt = undefined;
    try {
      if (current === 'closed') throw new Error('closed');
      const link = await tokens.url(url);
      log?.('connect', link);
      return link;
    } catch (cause) {
      if (current !== 'closed') {
        failures++;
        if (cause instanceof UnauthorizedError) {
          fail(new RtmError('unauthorized', cause.message, undefined, { cause }));
          close('unauthorized');
        } else fail(new RtmError('token', 'token function failed', undefined, { cause }));
      }
      throw cause;
    }
  };

  const handleOpen = (): void => {
    if (attempt) attempt.opened = true;
    causes.clear();
    openedAt = Date.now();
    epoch++;
    transition('open', 'open');
  };

  const handleMessage = (event: { data: unknown }): void => {
    // A socket closing for good may still hand over a frame: nobody is listening any more.
    if (!socket) return;
    let message: unknown;
    try {
      log?.('receive', String(event.data));
      message = JSON.parse(event.data as string);
    } catch {
      // Leaves message undefined: reported below.
    }
    if (!isObject(message) || typeof message.type !== 'string' || !isObject(message.data)) {
      return fail(new RtmError('protocol', 'malformed frame ignored'));
    }
    receive(message as unknown as ServerMessage);
  };

  // As onclose, not a 'close' listener: partysocket hands onclose the event itself, while listeners get a clone,
  // which in browsers it rebuilds with its arguments shifted (code "close", the original event as reason).
  const handleClose = ({ code, reason: text }: { code: number; reason: string }): void => {
    const wasStable = current === 'open' && Date.now() - openedAt >= STABLE_AFTER_MS;
    failures = wasStable ? 1 : failures + 1;
    const { opened = true, error } = attempt ?? {};
    let reason = `close ${code}${text ? ` ${text}` : ''}`;
    if (error !== undefined) reason = opened ? `connection error${error ? ` (${error})` : ''}` : `connect failed${error ? ` (${error})` : ''}`;
    else if (!opened && code !== CLIENT_DROP) reason = text === 'timeout' && code === 1000 ? 'handshake timeout' : `closed ${code} before open${text ? ` (${text})` : ''}`;
    if (!opened && code !== CLIENT_DROP) failedAttempt(reason);
    const action = actionOn(code);
    if (code === CloseCode.InvalidToken && action === 'refresh') tokenRetried = true;
    if (action === 'refresh') tokens.invalidate();
    if (action === 'stop') {
      if (code === CloseCode.InvalidToken) return stop(text);
      fail(new RtmError(code, text || 'closed for good'));
    }
    if (action === 'stop' || reconnect === false) close(reason);
    else transition('reconnecting', reason);
  };

  return {
    epoch: () => epoch,
    state: () => current,
    reason: () => why,
    connect() {
      if (current !== 'idle') return;
      transition('connecting', 'connect');
      // partysocket reports a failed attempt as a normal close (1000) and its error only afterwards: an error
      // listener of our own, added before partysocket's, records what really happened for handleClose.
      const Socket = WebSocket!;
      // A function, not an arrow: partysocket calls it with `new`, and the socket it returns becomes the result.
      function watch(link: string, protocols?: string | string[]): unknown {
        const tried: Attempt = (attempt = { opened: false });
        let opened: Watched;
        try {
          opened = new Socket(link, protocols) as Watched;
        } catch (error) {
          // E.g. a ws:// URL from an https page. partysocket would retry at once, for ever: back off and say why.
          failures++;
          failedAttempt(`connect failed (${(error as Error).message})`);
          if (reconnect === false) close(why);
          else transition('reconnecting', why);
          throw error;
        }
        opened.addEventListener('error', ({ message, error }) => {
          tried.error ??= String(message || (error as Error | undefined)?.message || '');
        });
        return opened;
      }
      // partysocket's own delay has no jitter: zero it and wait in nextUrl() instead.
      const created = new ReconnectingWebSocket(nextUrl, undefined, {
        WebSocket: watch as unknown as WebSocketConstructor,
        minReconnectionDelay: 0,
        maxReconnectionDelay: 0,
        connectionTimeout: connectTimeout,
        maxRetries: reconnect === false ? 0 : Infinity,
        // Our requests/outbox are the only queue: a frame partysocket buffered while its socket was closing would be
        // reported as lost (disconnected) and then still be sent on the next open.
        maxEnqueuedMessages: 0,
        shouldReconnectOnClose: (event) => reconnect !== false && actionOn(event.code) !== 'stop',
      });
      // partysocket calls onmessage and then clones each message event and dispatches the copy through its own
      // EventTarget, where nothing listens: its per-socket handler is replaced, so a frame costs one call, no copy.
      (created as unknown as { _handleMessage: typeof handleMessage })._handleMessage = handleMessage;
      created.onopen = handleOpen;
      created.onclose = handleClose;
      socket = created;
    },
    send(frame) {
      if (current !== 'open' || !socket?.send(frame)) return false;
      log?.('send', frame);
      return true;
    },
    drop(reason) {
      if (current === 'open' || current === 'connecting') socket?.reconnect(CLIENT_DROP, reason);
    },
    resume() {
      failures = 0;
      wake?.();
    },
    accepted() {
      tokenRetried = false;
    },
    refused(info) {
      if (current !== 'open') return;
      if (actionOn(CloseCode.InvalidToken) === 'stop') return stop(info);
      tokenRetried = true;
      tokens.invalidate();
      socket?.reconnect(CLIENT_DROP, 'token refused');
    },
    close,
  };
}

import { createNanoEvents } from 'nanoevents';
import type { BackoffOptions } from './backoff.js';
import { createChannel, type Channel } from './channel.js';
import { Connection, type ConnectionState, type StateChange, type WebSocketConstructor } from './connection.js';
import { browserEnvironment, type Environment } from './environment.js';
import { guard, RtmError } from './errors.js';
import { Liveness } from './liveness.js';
import { createLogger, type Logger } from './log.js';
import { CHANNEL_TYPE, echoedCommand, RtcNotificationCode, toChannelMessage, type Json, type NotificationData } from '../protocol/index.js';
import { positive, Requests, shownRequest, type RequestOptions } from './requests.js';
import { createResource, type Resource } from './resource.js';
import { Subscriptions, type RecoveryEvent, type SubscriptionsDeps } from './subscriptions.js';
import { Timers } from './timers.js';
import { Tokens, type TokenProvider } from './token.js';
import { TokenRefresh } from './token-refresh.js';
import { TRANSPORTS, Transports, type TransportChange, type TransportName } from './transports.js';

/** Settings of {@link createClient}. */
export interface ClientOptions {
  /** WebSocket endpoint of the server, e.g. `wss://rtm.example.com/rtc`; the HTTP fallbacks use the same host and path over http(s). */
  url: string;
  /** A JWT, or a function that fetches one (it may throw `UnauthorizedError`); called again whenever a fresh one is needed. */
  token: TokenProvider;
  /** WebSocket implementation; defaults to the global one. In Node 20, pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff, or `false` to never reconnect. Defaults: 500 ms to 20 s, full jitter. */
  reconnect?: false | BackoffOptions;
  /** How long one connection attempt may take, in ms. Default 5000. */
  connectTimeout?: number;
  /** Default command timeout in ms, counted from sending. Default 5000. */
  requestTimeout?: number;
  /** Most publishes (and other commands) that may wait in the outbox while not connected. Default 1000; 0 fails fast (and publishes cut off by a drop reject with `disconnected` instead of being sent again). */
  maxQueued?: number;
  /** Silence after which the client pings the server, in ms. Default 25 000. */
  pingInterval?: number;
  /** How long a ping may go unanswered before the link counts as dead, in ms. Default 10 000. */
  pingTimeout?: number;
  /** Source of online / offline / visible signals. Default: the page's own events (none in Node). */
  environment?: Environment;
  /** `true` logs state changes and frames to the console; a function receives them instead. Tokens are redacted. */
  debug?: boolean | Logger;
  /**
   * The transports the client may use, in order: it steps down when WebSockets are refused (twice in a row, or
   * plainly), and from `http-stream` to `long-poll` when a proxy holds streamed responses back. Default all three.
   */
  transports?: TransportName[];
  /** While on a fallback, how often (ms, jittered ±25 %) the client checks whether WebSockets work again, and upgrades. Default 180 000. */
  upgradeInterval?: number;
}

/** What a `direct` listener learns about a message addressed to this connection alone. */
export interface DirectMeta {
  /** The event name the sender gave, or null. */
  eventName: string | null;
  /** Who sent it: a token's `sub`, or `api:<key name>` for the REST API. */
  modifier: string | undefined;
  /** When the server accepted it (ISO 8601). */
  timestamp: string;
}

/** Payload of the `token` event. */
export interface TokenChange {
  /** When the new token expires (ms since the epoch), if it says. */
  expires: number | undefined;
}

/** Events of an {@link RtmClient}. */
export interface ClientEvents {
  /** The connection state changed. */
  state: (change: StateChange) => void;
  /** Something went wrong that belongs to no single call; `code` `unauthorized` means the client has stopped. */
  error: (error: RtmError) => void;
  /** The server sent a notification. */
  notification: (notification: NotificationData) => void;
  /** A new token was obtained (and, if connected, sent to the server with `jwt replace`). */
  token: (change: TokenChange) => void;
  /** A subscription was sent again after a reconnect: `recovered` says whether every missed event was delivered. */
  recovery: (event: RecoveryEvent) => void;
  /** The connection opened on another transport than before (see {@link RtmClient.transport}). */
  transport: (change: TransportChange) => void;
  /** A message addressed to this connection alone arrived (see {@link RtmClient.session}). */
  direct: (payload: Json, meta: DirectMeta) => void;
}

/** Counts of what a client holds, for leak checks and diagnostics. */
export interface ClientStats {
  /** Server subscriptions held. */
  subscriptions: number;
  /** Channel and resource listeners. */
  listeners: number;
  /** Commands not yet settled (sent or queued). */
  pending: number;
  /** Commands waiting in the outbox. */
  queued: number;
  /** Timers armed by the client (request timeouts, ping, backoff, token refresh). */
  timers: number;
}

/** A connection to an RTC server. */
export interface RtmClient {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** The transport of the current (or last) link: `websocket`, `http-stream` or `long-poll`; undefined before the first. */
  readonly transport: TransportName | undefined;
  /**
   * The id of the current link's session, which `POST /api/sessions/<id>/messages` and publishes to
   * `session:<id>` address (they arrive as `direct` events). Each link has its own; undefined while not known.
   */
  readonly session: string | undefined;
  /** Resolves once the connection is open; rejects if the client closes first. */
  ready(): Promise<void>;
  /** The handle of channel `name`, whose payloads are `P`. Throws an `RtmError` (`bad_argument`) for an invalid name. */
  channel<P = Json>(name: string): Channel<P>;
  /** The handle of resource `name` of `type` (created / updated / deleted events). */
  resource(type: string, name: string): Resource;
  /** Sends any command and resolves with its response; see {@link RequestOptions} for timeout, abort signal and correlation ID. */
  request(command: string, args?: Json, options?: RequestOptions): Promise<Json>;
  /** Listens to a client event; returns the function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, handler: ClientEvents[E]): () => void;
  /** Counts of subscriptions, listeners, pending commands and timers. */
  stats(): ClientStats;
  /** Closes the connection for good and releases everything the client holds. */
  close(): void;
}

const EVENTS: ReadonlyArray<keyof ClientEvents> = ['state', 'error', 'notification', 'token', 'recovery', 'transport', 'direct'];

/**
 * Creates a client and starts connecting. Throws an `RtmError` (`bad_argument`) for invalid options.
 * @param held Internal: the shared mode's host passes subscriptions that resume other tabs' streams.
 */
export function createClient(options: ClientOptions, held = (deps: SubscriptionsDeps) => new Subscriptions(deps)): RtmClient {
  const {
    url,
    token,
    WebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    pingInterval = 25_000,
    pingTimeout = 10_000,
    connectTimeout = 5_000,
    requestTimeout = 5_000,
    maxQueued = 1_000,
    reconnect,
    environment = browserEnvironment,
    debug,
    transports: allowed = [...TRANSPORTS],
    upgradeInterval = 180_000,
  } = options ?? ({} as ClientOptions);
  const { minDelay = 1, maxDelay = 1 } = reconnect || {};
  // Caught here, in words, rather than later as a ping storm (interval 0), timers that fire at once (NaN) or a retry loop.
  if (
    !/^wss?:\/\/[^/?#]/i.test(url) ||
    !['string', 'function'].includes(typeof token) ||
    ![pingInterval, pingTimeout, connectTimeout, requestTimeout, minDelay, maxDelay].every(positive) ||
    !(Number.isSafeInteger(maxQueued) && maxQueued >= 0) ||
    typeof environment !== 'function' ||
    !['boolean', 'function', 'undefined'].includes(typeof debug) ||
    !positive(upgradeInterval) ||
    !Array.isArray(allowed) ||
    !allowed.length ||
    !allowed.every((name, i) => TRANSPORTS.includes(name) && allowed.indexOf(name) === i)
  ) {
    throw new RtmError('bad_argument', `createClient needs a ws(s):// url, a token (string or function), times > 0 ms, maxQueued an integer ≥ 0, transports a list of ${TRANSPORTS}`);
  }
  if (typeof WebSocket !== 'function' && allowed.includes('websocket')) throw new RtmError('bad_argument', 'no WebSocket here: pass options.WebSocket (in Node 20, from the ws package)');
  const emitter = createNanoEvents<ClientEvents>();
  const timers = new Timers();
  const log = createLogger(debug, () => tokens.last);
  const report = (error: RtmError): void => {
    log?.('error', error.message);
    emitter.emit('error', error);
  };

  const tokens = new Tokens(token, (_, expires) => {
    refresher.schedule();
    emitter.emit('token', { expires });
  });
  const transports = new Transports({
    list: allowed,
    WebSocket,
    upgradeInterval,
    connectTimeout,
    timers,
    log,
    url: async () => {
      const probe = new URL(url);
      probe.searchParams.set('access_token', await tokens.current());
      return probe.toString();
    },
    upgrade: () => connection.drop('upgrade to websocket'),
  });
  let session: string | undefined;
  let announced: TransportName | undefined;
  const linkUrl = new URL(url);
  linkUrl.searchParams.set('session', '1');
  const connection = new Connection({
    url: linkUrl.toString(),
    tokens,
    timers,
    WebSocket: transports.socket,
    reconnect,
    connectTimeout,
    log,
  });
  const requests = new Requests({
    send: (frame) => connection.send(frame),
    maxQueued,
    timeout: requestTimeout,
    timers,
  });
  const subscriptions = held({
    request: (command, args) => requests.request(command, args, {}, false),
    isOpen: () => connection.state === 'open',
    report,
    recovered: (event) => emitter.emit('recovery', event),
  });
  const liveness = new Liveness({
    interval: pingInterval,
    timeout: pingTimeout,
    timers,
    ping: () => void requests.request('ping', undefined, { timeout: pingTimeout }, false).catch(() => {}),
    dead: (reason) => connection.drop(reason),
  });

  const refresher = new TokenRefresh({
    tokens,
    timers,
    link: () => (connection.state === 'open' ? connection.epoch : undefined),
    replace: (token) => requests.request('jwt replace', { token }, {}, false),
    backoff: reconnect || undefined,
    report,
    stop: (cause) => {
      report(new RtmError('unauthorized', 'the token was refused; the client has stopped', undefined, { cause }));
      connection.close('unauthorized');
    },
  });

  connection.on('state', (change) => {
    const { state } = change;
    session = undefined;
    if (state === 'open') {
      liveness.heard();
      subscriptions.resubscribe();
      requests.flush();
    } else if (state !== 'closed') {
      liveness.stop();
      requests.linkLost(new RtmError('disconnected', `the connection was lost (${change.reason})`));
      subscriptions.suspend();
    } else {
      liveness.stop();
      transports.close();
      timers.close();
      unbind();
      requests.close(new RtmError('closed', `the client is closed (${change.reason})`));
      subscriptions.close();
    }
    emitter.emit('state', change);
    if (state === 'open' && transports.current !== announced) {
      emitter.emit('transport', { transport: transports.current!, previous: announced });
      announced = transports.current;
    }
    if (state === 'closed') emitter.events = {};
  });
  connection.on('error', report);
  connection.on('message', (message) => {
    liveness.heard();
    switch (message.type) {
      case 'command response':
        if (!requests.settle(message.data) && message.data.error) {
          const { code, info } = message.data.error;
          report(new RtmError(code, info, shownRequest(echoedCommand(message.data.request) ?? message.data.request)));
        }
        break;
      case 'event': {
        const { resource, data, modifier, timestamp } = message.data;
        if (session === undefined || resource.type !== CHANNEL_TYPE || resource.name !== `session:${session}`) subscriptions.dispatch(message.data);
        else {
          const { eventName, payload } = toChannelMessage(data);
          emitter.emit('direct', payload, { eventName, modifier: modifier?.id, timestamp });
        }
        break;
      }
      case 'notification':
        // Asked for with session=1 in the URL; a server without the extension never sends it, and session stays undefined.
        if (message.data.code === RtcNotificationCode.Session) return void (session = (message.data.data as { id?: string }).id);
        if (message.data.code === RtcNotificationCode.TokenExpiring) void refresher.run();
        emitter.emit('notification', message.data);
        break;
    }
  });

  const unbinders = [
    environment('offline', () => connection.drop('offline')),
    environment('online', () => {
      connection.resume();
      // The link may have survived a network change in name only: ask now.
      liveness.probe();
    }),
    environment('visible', () => liveness.check()),
  ];
  const unbind = (): void => unbinders.forEach((off) => off());

  const client: RtmClient = {
    get state() {
      return connection.state;
    },
    get transport() {
      return transports.current;
    },
    get session() {
      return session;
    },
    ready: () =>
      new Promise((resolve, reject) => {
        const settled = (): boolean => {
          if (connection.state === 'open') resolve();
          else if (connection.state === 'closed') reject(new RtmError('closed', 'the client is closed'));
          else return false;
          return true;
        };
        if (!settled()) {
          const off = connection.on('state', () => void (settled() && off()));
        }
      }),
    channel: (name) => createChannel(name, subscriptions, (args, requestOptions) => requests.request('publish', args, requestOptions)),
    resource: (type, name) => createResource(type, name, subscriptions),
    request: (command, args, requestOptions) => requests.request(command, args, requestOptions),
    on(event, handler) {
      if (!EVENTS.includes(event) || typeof handler !== 'function') throw new RtmError('bad_argument', `on needs one of ${EVENTS} and a function`);
      // An error handler that throws cannot be reported to the error handlers: that could loop.
      return emitter.on(event, guard(handler as (...args: unknown[]) => void, event === 'error' ? (error) => console.error('[rtm]', error) : report));
    },
    stats: () => ({
      subscriptions: subscriptions.size,
      listeners: subscriptions.listeners,
      pending: requests.size,
      queued: requests.queued,
      timers: timers.size,
    }),
    close: () => connection.close(),
  };
  connection.connect();
  return client;
}

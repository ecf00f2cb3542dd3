import { createNanoEvents } from 'nanoevents';
import { CLIENT_EVENT_NAMES } from './client-event-names.js';
import { createChannel, type Channel } from './channel.js';
import { createConnection, type ConnectionState, type StateChange } from './connection.js';
import { bad } from './arguments.js';
import { guard, RtmError } from './errors.js';
import { createLiveness } from './liveness.js';
import { createLogger } from './log.js';
import { readOptions, type ClientOptions } from './options.js';
import { CHANNEL_TYPE, echoedCommand, RtcErrorCode, RtcNotificationCode, toChannelMessage, type Json, type NotificationData, type ServerMessage } from '../protocol/index.js';
import { createReadiness, type ReadyOptions } from './readiness.js';
import { createRequests, shownRequest, type RequestOptions } from './requests.js';
import { createResource, type Resource } from './resource.js';
import { Subscriptions, type RecoveryEvent, type SubscriptionsDeps } from './subscriptions.js';
import { createTimers } from './timers.js';
import { createTokens } from './token.js';
import { createTokenRefresh } from './token-refresh.js';
import { Transports, type TransportChange, type TransportName } from './transports.js';
import type { JsonInput } from './typed.js';

export type { ClientOptions } from './options.js';

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
  /**
   * Resolves once the connection is open and the server has accepted the token (it answered a command).
   * Rejects with `unauthorized` when the token is refused for good, `closed` when the client closes,
   * `timeout` after `options.timeout` (default: `queueTimeout`, 30 s), or `aborted` when `options.signal` fires.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * The handle of channel `name`; `T` types its payloads, one type for every event name or an `Events<{…}>`
   * map (see {@link Channel}). Throws an `RtmError` (`bad_argument`) for an invalid name.
   */
  channel<T = Json>(name: string): Channel<T>;
  /** The handle of resource `name` of `type` (created / updated / deleted events); `T` types each event's `data`. */
  resource<T = Json>(type: string, name: string): Resource<T>;
  /** Sends any command and resolves with its response; see {@link RequestOptions} for timeout, abort signal and correlation ID. */
  request<A = never>(command: string, args?: JsonInput<A>, options?: RequestOptions): Promise<Json>;
  /** Listens to a client event; returns the function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, handler: ClientEvents[E]): () => void;
  /** Counts of subscriptions, listeners, pending commands and timers. */
  stats(): ClientStats;
  /** Closes the connection for good and releases everything the client holds. */
  close(): void;
}

const EVENTS: ReadonlyArray<keyof ClientEvents> = CLIENT_EVENT_NAMES satisfies ReadonlyArray<keyof ClientEvents>;

/**
 * Creates a client. It starts connecting on the next microtask, so `state` listeners added right after
 * `createClient` see every transition from `idle` on. Throws an `RtmError` (`bad_argument`) naming the
 * option at fault.
 * @param held Internal: the shared mode's host passes subscriptions that resume other tabs' streams.
 */
export function createClient(options: ClientOptions, held = (deps: SubscriptionsDeps) => new Subscriptions(deps)): RtmClient {
  const settings = readOptions(options);
  const { url, token, WebSocket, pingTimeout, connectTimeout, queueTimeout, reconnect, environment, debug, transports: allowed, upgradeInterval } = settings;
  const emitter = createNanoEvents<ClientEvents>();
  const timers = createTimers();
  const log = createLogger(debug, () => tokens.last());
  // The error that stopped the client, for ready() to reject with instead of a bare `closed`.
  let fatal: RtmError | undefined;
  const report = (error: RtmError): void => {
    if (error.code === 'unauthorized') fatal = error;
    log?.('error', error.message);
    emitter.emit('error', error);
  };

  const tokens = createTokens(
    token,
    (_, expires) => {
      refresher.schedule();
      emitter.emit('token', { expires });
    },
    { ms: queueTimeout, timers },
  );
  const transports = new Transports({
    list: allowed,
    WebSocket,
    upgradeInterval,
    connectTimeout,
    timers,
    log,
    url: () => tokens.url(url),
    upgrade: () => connection.drop('upgrade to websocket'),
  });
  let session: string | undefined;
  // The channel of this link's direct messages, built once per session rather than per event.
  let sessionChannel: string | undefined;
  let announced: TransportName | undefined;
  const linkUrl = new URL(url);
  linkUrl.searchParams.set('session', '1');
  const connection = createConnection({ ...settings, url: `${linkUrl}`, tokens, timers, WebSocket: transports.socket, receive, changed, failed: report, log });
  const requests = createRequests(settings, timers, (frame) => connection.send(frame));
  const readiness = createReadiness(timers, queueTimeout, () => `${connection.state()}: ${connection.reason()}`);
  const subscriptions = held({
    request: (command, args) => requests.request(command, args, {}, false),
    isOpen: () => connection.state() === 'open',
    report,
    recovered: (event) => emitter.emit('recovery', event),
  });
  const ping = (): void => void requests.request('ping', undefined, { timeout: pingTimeout }, false).catch(() => {});
  const liveness = createLiveness(settings, timers, ping, (reason) => connection.drop(reason));

  const refresher = createTokenRefresh({
    tokens,
    timers,
    link: () => (connection.state() === 'open' ? connection.epoch() : undefined),
    replace: (token) => requests.request('jwt replace', { token }, {}, false),
    backoff: reconnect || undefined,
    report,
    stop: (cause) => {
      report(new RtmError('unauthorized', 'token refused; client stopped', undefined, { cause }));
      connection.close('unauthorized');
    },
  });

  function changed(change: StateChange): void {
    const { state } = change;
    session = sessionChannel = undefined;
    if (state === 'open') {
      liveness.heard();
      subscriptions.resubscribe();
      requests.flush();
      // The server refuses a bad token only after the upgrade: ready() waits for its first answer on this link.
      if (requests.pending.size === requests.queued()) ping();
    } else if (state !== 'closed') {
      readiness.lost();
      liveness.stop();
      requests.linkLost(new RtmError('disconnected', `link lost (${change.reason})`));
      subscriptions.suspend();
    } else {
      liveness.stop();
      transports.close();
      timers.close();
      unbind();
      const closed = new RtmError('closed', `client closed (${change.reason})`);
      readiness.close(fatal ?? closed);
      requests.close(closed);
      subscriptions.close();
    }
    emitter.emit('state', change);
    if (state === 'open' && transports.current !== announced) {
      emitter.emit('transport', { transport: transports.current!, previous: announced });
      announced = transports.current;
    }
    if (state === 'closed') emitter.events = {};
  }
  function receive(message: ServerMessage): void {
    liveness.heard();
    switch (message.type) {
      case 'command response': {
        const { error } = message.data;
        if (error?.code === RtcErrorCode.InvalidToken && !readiness.ready()) {
          // Refused at connect (our server then closes with 4001): the connection decides on a fresh token or a stop.
          connection.refused(error.info);
        } else {
          readiness.accept();
          connection.accepted();
        }
        if (!requests.settle(message.data) && error && readiness.ready()) report(new RtmError(error.code, error.info, shownRequest(echoedCommand(message.data.request) ?? message.data.request)));
        break;
      }
      case 'event': {
        const { resource, data, modifier, timestamp } = message.data;
        if (resource.name !== sessionChannel || resource.type !== CHANNEL_TYPE) subscriptions.dispatch(message.data);
        else {
          const { eventName, payload } = toChannelMessage(data);
          emitter.emit('direct', payload, { eventName, modifier: modifier?.id, timestamp });
        }
        break;
      }
      case 'notification':
        // Asked for with session=1 in the URL; a server without the extension never sends it, and session stays undefined.
        if (message.data.code === RtcNotificationCode.Session) {
          session = (message.data.data as { id?: string }).id;
          sessionChannel = session === undefined ? undefined : `session:${session}`;
          return;
        }
        if (message.data.code === RtcNotificationCode.TokenExpiring) void refresher.run();
        emitter.emit('notification', message.data);
        break;
    }
  }

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
      return connection.state();
    },
    get transport() {
      return transports.current;
    },
    get session() {
      return session;
    },
    ready: (readyOptions) => readiness.wait(readyOptions),
    channel: <T>(name: string) => createChannel<T>(name, subscriptions, (args, requestOptions) => requests.request('publish', args, requestOptions)),
    resource: <T>(type: string, name: string) => createResource<T>(type, name, subscriptions),
    request: (command, args, requestOptions) => requests.request(command, args, requestOptions),
    on(event, handler) {
      if (!EVENTS.includes(event)) bad('event', `one of ${EVENTS}`, event);
      if (typeof handler !== 'function') bad('handler', 'a function', handler);
      // An error handler that throws cannot be reported to the error handlers: that could loop.
      return emitter.on(event, guard(handler as (...args: unknown[]) => void, event === 'error' ? (error) => console.error('[rtm]', error) : report));
    },
    stats: () => ({
      subscriptions: subscriptions.size,
      listeners: subscriptions.listeners,
      pending: requests.pending.size,
      queued: requests.queued(),
      timers: timers.size(),
    }),
    close: () => connection.close(),
  };
  // On the next microtask: listeners added right after createClient must see idle → connecting (a close() before then wins).
  queueMicrotask(() => connection.connect());
  return client;
}

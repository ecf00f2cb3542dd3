import { createNanoEvents } from 'nanoevents';
import type { BackoffOptions } from './backoff.js';
import { createChannel, type Channel } from './channel.js';
import { Connection, type ConnectionState, type StateChange, type WebSocketConstructor } from './connection.js';
import { RtmError } from './errors.js';
import { RtcNotificationCode, type Json, type NotificationData } from './protocol.js';
import { Requests, type RequestOptions } from './requests.js';
import { Subscriptions } from './subscriptions.js';
import { createTokenSource, type TokenProvider } from './token.js';

/** Settings of {@link createClient}. */
export interface ClientOptions {
  /** WebSocket endpoint of the server, e.g. `wss://rtm.example.com/rtc`. */
  url: string;
  /** A JWT, or a function that fetches one; called again whenever a fresh one is needed. */
  token: TokenProvider;
  /** WebSocket implementation; defaults to the global one. In Node 20, pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff, or `false` to never reconnect. Defaults: 500 ms to 20 s, full jitter. */
  reconnect?: false | BackoffOptions;
  /** Default command timeout in ms, counted from sending. Default 5000. */
  requestTimeout?: number;
  /** Most commands that may wait for the connection. Default 1000; 0 fails fast when offline. */
  maxQueued?: number;
}

/** Events of an {@link RtmClient}. */
export interface ClientEvents {
  /** The connection state changed. */
  state: (change: StateChange) => void;
  /** Something went wrong that belongs to no single call. */
  error: (error: RtmError) => void;
  /** The server sent a notification. */
  notification: (notification: NotificationData) => void;
}

/** A connection to an RTC server. */
export interface RtmClient {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Resolves once the connection is open; rejects if the client closes first. */
  ready(): Promise<void>;
  /** The handle of channel `name`. Throws an `RtmError` (`bad_argument`) for an invalid name. */
  channel(name: string): Channel;
  /** Sends any command and resolves with its response. */
  request(command: string, args?: Json, options?: RequestOptions): Promise<Json>;
  /** Listens to a client event; returns the function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, handler: ClientEvents[E]): () => void;
  /** Closes the connection for good and releases everything the client holds. */
  close(): void;
}

/** Creates a client and starts connecting. */
export function createClient(options: ClientOptions): RtmClient {
  if (!options || typeof options.url !== 'string') throw new RtmError('bad_argument', 'createClient needs a url');
  if (typeof options.token !== 'string' && typeof options.token !== 'function') {
    throw new RtmError('bad_argument', 'createClient needs a token: a string or a function returning one');
  }
  const emitter = createNanoEvents<ClientEvents>();
  const tokens = createTokenSource(options.token);
  const connection = new Connection({ url: options.url, tokens, WebSocket: options.WebSocket, reconnect: options.reconnect });
  const requests = new Requests({ send: (message) => connection.send(message), maxQueued: options.maxQueued, timeout: options.requestTimeout });
  const report = (error: RtmError): void => {
    emitter.emit('error', error);
  };
  const subscriptions = new Subscriptions({
    request: (command, args) => requests.request(command, args),
    isOpen: () => connection.state === 'open',
    report,
  });

  const replaceToken = async (): Promise<void> => {
    if (!tokens.refreshable) return;
    try {
      const token = await tokens.refresh();
      await requests.request('jwt replace', { token });
    } catch (cause) {
      report(cause instanceof RtmError ? cause : new RtmError('token', 'could not replace the expiring token', undefined, { cause }));
    }
  };

  connection.on('state', (change) => {
    if (change.state === 'open') {
      subscriptions.resubscribe();
      requests.flush();
    } else if (change.state === 'closed') {
      requests.failAll(new RtmError('closed', `the client is closed (${change.reason})`));
      subscriptions.clear();
    } else if (change.previous === 'open') {
      requests.failSent(new RtmError('disconnected', `the connection was lost (${change.reason})`));
    }
    emitter.emit('state', change);
  });
  connection.on('error', report);
  connection.on('message', (message) => {
    switch (message.type) {
      case 'command response':
        requests.settle(message.data);
        break;
      case 'event':
        subscriptions.dispatch(message.data);
        break;
      case 'notification':
        if (message.data.code === RtcNotificationCode.TokenExpiring) void replaceToken();
        emitter.emit('notification', message.data);
        break;
    }
  });

  const client: RtmClient = {
    get state() {
      return connection.state;
    },
    ready() {
      if (connection.state === 'open') return Promise.resolve();
      if (connection.state === 'closed') return Promise.reject(new RtmError('closed', 'the client is closed'));
      return new Promise((resolve, reject) => {
        const stop = connection.on('state', ({ state }) => {
          if (state === 'open') resolve();
          else if (state === 'closed') reject(new RtmError('closed', 'the client closed before it connected'));
          else return;
          stop();
        });
      });
    },
    channel: (name) => createChannel(name, subscriptions, (args, requestOptions) => requests.request('publish', args, requestOptions)),
    request: (command, args, requestOptions) => requests.request(command, args, requestOptions),
    on: (event, handler) => emitter.on(event, handler),
    close() {
      connection.close();
      emitter.events = {};
    },
  };
  connection.connect();
  return client;
}

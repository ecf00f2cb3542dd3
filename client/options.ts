import { bad, checkKeys, checkMs, positive } from './arguments.js';
import type { BackoffOptions } from './backoff.js';
import type { WebSocketConstructor } from './connection.js';
import { browserEnvironment, type Environment } from './environment.js';
import { RtmError } from './errors.js';
import type { Logger } from './log.js';
import type { TokenProvider } from './token.js';
import { TRANSPORTS, type TransportName } from './transports.js';

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
  /**
   * Most ms a publish (or other command) may wait in the outbox for the connection; it then rejects with
   * `timeout` and is never sent. Also the default timeout of `ready()`. Default 30 000; `Infinity` waits for ever.
   */
  queueTimeout?: number;
  /** Most publishes (and other commands) that may wait in the outbox while not connected. Default 1000; 0 fails fast (and publishes cut off by a drop reject with `disconnected` instead of being sent again). */
  maxQueued?: number;
  /** Largest command frame in bytes, as the server allows (its `--max-payload`); larger ones reject with `too_large` at the call. Default 65 536. */
  maxPayload?: number;
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

/** {@link ClientOptions} with every default applied and every value checked. */
export type Settings = Required<Omit<ClientOptions, 'reconnect' | 'debug'>> & Pick<ClientOptions, 'reconnect' | 'debug'>;

/** The options counted in ms, with their defaults. */
const MS_DEFAULTS = {
  pingInterval: 25_000,
  pingTimeout: 10_000,
  connectTimeout: 5_000,
  requestTimeout: 5_000,
  queueTimeout: 30_000,
  upgradeInterval: 180_000,
};
const DEFAULTS = { ...MS_DEFAULTS, maxQueued: 1_000, maxPayload: 64 * 1024 };
const KNOWN = ['url', 'token', 'WebSocket', 'reconnect', 'environment', 'debug', 'transports', ...Object.keys(DEFAULTS)];

/** Each checked option: its test, and what it must be in the error that names it. */
const RULES: ReadonlyArray<readonly [keyof Settings, (value: never) => boolean, string]> = [
  ['url', (url: unknown) => typeof url === 'string' && /^wss?:\/\/[^/?#]/i.test(url), 'a ws:// or wss:// URL'],
  ['token', (token: unknown) => typeof token === 'function' || (typeof token === 'string' && token !== ''), 'a JWT string or a function'],
  ['maxQueued', (count: number) => Number.isSafeInteger(count) && count >= 0, 'a whole number ≥ 0'],
  ['maxPayload', (bytes: number) => Number.isSafeInteger(bytes) && bytes > 0, 'a whole number of bytes > 0'],
  ['environment', (environment: unknown) => typeof environment === 'function', 'a function'],
  ['debug', (debug: unknown) => ['boolean', 'function', 'undefined'].includes(typeof debug), 'true, false or a function'],
  [
    'transports',
    (list: TransportName[]) => Array.isArray(list) && list.length > 0 && list.every((name, i) => TRANSPORTS.includes(name) && list.indexOf(name) === i),
    `a list of ${TRANSPORTS}, each once`,
  ],
  ...(Object.keys(MS_DEFAULTS) as Array<keyof typeof MS_DEFAULTS>).map((name) => [name, positive, 'a number of ms > 0'] as const),
];

/**
 * Applies the defaults and checks every option, throwing `bad_argument` that names the option and the value
 * received: caught here, in words, rather than later as a ping storm (interval 0), timers that fire at once
 * (NaN) or a retry loop.
 */
export function readOptions(options: ClientOptions): Settings {
  checkKeys(options, KNOWN, 'createClient option');
  // An option given as undefined takes its default, as if left out.
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as unknown as ClientOptions;
  const settings: Settings = { ...DEFAULTS, transports: [...TRANSPORTS], environment: browserEnvironment, WebSocket: (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket!, ...given };
  for (const [name, ok, wanted] of RULES) if (!ok(settings[name] as never)) bad(name, wanted, settings[name]);
  const { reconnect, WebSocket, transports } = settings;
  if (reconnect !== undefined && reconnect !== false) {
    checkKeys(reconnect, ['minDelay', 'maxDelay'], 'reconnect option');
    for (const name of ['minDelay', 'maxDelay'] as const) if (reconnect[name] !== undefined) checkMs(`reconnect.${name}`, reconnect[name]);
  }
  if (typeof WebSocket !== 'function' && transports.includes('websocket')) throw new RtmError('bad_argument', 'no WebSocket here: pass options.WebSocket (in Node 20, from the ws package)');
  return settings;
}

import type { Clock } from './clock.js';
import type { HistoryStore } from './history.js';
import type { SharedBus } from './hub.js';
import { LOG_LEVELS, type Logger } from './log.js';
import type { PublishLedger } from './publish-ledger.js';
import { checkRetention, type RetentionRule } from './retention.js';
import { ConfigError } from './errors.js';

/** Token timing, in seconds. */
export interface SessionTiming {
  /** Notification code 1 goes out this long before `exp`, but never earlier than half-way through the token's remaining life. Default 60. */
  reminder: number;
  /** After `exp` without a replacement, the connection closes (4002) this much later. Default 5. */
  grace: number;
  /** A connection that brought no token must send `jwt replace` within this time, else it closes with 4001. Default 10. */
  authTimeout: number;
  /** An HTTP-transport session (streaming or long-polling) with no open stream or poll for this long is closed and its subscriptions dropped. Default 30. */
  httpWindow: number;
}

/** Abuse limits. The defaults let ordinary pages through untroubled; tighten them for hostile networks. */
export interface Limits {
  /** Deepest JSON nesting accepted in a frame or REST body (error 4). Default 32. */
  maxDepth: number;
  /** Subscriptions one connection may hold (error 2 beyond). Default 128. */
  maxSubscriptions: number;
  /** Distinct subscription filters one connection may hold at once (error 7 beyond). Default 32. */
  maxFilters: number;
  /** Frames a connection may send in one burst before the per-second rate applies. Default 500. */
  rateBurst: number;
  /** Frames per second a connection may send in the long run. Default 200. */
  ratePerSecond: number;
  /** Frames refused for rate within 10 s after which the connection is closed (4004). Default 200. */
  abuseLimit: number;
  /** WebSocket connections one IP may open per minute (HTTP 429 beyond); 0 turns the limit off. Loopback is exempt. Default 120. */
  ipConnectionsPerMinute: number;
  /** WebSocket connections one IP may hold open at once, both endpoints together (HTTP 429 beyond); 0 turns the cap off. Loopback is exempt. Default 256. */
  maxConnectionsPerIp: number;
  /** RTC connections one `sub` may hold open at once (close 1013, retried with backoff, beyond); 0 turns the cap off. Default 32. */
  maxConnectionsPerUser: number;
  /** Bytes queued for a client that reads too slowly before it is closed (4003), and the most its frames may occupy while waiting to be handled (4004). Default 1 MiB. */
  maxBuffered: number;
}

/** History of every stream (channel, `user:` channel, resource), replayed to clients that reconnect with `since`. */
export interface HistorySettings {
  /** Events a stream keeps. Default 1000. */
  size: number;
  /** Seconds an event is kept. Default 300. */
  ttl: number;
  /** Per-pattern retention; the first match wins, other streams get `size` and `ttl`. */
  rules: RetentionRule[];
  /** Most bytes all history may occupy; the publisher holding the most loses its oldest events first. Default 64 MiB. */
  maxBytes: number;
}

/** Publish de-duplication: accepted publishes remembered by `sub` and correlation ID. */
export interface DedupSettings {
  /** Seconds a publish is remembered. Default 120. */
  window: number;
  /** Most publishes remembered at once; the sender with the most records forgets its oldest first. Default 100 000. */
  maxEntries: number;
}

/** Settings of the reference server. Every field is optional; `rtm-server --help` lists the defaults. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** HS256/384/512 secret, at least 32 bytes. Without one (and without `jwks`), a random one is generated and the server runs in development mode. */
  secret?: string;
  /** URL or file of a JWKS holding the RS/ES/PS public keys tokens may be signed with. */
  jwks?: string;
  /** When set, tokens must carry this `iss`. */
  issuer?: string;
  /** When set, tokens must carry this `aud`. */
  audience?: string;
  /** Seconds of clock skew tolerated on `exp`/`nbf`, at most 30. Default 5. */
  clockTolerance?: number;
  /** The REST API key (named `default`). Generated in development mode; without any key, the REST API answers 503. */
  apiKey?: string;
  /** Named REST API keys; REST publishes carry `modifier.id` `api:<name>`. */
  apiKeys?: Record<string, string>;
  /** Development mode: serves `GET /api/dev/token`. Implied when neither a secret nor a JWKS is given. */
  dev?: boolean;
  /** Largest WebSocket frame in bytes; larger frames close the connection with 1009. Default 64 KiB. */
  maxPayload?: number;
  /** Token timing, in seconds. */
  timing?: Partial<SessionTiming>;
  /** Abuse limits. */
  limits?: Partial<Limits>;
  /** Seconds between WebSocket pings; a connection that missed the previous pong is terminated. 0 turns it off. Default 30. */
  heartbeat?: number;
  /** Origins allowed to open WebSockets (exact match). Empty: any. Requests without an Origin header (non-browsers) are always allowed. */
  origins?: string[];
  /** Channel allow-list (a trailing `*` is a wildcard). Empty: any valid name. Other channels answer 1001. */
  channels?: string[];
  /** Resource types (and names) clients may subscribe to: `ds` allows any name of type ds, `ds:orders` only that one. Default `ds`, `fs`. */
  resources?: string[];
  /**
   * Serve the legacy APEX RTM endpoint (a plain WebSocket at `/`, no token). Default: on only in development
   * mode without a secret or JWKS; with one, it must be turned on explicitly, and then needs `origins` and
   * `legacyChannels`.
   */
  legacy?: boolean;
  /**
   * Channels the legacy endpoint carries (exact names, or prefixes ending in `*`); `user:` channels never.
   * List only what every visitor may read, since the endpoint has no token. Default in development mode: every public channel.
   */
  legacyChannels?: string[];
  /**
   * Addresses of the reverse proxies whose `X-Forwarded-For` is believed (IPs, CIDR ranges, or `loopback`,
   * `linklocal`, `uniquelocal`). The client IP is then the right-most address not on this list. Default: none;
   * the client IP is the peer's address.
   */
  trustProxy?: string[];
  /** Seconds a new TCP connection may take to send its first request's headers (or upgrade) before it is closed. Default 10. */
  idleTimeout?: number;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Where log lines go. Default: pino JSON lines on stdout at `logLevel`. */
  logger?: Logger;
  /** `fatal`, `error`, `warn`, `info`, `debug` or `silent`. Default `info`. */
  logLevel?: string;
  /** Include message payloads in logs. Default false. */
  logPayloads?: boolean;
  /** Append every channel message (ts, source, channel, eventName, status, error) to this file as JSON lines. */
  messageLog?: string;
  /** History and recovery. */
  history?: Partial<HistorySettings>;
  /** Publish de-duplication. */
  dedup?: Partial<DedupSettings>;
  /**
   * Redis URL (`redis://[:password@]host:port[/db]`, or `rediss://` for TLS). With it, instances sharing the
   * Redis share fan-out (Pub/Sub), history and offsets (Streams) and publish de-duplication; without it,
   * everything stays in this process's memory.
   */
  redis?: string;
  /**
   * Replacements for the in-memory history and publish ledger (tests; shared engines). A shared engine
   * also gives a `bus` that carries every append to every instance; the hub then delivers only what comes from it.
   */
  stores?: { history?: HistoryStore; ledger?: PublishLedger; bus?: SharedBus };
  /** Time source; tests pass a manual clock. */
  clock?: Clock;
  /** Folder served at `/`. Default: the package's `server-mock/public`. */
  publicDir?: string;
  /** Folder served at `/dist/`. Default: the package's `dist`. */
  distDir?: string;
}

/** Default token timing. */
export const DEFAULT_TIMING: SessionTiming = { reminder: 60, grace: 5, authTimeout: 10, httpWindow: 30 };

/** Default limits: 128 subscriptions per connection, 120 connections a minute per IP, and bursts of 500 frames then 200 a second. */
export const DEFAULT_LIMITS: Limits = {
  maxDepth: 32,
  maxSubscriptions: 128,
  maxFilters: 32,
  rateBurst: 500,
  ratePerSecond: 200,
  abuseLimit: 200,
  ipConnectionsPerMinute: 120,
  maxConnectionsPerIp: 256,
  maxConnectionsPerUser: 32,
  maxBuffered: 1024 * 1024,
};

/** Default history: what centrifugo-style recovery needs for ordinary reconnects, bounded in memory. */
export const DEFAULT_HISTORY: HistorySettings = { size: 1000, ttl: 300, rules: [], maxBytes: 64 * 1024 * 1024 };

/** Default publish de-duplication: longer than any sensible reconnect, bounded in memory. */
export const DEFAULT_DEDUP: DedupSettings = { window: 120, maxEntries: 100_000 };

/** Largest clock tolerance accepted, in seconds. */
export const MAX_CLOCK_TOLERANCE = 30;

/** Checks the numeric settings; throws ConfigError naming the first bad one. */
export function checkOptions(options: ServerOptions): void {
  const whole = (name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  };
  whole('port', options.port, 0, 65_535);
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  whole('clockTolerance', options.clockTolerance, 0, MAX_CLOCK_TOLERANCE);
  whole('maxPayload', options.maxPayload, 256, 100 * 1024 * 1024);
  whole('heartbeat', options.heartbeat, 0, 3600);
  for (const [name, value] of Object.entries(options.timing ?? {})) whole(name, value, name === 'reminder' ? 0 : 1, 86_400);
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    if (!(name in DEFAULT_LIMITS)) throw new ConfigError(`unknown limit "${name}"`);
    whole(name, value, ['ipConnectionsPerMinute', 'maxConnectionsPerIp', 'maxConnectionsPerUser'].includes(name) ? 0 : 1);
  }
  whole('idleTimeout', options.idleTimeout, 1, 300);
  // An unset variable in an env file reads as "" or "  ": that must never silently mean "no secret", i.e. development mode.
  for (const name of ['secret', 'jwks', 'apiKey', 'metricsToken'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) throw new ConfigError(`${name} is empty: give it a real value or leave it unset`);
  }
  const history = options.history ?? {};
  checkRetention(history, 'history');
  whole('history maxBytes', history.maxBytes, 1024 * 1024);
  for (const rule of history.rules ?? []) {
    if (typeof rule?.pattern !== 'string' || rule.pattern === '') throw new ConfigError('a history rule needs a pattern');
    checkRetention(rule, `history rule "${rule.pattern}"`);
    if (rule.size === undefined) throw new ConfigError(`history rule "${rule.pattern}" needs a size`);
  }
  whole('dedup window', options.dedup?.window, 0, 86_400);
  whole('dedup maxEntries', options.dedup?.maxEntries, 0);
  if (options.apiKeys) {
    for (const [name, key] of Object.entries(options.apiKeys)) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ConfigError(`API key name "${name}" must be 1-64 of A-Z a-z 0-9 _ . -`);
      if (typeof key !== 'string' || key.trim() === '') throw new ConfigError(`API key "${name}" must be a non-empty string`);
    }
  }
  if (options.redis !== undefined) checkRedisUrl(options.redis);
  for (const origin of options.origins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`origin "${origin}" must look like https://host[:port], without a path`);
  }
  if (options.trustProxy !== undefined && !Array.isArray(options.trustProxy)) {
    throw new ConfigError('trustProxy must list the proxy addresses (e.g. ["loopback", "10.0.0.0/8"]), not true/false');
  }
}

/** True when the server runs in development mode: asked for, or neither a secret nor a JWKS configured. */
export function isDevMode(options: ServerOptions): boolean {
  return options.dev === true || (options.secret === undefined && options.jwks === undefined);
}

/**
 * Whether the legacy endpoint runs, and what it carries. It has no token, so with a secret it is off unless
 * asked for, and then it must name the browser Origins it serves and the channels anyone may read.
 */
export function legacySettings(options: ServerOptions): { channels: string[] } | undefined {
  const configured = options.secret !== undefined || options.jwks !== undefined;
  if (options.legacy === false || (options.legacy === undefined && configured)) return undefined;
  if (!configured) return { channels: options.legacyChannels ?? ['*'] };
  if (!options.origins?.length) throw new ConfigError('the legacy endpoint (--legacy) needs --origins: the Origins of the APEX apps allowed to open it');
  if (!options.legacyChannels?.length) throw new ConfigError('the legacy endpoint (--legacy) needs --legacy-channels: the channels any visitor may read without a token');
  return { channels: options.legacyChannels };
}

/** Throws ConfigError unless `url` is a redis:// or rediss:// URL. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`redis URL must look like redis://host:port, got ${JSON.stringify(url.slice(0, 100))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`redis URL must start with redis:// or rediss://, got ${JSON.stringify(parsed.protocol)}`);
}

/** The settings of the reference server, as types: what each means and its default. */
import type { Clock } from '../ops/clock.js';
import type { Logger } from '../ops/log.js';
import type { PublishLedger } from '../session/publish-ledger.js';
import type { HistoryStore } from '../streams/history.js';
import type { SharedBus } from '../streams/hub.js';
import type { RetentionRule } from '../streams/retention.js';

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
  /** Largest command frame in bytes; a larger one is answered with error 7 and the connection stays (up to `maxFrame`). Default 64 KiB. */
  maxPayload?: number;
  /** Largest WebSocket frame read at all, in bytes; larger ones close the connection with 1009. Default 1 MiB (at least `maxPayload`). */
  maxFrame?: number;
  /**
   * Development mode only: keep the generated secret and API key in this file and reuse them on the next start, so
   * tokens issued before a restart stay valid. `rtm-server` passes a file in the OS temp folder; the library keeps none unless asked.
   */
  devKeys?: string;
  /** With `devKeys`: generate new keys and replace the kept ones. */
  devFresh?: boolean;
  /** Token timing, in seconds. */
  timing?: Partial<SessionTiming>;
  /** Abuse limits. */
  limits?: Partial<Limits>;
  /** Seconds between WebSocket pings; a connection that sent neither the previous ping's pong nor any other frame since is terminated. 0 turns it off. Default 30. */
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
  stores?: {
    /** Each stream's offsets and recent events. */
    history?: HistoryStore;
    /** Accepted publishes by sender and correlation ID, to answer a repeat without publishing it again. */
    ledger?: PublishLedger;
    /** Carries each append to every instance. */
    bus?: SharedBus;
  };
  /** Time source; tests pass a manual clock. */
  clock?: Clock;
  /** Folder served at `/`. Default: the package's `server-mock/public`. */
  publicDir?: string;
  /** Folder served at `/dist/`. Default: the package's `dist`. */
  distDir?: string;
}

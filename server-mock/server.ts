import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { CloseCode, RtcErrorCode } from '../protocol/index.js';
import { createAuth, type Auth } from './auth/tokens.js';
import { Policy } from './auth/policy.js';
import { systemClock } from './ops/clock.js';
import { type ServerOptions } from './config/options.js';
import { DEFAULT_DEDUP, DEFAULT_HISTORY, DEFAULT_LIMITS, DEFAULT_TIMING } from './config/defaults.js';
import { checkOptions, isDevMode, legacySettings } from './config/check.js';
import { ConnectionCap } from './transport/connection-caps.js';
import { EventLoopLag } from './ops/event-loop-lag.js';
import { hangUp } from './transport/hang-up.js';
import { Heartbeat } from './transport/heartbeat.js';
import { sendJson } from './http/json-body.js';
import { createHttpTransport } from './transport/http-transport.js';
import { MemoryHistory } from './streams/history.js';
import { Hub } from './streams/hub.js';
import { InstanceRouter } from './transport/instance-router.js';
import { LegacyEndpoint } from './transport/legacy.js';
import { jsonLogger } from './ops/log.js';
import { openMessageLog } from './ops/message-log.js';
import { Metrics } from './ops/metrics.js';
import { MemoryLedger } from './session/publish-ledger.js';
import { KeyedRateLimiter } from './session/rate-limit.js';
import { RedisBus } from './redis/bus.js';
import { RedisHistory } from './redis/history.js';
import { RedisLedger } from './redis/ledger.js';
import { RedisLink } from './redis/link.js';
import { ipResolver } from './http/request-ip.js';
import { parseTarget } from './http/request-url.js';
import { createRestApi } from './http/rest.js';
import { retentionOf } from './streams/retention.js';
import { webSocketPipe } from './transport/pipe.js';
import { Session, type SessionContext } from './session/session.js';
import { SessionDirectory } from './session/session-directory.js';
import { serveFile } from './http/static.js';
import { createUpgradeHandler } from './transport/upgrade.js';
import { HttpError, StoreUnavailableError } from './errors.js';
import { Publisher } from './streams/publisher.js';
import { loadDevKeys } from './config/dev-keys.js';

/** A running (or ready to run) reference server. */
export interface RtmServer {
  /** Starts listening; resolves with the port actually bound. */
  listen(): Promise<number>;
  /** Refuses new WebSockets (503), closes RTC clients (HTTP-fallback sessions too) with 1001 and legacy ones with 1012, terminates stragglers after 2 s, then stops listening. */
  close(): Promise<void>;
  /** The HTTP base URL, e.g. `http://127.0.0.1:8080`, once listening. */
  readonly url: string;
  /** The effective HS secret (generated in development mode, or when only a JWKS is configured). */
  readonly secret: string;
  /** The effective `default` API key, if any. */
  readonly apiKey: string | undefined;
  /** True in development mode. */
  readonly dev: boolean;
  /** The file the development secret and API key are kept in, when they are. */
  readonly devKeys: string | undefined;
  /** Signs and verifies tokens with the server's settings. */
  readonly auth: Auth;
}

/** What `/dist/` serves: the browser bundles (and demo bundles) with their maps, never the server's. A new browser bundle is added here. */
const BROWSER_BUNDLE = /^(rtm(-plugins|-react|-shared|-shared-worker|-shared\.iife|-shared\.iife\.min|\.iife|\.iife\.min)?|demo\/[\w-]+)\.js(\.map)?$/;

/** How long clients get to complete the closing handshake at shutdown before they are cut off. */
const SHUTDOWN_GRACE_MS = 2_000;

/** Creates the reference server. Call `listen()` to start it. Throws ConfigError on unusable settings. */
export function createServer(options: ServerOptions = {}): RtmServer {
  checkOptions(options);
  const dev = isDevMode(options);
  const legacySetup = legacySettings(options);
  const clientIp = ipResolver(options.trustProxy);
  const kept = dev && options.devKeys !== undefined && (options.secret === undefined || options.apiKey === undefined) ? loadDevKeys(options.devKeys, options.devFresh === true) : undefined;
  const secret = options.secret ?? kept?.secret ?? randomBytes(32).toString('base64url');
  const apiKey = options.apiKey ?? (dev && !options.apiKeys ? (kept?.apiKey ?? randomBytes(24).toString('base64url')) : undefined);
  const apiKeys = { ...options.apiKeys, ...(apiKey === undefined ? {} : { default: apiKey }) };
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? jsonLogger(undefined, options.logLevel ?? 'info');
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logPayloads = options.logPayloads === true;
  const auth = createAuth({ secret, jwks: options.jwks, issuer: options.issuer, audience: options.audience, clockTolerance: options.clockTolerance, clock });
  const policy = new Policy({ channels: options.channels, resources: options.resources });
  const now = () => clock.now();
  const historySettings = { ...DEFAULT_HISTORY, ...options.history };
  const dedup = { ...DEFAULT_DEDUP, ...options.dedup };
  const retention = retentionOf(historySettings.rules, { size: historySettings.size, ttl: historySettings.ttl });
  const redis = options.redis === undefined ? undefined : new RedisLink(options.redis, log);
  const redisHistory = redis && !options.stores?.history ? new RedisHistory(redis, { retention }) : undefined;
  const history = options.stores?.history ?? redisHistory ?? new MemoryHistory({ retention, maxBytes: historySettings.maxBytes, now });
  const ledger =
    options.stores?.ledger ??
    (redis ? new RedisLedger(redis, { window: dedup.window * 1000 }) : new MemoryLedger({ window: dedup.window * 1000, maxEntries: dedup.maxEntries, now }));
  const bus = options.stores?.bus ?? (redisHistory && new RedisBus(redis!, redisHistory.busChannel, log));
  const hub = new Hub(history, now, bus, log);
  const metrics = new Metrics(() => hub.topicCount, redis && (() => redis.up));
  const messageLog = options.messageLog === undefined ? undefined : openMessageLog(options.messageLog, () => metrics.messageLogDropped.inc());
  const legacy = legacySetup && new LegacyEndpoint(hub, metrics, log, limits.maxBuffered, legacySetup.channels);
  const heartbeat = new Heartbeat((options.heartbeat ?? 30) * 1000, clock);
  const ipLimiter = limits.ipConnectionsPerMinute > 0 ? new KeyedRateLimiter(limits.ipConnectionsPerMinute, () => clock.now()) : undefined;
  const ipCap = new ConnectionCap(limits.maxConnectionsPerIp);
  const userCap = new ConnectionCap(limits.maxConnectionsPerUser);
  const lag = new EventLoopLag();
  const root = packageRoot();
  const publicDir = resolve(options.publicDir ?? join(root, 'server-mock', 'public'));
  const distDir = resolve(options.distDir ?? join(root, 'dist'));
  let stopping = false;
  let listening = false;
  const router = new InstanceRouter(redis, log);
  const sessions = new SessionDirectory(router);
  const publisher = new Publisher({ hub, sessions, clock, metrics, messageLog, logPayloads });
  const maxPayload = options.maxPayload ?? 64 * 1024;
  // Frames over maxPayload are still read, up to maxFrame, so that the session can answer them (error 7) and keep the link.
  const maxFrame = Math.max(maxPayload, options.maxFrame ?? 1024 * 1024);
  // One context for every session: a copy per connection would cost each idle one a few hundred bytes.
  const sessionContext: SessionContext = { auth, hub, ledger, policy, log, metrics, publisher, timing, limits, maxPayload, clock, sessions, userCap, lag };
  const httpTransport = createHttpTransport({
    router,
    clock,
    log,
    metrics,
    origins: options.origins ?? [],
    ipLimiter,
    ip: clientIp,
    accepting: () => !stopping,
    window: timing.httpWindow,
    keepAlive: (options.heartbeat ?? 30) * 1000,
    maxFrame,
    maxBody: limits.maxBuffered,
    startSession(pipe, token, req, ip, announce) {
      void new Session(pipe, sessionContext, ip, req.headers.origin).start(token, announce);
    },
  });

  const api = createRestApi({ hub, publisher, clock, policy, auth, log, metrics, logPayloads, apiKeys, dev, maxDepth: limits.maxDepth, ip: clientIp, metricsToken: options.metricsToken, ready: () => listening && !stopping, storeUp: () => redis?.up ?? true });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseTarget(req.url);
    if (await api(req, res, target)) return;
    if (await httpTransport.handle(req, res, target)) return;
    if (target.path === '/rtc') {
      res.setHeader('upgrade', 'websocket');
      throw new HttpError(426, RtcErrorCode.Formatting, 'this is the RTC WebSocket endpoint: connect with a WebSocket client');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, RtcErrorCode.UnknownCommand, 'use GET');
    if (target.path.startsWith('/dist/')) {
      // Only the browser bundles: the server's bundle and its source maps are nobody's business.
      if (!BROWSER_BUNDLE.test(target.path.slice('/dist/'.length))) throw new HttpError(404, RtcErrorCode.UnknownResourceName, 'not found');
      return serveFile(distDir, target.path.slice('/dist'.length), req, res);
    }
    return serveFile(publicDir, target.path === '/' ? '/index.html' : target.path, req, res);
  };
  // Short HTTP timeouts: REST bodies are at most 64 KiB, so a request still arriving after 30 s is a slowloris, not a client.
  // headersTimeout also bounds a connection that never sends anything; checking every second enforces it promptly.
  const idleMs = (options.idleTimeout ?? 10) * 1000;
  const http = createHttpServer({ headersTimeout: idleMs, requestTimeout: Math.max(30_000, idleMs), connectionsCheckingInterval: 1_000 }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: { code: error.rtcCode, info: error.info } });
      if (error instanceof StoreUnavailableError) return sendJson(res, 503, { error: { code: RtcErrorCode.Internal, info: error.message } });
      // A client that hangs up while sending its body is not a server fault.
      if (req.destroyed || (error as NodeJS.ErrnoException).code === 'ECONNRESET') return void log.info('http_aborted', { error: String(error), path: parseTarget(req.url).path.slice(0, 200) });
      log.error('http_error', { error: String(error) });
      sendJson(res, 500, { error: { code: RtcErrorCode.Internal, info: 'internal error' } });
    });
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    hangUp(socket, `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrame, perMessageDeflate: false, clientTracking: true });
  http.on(
    'upgrade',
    createUpgradeHandler({
      wss,
      log,
      metrics,
      origins: options.origins ?? [],
      ipLimiter,
      ipCap,
      legacy: legacy !== undefined,
      ip: clientIp,
      accepting: () => !stopping,
      onConnection(ws, endpoint, req, ip, socket) {
        heartbeat.track(ws);
        const origin = req.headers.origin;
        if (endpoint === 'legacy') return legacy!.accept(ws, ip, origin);
        // The token may be absent: the client then authenticates with jwt replace, which keeps it out of URLs and logs.
        const { query } = parseTarget(req.url);
        void new Session(webSocketPipe(ws, socket), sessionContext, ip, origin).start(query.get('access_token') ?? undefined, query.get('session') === '1');
      },
    }),
  );
  // Forget quiet IPs now and then so the per-IP table stays small.
  const prune = ipLimiter ? setInterval(() => ipLimiter.prune(), 60_000).unref() : undefined;

  let port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  return {
    get url() {
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    secret,
    apiKey,
    dev,
    devKeys: kept && options.devKeys,
    auth,
    listen() {
      return new Promise((resolvePort, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          port = (http.address() as AddressInfo).port;
          listening = true;
          log.info('listening', { url: this.url, dev, legacy: legacy !== undefined, redis: redis !== undefined });
          resolvePort(port);
        });
      });
    },
    async close() {
      if (stopping) return;
      // Draining first: upgrades get 503 and /readyz says so while clients close; the listener goes last.
      stopping = true;
      clearInterval(prune);
      lag.stop();
      heartbeat.stop();
      legacy?.stop();
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.close(CloseCode.GoingAway, 'server shutting down');
      httpTransport.close();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      if (listening) {
        await new Promise<void>((resolveClose) => {
          http.close(() => resolveClose());
          http.closeAllConnections();
        });
      }
      listening = false;
      router.close();
      await messageLog?.close();
      await redis?.close();
    },
  };
}

/** The folder holding rtm-kit's package.json, from source (server-mock/) or from the bundle (dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionCap } from './connection-caps.js';
import { hangUp } from './hang-up.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { KeyedRateLimiter } from '../session/rate-limit.js';
import { isLoopback, type IpResolver } from '../http/request-ip.js';
import { parseTarget } from '../http/request-url.js';

/** Which WebSocket endpoint a request asked for. */
export type Endpoint = 'rtc' | 'legacy';

/** What the upgrade gate needs. */
export interface UpgradeContext {
  wss: WebSocketServer;
  log: Logger;
  metrics: Metrics;
  /** Allowed Origins (exact match); empty allows any. */
  origins: readonly string[];
  /** Per-IP connection rate, or undefined for none. */
  ipLimiter: KeyedRateLimiter | undefined;
  /** Per-IP cap on open connections (both endpoints). */
  ipCap: ConnectionCap;
  legacy: boolean;
  /** The client IP of a request (proxy-aware). */
  ip: IpResolver;
  /** False while shutting down. */
  accepting: () => boolean;
  /** Takes over an accepted WebSocket; `socket` is the one `ws` now runs on (frames may be written to it whole). */
  onConnection: (ws: WebSocket, endpoint: Endpoint, req: IncomingMessage, ip: string, socket: Duplex) => void;
}

/**
 * Guards WebSocket upgrades before any WebSocket exists: the per-IP
 * connection rate first (every upgrade attempt costs, whatever its path),
 * then the per-IP cap on open connections, the path, and the Origin
 * allow-list. Refusals are plain HTTP answers (403, 404, 429, 503): cheap,
 * and visible in proxy logs; the socket is destroyed shortly after, never
 * left half-open. Token problems are not checked here but after the
 * upgrade, so a browser can be told why (error 3, close 4001).
 */
export function createUpgradeHandler(ctx: UpgradeContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const refuse = (socket: Duplex, status: number, text: string): void => {
    hangUp(socket, `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };
  return (req, socket, head) => {
    socket.on('error', destroyOnError);
    if (!ctx.accepting()) return refuse(socket, 503, 'Service Unavailable');
    const ip = ctx.ip(req);
    const origin = req.headers.origin;
    // Loopback is exempt: local tools and test suites, and a proxy not listed in --trust-proxy (whose clients
    // could not be told apart) would otherwise share one bucket and lock everyone out together.
    const exempt = isLoopback(ip);
    if (ctx.ipLimiter && !exempt && !ctx.ipLimiter.take(ip)) {
      ctx.metrics.limited.inc({ limit: 'ip' });
      ctx.log.warn('connection_rate_exceeded', { ip, origin });
      return refuse(socket, 429, 'Too Many Requests');
    }
    const { path } = parseTarget(req.url);
    const endpoint: Endpoint | undefined = path === '/rtc' ? 'rtc' : path === '/' && ctx.legacy ? 'legacy' : undefined;
    if (!endpoint) return refuse(socket, 404, 'Not Found');
    // Browsers always send Origin; a request without one is not a browser, and could forge any Origin anyway.
    if (ctx.origins.length > 0 && origin !== undefined && !ctx.origins.includes(origin)) {
      ctx.metrics.limited.inc({ limit: 'origin' });
      ctx.log.warn('origin_rejected', { ip, origin: origin.slice(0, 200), endpoint });
      return refuse(socket, 403, 'Forbidden');
    }
    if (!exempt && !ctx.ipCap.claim(ip)) {
      ctx.metrics.limited.inc({ limit: 'ip_open' });
      ctx.log.warn('ip_connections_exceeded', { ip, origin, endpoint });
      return refuse(socket, 429, 'Too Many Requests');
    }
    // The claim goes with the socket, whether ws completes the handshake or refuses it (a bad key or version).
    if (!exempt) releaseOnClose(socket, ctx.ipCap, ip);
    ctx.wss.handleUpgrade(req, socket, head, (ws) => ctx.onConnection(ws, endpoint, req, ip, socket));
  };
}

// What stays attached to a socket for its whole life is kept out of the handler's scope: a closure there would hold
// the request (headers and all) for as long as the connection lasts.
function destroyOnError(this: Duplex): void {
  this.destroy();
}

function releaseOnClose(socket: Duplex, cap: ConnectionCap, ip: string): void {
  socket.once('close', () => cap.release(ip));
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { KeyedRateLimiter } from './rate-limit.js';
import { isLoopback, requestIp } from './request-ip.js';
import { parseTarget } from './request-url.js';

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
  legacy: boolean;
  trustProxy: boolean;
  /** False while shutting down. */
  accepting: () => boolean;
  /** Takes over an accepted socket. */
  onConnection: (ws: WebSocket, endpoint: Endpoint, req: IncomingMessage, ip: string) => void;
}

/**
 * Guards WebSocket upgrades: the path picks the endpoint, then the Origin
 * allow-list and the per-IP connection rate are checked before any
 * WebSocket exists. Refusals are plain HTTP answers (403, 404, 429, 503):
 * cheap, and visible in proxy logs. Token problems are not checked here but
 * after the upgrade, so a browser can be told why (error 3, close 4001).
 */
export function createUpgradeHandler(ctx: UpgradeContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const refuse = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!ctx.accepting()) return refuse(socket, 503, 'Service Unavailable');
    const { path } = parseTarget(req.url);
    const endpoint: Endpoint | undefined = path === '/rtc' ? 'rtc' : path === '/' && ctx.legacy ? 'legacy' : undefined;
    if (!endpoint) return refuse(socket, 404, 'Not Found');
    const ip = requestIp(req, ctx.trustProxy);
    const origin = req.headers.origin;
    // Browsers always send Origin; a request without one is not a browser, and could forge any Origin anyway.
    if (ctx.origins.length > 0 && origin !== undefined && !ctx.origins.includes(origin)) {
      ctx.metrics.limited.inc({ limit: 'origin' });
      ctx.log.warn('origin_rejected', { ip, origin: origin.slice(0, 200) });
      return refuse(socket, 403, 'Forbidden');
    }
    // Loopback is exempt: local tools and test suites, and a proxy whose clients were not told apart (--trust-proxy)
    // would otherwise share one bucket and lock everyone out together.
    if (ctx.ipLimiter && !isLoopback(ip) && !ctx.ipLimiter.take(ip)) {
      ctx.metrics.limited.inc({ limit: 'ip' });
      ctx.log.warn('connection_rate_exceeded', { ip, origin });
      return refuse(socket, 429, 'Too Many Requests');
    }
    ctx.wss.handleUpgrade(req, socket, head, (ws) => ctx.onConnection(ws, endpoint, req, ip));
  };
}

import type { IncomingMessage } from 'node:http';

/**
 * The client's IP address. Behind a reverse proxy every request comes from
 * the proxy, so with `trustProxy` the address the proxy reports is used:
 * `X-Real-IP`, else the last `X-Forwarded-For` entry (the one the proxy
 * appended; earlier ones are whatever the client claimed).
 */
export function requestIp(req: IncomingMessage, trustProxy: boolean): string {
  const direct = req.socket.remoteAddress ?? '';
  if (!trustProxy) return direct;
  const real = req.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim() !== '') return real.trim().slice(0, 64);
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
  return last ? last.slice(0, 64) : direct;
}

/** True for loopback addresses (127.0.0.0/8, ::1, and their IPv4-mapped forms). */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

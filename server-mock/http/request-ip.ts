import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { ConfigError } from '../errors.js';

/** Finds the client IP of a request. */
export type IpResolver = (req: IncomingMessage) => string;

/**
 * The client-IP resolver for a list of trusted proxy addresses. Without
 * proxies it is the peer's address. With them, `X-Forwarded-For` is walked
 * from the right, through trusted proxies only, and the first address not
 * on the list is the client (`proxy-addr`): whatever a client writes into
 * the header itself sits further left and is never reached. `X-Real-IP` is
 * ignored: nothing says which hop wrote it.
 */
export function ipResolver(trustedProxies: readonly string[] | undefined): IpResolver {
  if (!trustedProxies?.length) return (req) => req.socket.remoteAddress ?? '';
  let trust: (address: string, hop: number) => boolean;
  try {
    trust = proxyAddr.compile([...trustedProxies]);
  } catch (error) {
    throw new ConfigError(`trust-proxy: ${(error as Error).message} (use IPs, CIDR ranges, loopback, linklocal or uniquelocal)`);
  }
  // A socket already closed has no address; proxy-addr needs a string.
  return (req) => (req.socket.remoteAddress === undefined ? '' : proxyAddr(req, trust));
}

/** True for loopback addresses (127.0.0.0/8, ::1, and their IPv4-mapped forms). */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

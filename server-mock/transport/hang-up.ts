import type { Duplex } from 'node:stream';

/** How long a refused peer gets to read our answer before its socket is destroyed. */
export const FLUSH_GRACE_MS = 1_000;

/**
 * Sends a last raw HTTP answer and lets the socket go: `end()` alone only
 * half-closes it, and a peer that never closes its side would then hold the
 * descriptor forever. The answer is small, so it is in the kernel at once;
 * the short grace lets it reach the peer before the socket is destroyed.
 */
export function hangUp(socket: Duplex, response: string): void {
  if (socket.destroyed) return;
  socket.on('error', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (socket.writable) socket.end(response);
  else socket.destroy();
}

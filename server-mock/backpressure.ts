import type { WebSocket } from 'ws';

/**
 * Sends `frame` unless that would leave more than `maxBuffered` bytes
 * queued for this client. Returns false when the client reads too slowly;
 * the caller then closes it (4003) instead of letting memory grow, since
 * `ws` itself never limits `bufferedAmount`.
 */
export function sendBounded(ws: WebSocket, frame: string, maxBuffered: number): boolean {
  if (ws.bufferedAmount + Buffer.byteLength(frame) > maxBuffered) return false;
  ws.send(frame);
  return true;
}

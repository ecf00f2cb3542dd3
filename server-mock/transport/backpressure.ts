/**
 * Sends `frame` unless that would leave more than `maxBuffered` bytes
 * queued for this client. Returns false when the client reads too slowly;
 * the caller then closes it (4003) instead of letting memory grow, since
 * `ws` itself never limits `bufferedAmount`.
 */
export function sendBounded(ws: { readonly bufferedAmount: number; send(frame: string): void }, frame: string, maxBuffered: number): boolean {
  // frame.length undercounts non-ASCII text at most threefold; the cap stays a bound, and a fan-out to many
  // subscribers does not measure the same string in bytes once per subscriber.
  if (ws.bufferedAmount + frame.length > maxBuffered) return false;
  ws.send(frame);
  return true;
}

import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../ops/clock.js';

/**
 * Pings every tracked socket each interval and terminates those that did
 * not answer the previous ping: a dead peer (a laptop lid closed, a NAT
 * entry dropped) would otherwise hold its connection and subscriptions for
 * as long as TCP takes to notice, often hours. `terminate`, not `close`,
 * because a dead peer never completes a closing handshake.
 *
 * Only a pong that echoes the ping's random payload counts (RFC 6455
 * §5.5.3): a peer that sends pongs on its own, without reading what we
 * send, does not stay alive by it.
 */
export class Heartbeat {
  /** Each socket's outstanding ping payload, or null once answered. */
  private readonly pending = new Map<WebSocket, Buffer | null>();
  private cancel: (() => void) | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Watches `ws` until it closes. */
  track(ws: WebSocket): void {
    if (this.intervalMs <= 0) return;
    this.pending.set(ws, null);
    ws.on('pong', (data: Buffer) => {
      const expected = this.pending.get(ws);
      if (expected && data.equals(expected)) this.pending.set(ws, null);
    });
    ws.once('close', () => this.pending.delete(ws));
    if (!this.cancel) this.arm();
  }

  /** Stops pinging. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    this.cancel = this.clock.after(this.intervalMs, () => {
      for (const [ws, outstanding] of this.pending) {
        if (outstanding) {
          this.pending.delete(ws);
          ws.terminate();
          continue;
        }
        const payload = randomBytes(8);
        this.pending.set(ws, payload);
        ws.ping(payload);
      }
      this.cancel = undefined;
      if (this.pending.size > 0) this.arm();
    });
  }
}

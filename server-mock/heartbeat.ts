import type { WebSocket } from 'ws';
import type { Clock } from './clock.js';

/**
 * Pings every tracked socket each interval and terminates those that did
 * not answer the previous ping: a dead peer (a laptop lid closed, a NAT
 * entry dropped) would otherwise hold its connection and subscriptions for
 * as long as TCP takes to notice, often hours. `terminate`, not `close`,
 * because a dead peer never completes a closing handshake.
 */
export class Heartbeat {
  private readonly alive = new Map<WebSocket, boolean>();
  private cancel: (() => void) | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Watches `ws` until it closes. */
  track(ws: WebSocket): void {
    if (this.intervalMs <= 0) return;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.once('close', () => this.alive.delete(ws));
    if (!this.cancel) this.arm();
  }

  /** Stops pinging. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    this.cancel = this.clock.after(this.intervalMs, () => {
      for (const [ws, answered] of this.alive) {
        if (!answered) {
          this.alive.delete(ws);
          ws.terminate();
          continue;
        }
        this.alive.set(ws, false);
        ws.ping();
      }
      this.cancel = undefined;
      if (this.alive.size > 0) this.arm();
    });
  }
}

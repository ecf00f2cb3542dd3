import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../ops/clock.js';

/**
 * Pings every tracked socket each interval and terminates those that said
 * nothing since the previous ping: a dead peer (a laptop lid closed, a NAT
 * entry dropped) would otherwise hold its connection and subscriptions for
 * as long as TCP takes to notice, often hours. `terminate`, not `close`,
 * because a dead peer never completes a closing handshake.
 *
 * A peer answers with a pong that echoes the ping's random payload (RFC 6455
 * §5.5.3), so one that sends pongs on its own does not stay alive by it. The
 * payload is drawn once per round, not per socket: what it guards against is
 * a peer that does not read, and one that reads the ping has answered it.
 * Any data frame since the ping counts too: a peer that publishes faster
 * than an overloaded server reads has its pong queued behind its own
 * frames, and killing it for our backlog would lose its publishes.
 */
export class Heartbeat {
  /** Each socket, and whether this round's ping still waits for its answer. */
  private readonly pending = new Map<WebSocket, boolean>();
  /** This round's ping payload. */
  private payload = Buffer.alloc(0);
  private cancel: (() => void) | undefined;
  // Listeners shared by every socket (`this` is the socket): no closures per connection.
  private readonly onPong: (this: WebSocket, data: Buffer) => void;
  private readonly onMessage: (this: WebSocket) => void;
  private readonly onClose: (this: WebSocket) => void;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {
    const pending = this.pending;
    const beat = this;
    this.onPong = function (data) {
      if (pending.get(this) && data.equals(beat.payload)) pending.set(this, false);
    };
    this.onMessage = function () {
      if (pending.get(this)) pending.set(this, false);
    };
    this.onClose = function () {
      pending.delete(this);
    };
  }

  /** Watches `ws` until it closes. */
  track(ws: WebSocket): void {
    if (this.intervalMs <= 0) return;
    this.pending.set(ws, false);
    ws.on('pong', this.onPong);
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    if (!this.cancel) this.arm();
  }

  /** Stops pinging. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    this.cancel = this.clock.after(this.intervalMs, () => {
      const payload = (this.payload = randomBytes(8));
      for (const [ws, outstanding] of this.pending) {
        if (outstanding) {
          this.pending.delete(ws);
          ws.terminate();
          continue;
        }
        this.pending.set(ws, true);
        ws.ping(payload);
      }
      this.cancel = undefined;
      if (this.pending.size > 0) this.arm();
    });
  }
}

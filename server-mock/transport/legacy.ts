import type { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import { matchesAny } from '../auth/policy.js';
import { isPrivateChannel } from '../auth/channels.js';
import { sendBounded } from './backpressure.js';
import type { ChannelPost, Hub } from '../streams/hub.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';

/**
 * The legacy APEX RTM endpoint: a plain WebSocket at `/`, no token, that
 * receives the messages of the channels on its allow-list as raw
 * `{channel, eventName, payload}` frames, which is what the original APEX RTM Listener
 * plug-in expects (it filters by channel and event in the browser).
 * `user:` channels never reach it, whatever the list says: it has no
 * identity to check.
 */
export class LegacyEndpoint {
  private readonly sockets = new Set<WebSocket>();
  private readonly untap: () => void;

  constructor(
    hub: Hub,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly maxBuffered: number,
    /** Channel patterns it carries (exact, or a prefix ending in `*`). */
    private readonly channels: readonly string[],
  ) {
    this.untap = hub.tap((post) => this.forward(post));
  }

  /** Takes over an upgraded socket. */
  accept(ws: WebSocket, ip: string, origin: string | undefined): void {
    this.sockets.add(ws);
    this.metrics.connections.inc({ endpoint: 'legacy', transport: 'websocket' });
    this.log.info('connect', { endpoint: 'legacy', ip, origin });
    // The original APEX RTM Listener never sends; anything it does send has no meaning here and is ignored.
    ws.on('message', () => this.metrics.messagesIn.inc({ transport: 'websocket' }));
    ws.on('error', () => {
      // ws closes the socket itself after a protocol error; the close handler cleans up.
    });
    ws.once('close', (code) => {
      this.sockets.delete(ws);
      this.metrics.connections.dec({ endpoint: 'legacy', transport: 'websocket' });
      this.log.info('disconnect', { endpoint: 'legacy', ip, origin, code });
    });
  }

  /**
   * Stops forwarding and closes every legacy socket with 1012 (service
   * restart), not 1001: the original APEX RTM Listener reconnects after 3 s on any code
   * but 1000 and 1001, so after a restart or deploy it comes back by itself.
   */
  stop(): void {
    this.untap();
    for (const ws of this.sockets) ws.close(1012, 'server restarting');
  }

  private forward(post: ChannelPost): void {
    if (this.sockets.size === 0 || isPrivateChannel(post.channel) || !matchesAny(this.channels, post.channel)) return;
    const frame = JSON.stringify({ channel: post.channel, eventName: post.eventName, payload: post.payload });
    for (const ws of this.sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (sendBounded(ws, frame, this.maxBuffered)) {
        this.metrics.messagesOut.inc({ transport: 'websocket' });
        continue;
      }
      this.metrics.slowConsumers.inc();
      this.sockets.delete(ws);
      ws.close(CloseCode.SlowConsumer, 'slow consumer');
    }
  }
}

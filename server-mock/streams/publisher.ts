import { toChannelMessage, type Json } from '../../protocol/index.js';
import type { MessageLog } from '../ops/message-log.js';
import type { Metrics } from '../ops/metrics.js';
import type { Clock } from '../ops/clock.js';
import { directFrame, type SessionDirectory } from '../session/session-directory.js';
import type { Hub } from './hub.js';

/** Who sent a channel message, for the metrics: an RTC connection or the REST API. */
export type PublishVia = 'rtc' | 'rest';

/** What a {@link Publisher} needs. */
export interface PublisherContext {
  hub: Hub;
  sessions: SessionDirectory;
  clock: Clock;
  metrics: Metrics;
  messageLog: MessageLog | undefined;
  /** Whether message log lines carry the payload. */
  logPayloads: boolean;
}

/**
 * Sends channel messages, whoever sends them (an RTC publish or a REST
 * call), and writes their side effects in one place: the broadcast metric
 * and the message log line, `sent` or `rejected`.
 */
export class Publisher {
  constructor(private readonly ctx: PublisherContext) {}

  /** Publishes `data` (a channel message) on `channel`: kept in history and fanned out. Resolves with the recipients counted here. */
  async publish(channel: string, data: Json, source: string, via: PublishVia): Promise<number> {
    const recipients = await this.ctx.hub.publishChannelMessage(channel, data, source);
    this.sent(channel, data, source, via, recipients);
    return recipients;
  }

  /**
   * Sends `data` to the one session `id`, on whichever instance holds it; nothing is kept in history.
   * Resolves false, and logs nothing as sent, when no instance holds it.
   */
  async direct(id: string, data: Json, source: string, via: PublishVia): Promise<boolean> {
    const { eventName, payload } = toChannelMessage(data);
    const reached = await this.ctx.sessions.deliver(id, directFrame(id, eventName, payload, source, this.ctx.clock.now()));
    if (reached) this.sent(`session:${id}`, data, source, via, 1);
    return reached;
  }

  /** Logs a channel message that was refused with RTC error `code`; `channel` and `eventName` are as the sender gave them. */
  rejected(source: string, channel: unknown, eventName: unknown, error: { code: number; info: string }): void {
    this.ctx.messageLog?.write({
      source,
      channel: String(channel ?? '').slice(0, 255),
      eventName: typeof eventName === 'string' ? eventName.slice(0, 255) : null,
      status: 'rejected',
      error,
    });
  }

  private sent(channel: string, data: Json, source: string, via: PublishVia, recipients: number): void {
    this.ctx.metrics.broadcasts.inc({ source: via });
    if (!this.ctx.messageLog) return;
    const { eventName, payload } = toChannelMessage(data);
    this.ctx.messageLog.write({ source, channel, eventName, status: 'sent', recipients, ...(this.ctx.logPayloads ? { payload } : {}) });
  }
}

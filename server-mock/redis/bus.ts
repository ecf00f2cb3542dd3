import type { ResourceRef } from '../../protocol/index.js';
import type { StoredEvent } from '../streams/history.js';
import type { SharedBus } from '../streams/hub.js';
import type { Logger } from '../ops/log.js';
import type { RedisLink } from './link.js';

/**
 * The event bus on Redis Pub/Sub: one channel that every instance
 * subscribes to, on which {@link RedisHistory}'s append script publishes each
 * event as `<type>\n<name>\n<offset>\n<epoch>\n<action>\n<frame>` (names and
 * epochs never hold a newline). Redis runs scripts one at a time, so every
 * instance hears the events of a stream in offset order.
 */
export class RedisBus implements SharedBus {
  constructor(
    private readonly link: RedisLink,
    private readonly channel: string,
    private readonly log: Logger,
  ) {}

  start(receive: (resource: ResourceRef, event: StoredEvent) => void): void {
    this.link.listen(this.channel, (message) => {
      const parsed = parseMessage(message);
      if (!parsed) return this.log.error('bus_message_unreadable', { length: message.length });
      receive(parsed.resource, parsed.event);
    });
  }
}

function parseMessage(message: string): { resource: ResourceRef; event: StoredEvent } | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i += 1) {
    const end = message.indexOf('\n', from);
    if (end < 0) return undefined;
    parts.push(message.slice(from, end));
    from = end + 1;
  }
  const [type, name, offset, epoch, action] = parts as [string, string, string, string, string];
  return { resource: { type, name }, event: { offset: Number(offset), epoch, action, frame: message.slice(from) } };
}

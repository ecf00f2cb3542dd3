import type { ResourceRef } from '../../protocol/index.js';
import { readBusMessage } from '../streams/bus-message.js';
import type { StoredEvent } from '../streams/event-frame.js';
import type { SharedBus } from '../streams/hub.js';
import type { Logger } from '../ops/log.js';
import type { RedisLink } from './link.js';

/**
 * The event bus on Redis Pub/Sub: one channel that every instance
 * subscribes to, on which {@link RedisHistory}'s append script publishes each
 * event (the message is defined in `streams/bus-message.ts`, which both the
 * script and this reader use). Redis runs scripts one at a time, so every
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
      const read = readBusMessage(message);
      if (!read) return this.log.error('bus_message_unreadable', { length: message.length });
      receive(read.resource, read.event);
    });
  }
}

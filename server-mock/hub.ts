import { CHANNEL_TYPE, PUBLISHED, type EventData, type Json, type ResourceRef } from '../client/protocol.js';

/** Anything that can receive serialized event frames. */
export interface Subscriber {
  deliver(frame: string): void;
}

/**
 * The fan-out registry: which subscribers hold which resource. An event is
 * serialized once and the same string goes to every subscriber.
 */
export class Hub {
  private readonly topics = new Map<string, Set<Subscriber>>();

  /** Number of resources with at least one subscriber. */
  get topicCount(): number {
    return this.topics.size;
  }

  subscribe(resource: ResourceRef, subscriber: Subscriber): void {
    const key = topicKey(resource);
    let set = this.topics.get(key);
    if (!set) this.topics.set(key, (set = new Set()));
    set.add(subscriber);
  }

  unsubscribe(resource: ResourceRef, subscriber: Subscriber): void {
    const key = topicKey(resource);
    const set = this.topics.get(key);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.topics.delete(key);
  }

  /** Publishes a channel message; returns how many subscribers it was sent to. */
  publish(channel: string, data: Json, modifierId: string): number {
    const event: EventData = {
      action: PUBLISHED,
      resource: { type: CHANNEL_TYPE, name: channel },
      modifier: { id: modifierId },
      timestamp: new Date().toISOString(),
      data,
    };
    const set = this.topics.get(topicKey(event.resource));
    if (!set) return 0;
    const frame = JSON.stringify({ type: 'event', data: event });
    for (const subscriber of set) subscriber.deliver(frame);
    return set.size;
  }
}

/** The registry key of a resource. */
export function topicKey(resource: ResourceRef): string {
  return `${resource.type}\u0000${resource.name}`;
}

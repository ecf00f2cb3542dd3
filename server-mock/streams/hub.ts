import { CHANNEL_TYPE, PUBLISHED, resourceKey, toChannelMessage, type ChannelMessage, type Json, type ResourceRef } from '../../protocol/index.js';
import type { HistoryStore } from './history.js';
import { eventOf, type StoredEvent } from './event-frame.js';
import { Stream, type SubscribeOptions, type Subscribed, type Subscriber } from './stream.js';
import { silentLogger, type Logger } from '../ops/log.js';

export type { SubscribeOptions, Subscribed, Subscriber } from './stream.js';

/**
 * Carries the events of every instance to every instance (Redis Pub/Sub),
 * so a subscriber receives each event once wherever it was published. The
 * history store publishes on it as part of each append (the message is
 * defined in `bus-message.ts`).
 */
export interface SharedBus {
  /** Hands every event (this instance's too) to `receive`, per stream in offset order. */
  start(receive: (resource: ResourceRef, event: StoredEvent) => void): void;
}

/** A channel message as taps see it (the legacy endpoint). */
export interface ChannelPost extends ChannelMessage {
  channel: string;
  /** Who sent it: a token `sub` or `api:<key name>`. */
  source: string;
}

/**
 * The streams of this instance, by resource: every event first goes into its
 * stream's history, which gives it an offset and serializes it once; the
 * resource's {@link Stream} then hands the same string to its subscribers,
 * in order and once each.
 */
export class Hub {
  /** The streams with subscribers here (or a gap being filled). */
  private readonly streams = new Map<string, Stream>();
  private readonly taps = new Set<(post: ChannelPost) => void>();
  private stamped = { at: NaN, text: '' };

  /**
   * With a `bus`, events reach this instance's subscribers only through it,
   * as they reach every other instance's; without one, straight from the append.
   */
  constructor(
    private readonly history: HistoryStore,
    private readonly now: () => number = Date.now,
    private readonly bus?: SharedBus,
    private readonly log: Logger = silentLogger,
  ) {
    bus?.start((resource, event) => this.receive(resource, event));
  }

  /** Number of resources with at least one subscriber. */
  get topicCount(): number {
    let count = 0;
    for (const stream of this.streams.values()) if (stream.size > 0) count += 1;
    return count;
  }

  /**
   * Subscribes `subscriber` to `resource` (see {@link Stream.subscribe}):
   * resolves with the stream's position once any replay since `since` is out
   * and the live events that came meanwhile are released.
   */
  subscribe(resource: ResourceRef, subscriber: Subscriber, options: SubscribeOptions = { actions: [PUBLISHED] }): Promise<Subscribed> {
    const key = resourceKey(resource);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new Stream({ type: resource.type, name: resource.name }, this.history, (event) => this.tapEvent(resource, event), (idle) => this.forget(key, idle), this.log);
      this.streams.set(key, stream);
    }
    return stream.subscribe(subscriber, options);
  }

  /**
   * Removes `actions` (all of them when omitted; see {@link Stream.unsubscribe});
   * returns true when nothing of the resource is left for the subscriber.
   */
  unsubscribe(resource: ResourceRef, subscriber: Subscriber, actions?: readonly string[]): boolean {
    return this.streams.get(resourceKey(resource))?.unsubscribe(subscriber, actions) ?? true;
  }

  /** Calls `tap` for every channel message; returns the function that stops it. */
  tap(listener: (post: ChannelPost) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Publishes a channel message; resolves with how many subscribers it was sent to. */
  async publishChannelMessage(channel: string, data: Json, source: string): Promise<number> {
    const recipients = await this.publishEvent({ type: CHANNEL_TYPE, name: channel }, PUBLISHED, data, source);
    // With a bus, taps see messages as they arrive from it, those of other instances included.
    if (!this.bus && this.taps.size > 0) this.notifyTaps({ channel, source, ...toChannelMessage(data) });
    return recipients;
  }

  /**
   * Records an event in history and sends it to the subscribers of `resource`
   * that asked for `action`; resolves with how many. With a bus,
   * the count is of this instance's subscribers: the others are not known here.
   */
  async publishEvent(resource: ResourceRef, action: string, data: Json, modifierId: string): Promise<number> {
    const event = await this.history.append({ action, resource: { type: resource.type, name: resource.name }, modifier: { id: modifierId }, timestamp: this.timestamp(), data });
    // Nothing may be awaited between the append and the fan-out: appends resolve in offset order, and so must deliveries.
    const stream = this.streams.get(resourceKey(resource));
    if (!stream) return 0;
    return this.bus ? stream.count(event) : stream.publish(event);
  }

  /** The time as an event's ISO timestamp, formatted once per millisecond however many events share it. */
  private timestamp(): string {
    const now = this.now();
    if (now !== this.stamped.at) this.stamped = { at: now, text: new Date(now).toISOString() };
    return this.stamped.text;
  }

  /** An event from the bus: to its stream, which keeps the order; only taps hear the streams nobody here holds. */
  private receive(resource: ResourceRef, event: StoredEvent): void {
    const stream = this.streams.get(resourceKey(resource));
    if (stream) stream.receive(event);
    else this.tapEvent(resource, event);
  }

  private forget(key: string, stream: Stream): void {
    if (this.streams.get(key) === stream && stream.unused) this.streams.delete(key);
  }

  /** Hands a channel message that went out through a stream (or the bus) to the taps. */
  private tapEvent(resource: ResourceRef, event: StoredEvent): void {
    // Without a bus, publishChannelMessage tells the taps itself, from the message it was given.
    if (!this.bus || resource.type !== CHANNEL_TYPE || this.taps.size === 0) return;
    const { data, modifier } = eventOf(event);
    this.notifyTaps({ channel: resource.name, source: modifier?.id ?? '', ...toChannelMessage(data) });
  }

  private notifyTaps(post: ChannelPost): void {
    for (const listener of this.taps) listener(post);
  }
}

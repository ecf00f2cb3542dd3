import { CHANNEL_TYPE, PUBLISHED, concreteActions, resourceKey, toChannelMessage, type CompiledFilter, type ChannelMessage, type EventData, type Json, type ResourceRef } from '../../protocol/index.js';
import type { HistoryStore, StoredEvent } from './history.js';
import { silentLogger, type Logger } from '../ops/log.js';

/** Anything that can receive serialized event frames. */
export interface Subscriber {
  /** Receives one event frame of the stream `topic` (a {@link resourceKey}). */
  deliver(frame: string, topic: string, event: StoredEvent): void;
}

/**
 * Carries the events of every instance to every instance (Redis Pub/Sub),
 * so a subscriber receives each event once wherever it was published. The
 * history store publishes on it as part of each append.
 */
export interface SharedBus {
  /** Hands every event (this instance's too) to `receive`, per stream in offset order. */
  start(receive: (resource: ResourceRef, event: StoredEvent) => void): void;
}

/** A channel message as taps see it (the legacy endpoint, the message log). */
export interface ChannelPost extends ChannelMessage {
  channel: string;
  /** Who sent it: a token `sub` or `api:<key name>`. */
  source: string;
}

/**
 * The fan-out registry: which subscribers hold which resource, for which
 * actions. Every event first goes into its stream's history, which gives it
 * an offset and serializes it once; the same string then goes to every
 * matching subscriber.
 */
export class Hub {
  private readonly topics = new Map<string, Map<Subscriber, Set<string>>>();
  /** Per topic, the subscribers that filter it. Kept apart so that a topic nobody filters fans out without looking. */
  private readonly filters = new Map<string, Map<Subscriber, CompiledFilter>>();
  private readonly taps = new Set<(post: ChannelPost) => void>();
  /**
   * With a bus: per stream with subscribers here, the last event handed out, and the events that wait
   * while a gap (bus messages this instance missed, e.g. while its Pub/Sub connection was reconnecting) is filled from history.
   */
  private readonly heard = new Map<string, { epoch: string; offset: number; waiting?: StoredEvent[] }>();

  /**
   * With a `bus`, events reach this instance's subscribers only through it,
   * as they reach every other instance's; without one, straight from `emit`.
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
    return this.topics.size;
  }

  /**
   * Adds `actions` (`all` meaning each of created, updated and deleted) to what
   * `subscriber` receives of `resource`, and sets its
   * `filter` on the resource (all its actions); without one, it gets every event.
   */
  subscribe(resource: ResourceRef, subscriber: Subscriber, actions: readonly string[] = [PUBLISHED], filter?: CompiledFilter): void {
    const key = resourceKey(resource);
    this.setFilter(key, subscriber, filter);
    let members = this.topics.get(key);
    if (!members) this.topics.set(key, (members = new Map()));
    const held = members.get(subscriber) ?? new Set<string>();
    for (const action of concreteActions(actions)) held.add(action);
    members.set(subscriber, held);
  }

  /**
   * Removes `actions` (all of them when omitted); returns true when nothing
   * of the resource is left for the subscriber. The set is exact: taking
   * `updated` out of `all` leaves `created` and `deleted`.
   */
  unsubscribe(resource: ResourceRef, subscriber: Subscriber, actions?: readonly string[]): boolean {
    const key = resourceKey(resource);
    const members = this.topics.get(key);
    const held = members?.get(subscriber);
    if (!members || !held) return true;
    if (actions === undefined) held.clear();
    else for (const action of concreteActions(actions)) held.delete(action);
    if (held.size > 0) return false;
    members.delete(subscriber);
    this.setFilter(key, subscriber, undefined);
    if (members.size === 0) {
      this.topics.delete(key);
      // A gap being filled cleans up after itself.
      if (!this.heard.get(key)?.waiting) this.heard.delete(key);
    }
    return true;
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
   * that asked for `action` (or `all`); resolves with how many. With a bus,
   * the count is of this instance's subscribers: the others are not known here.
   */
  async publishEvent(resource: ResourceRef, action: string, data: Json, modifierId: string): Promise<number> {
    const event = await this.history.append({ action, resource: { type: resource.type, name: resource.name }, modifier: { id: modifierId }, timestamp: new Date(this.now()).toISOString(), data });
    // Nothing may be awaited between the append and the fan-out: appends resolve in offset order, and so must deliveries.
    if (this.bus) return this.deliver(resourceKey(resource), event, false);
    return this.deliver(resourceKey(resource), event);
  }

  /** An event from the bus: handed out in offset order, a gap in it filled from history first. */
  private receive(resource: ResourceRef, event: StoredEvent): void {
    const topic = resourceKey(resource);
    if (!this.topics.has(topic)) {
      this.heard.delete(topic);
      return this.dispatch(resource, topic, event);
    }
    const last = this.heard.get(topic);
    if (last?.waiting) return void last.waiting.push(event);
    if (last && last.epoch === event.epoch) {
      if (event.offset <= last.offset) return;
      if (event.offset > last.offset + 1) return this.fill(resource, topic, { epoch: last.epoch, offset: last.offset, waiting: [event] });
    }
    // A new epoch starts at offset 1 (the store lost the stream): a later first offset means this instance missed the start.
    if (last && last.epoch !== event.epoch && event.offset > 1) return this.fill(resource, topic, { epoch: event.epoch, offset: 0, waiting: [event] });
    this.heard.set(topic, { epoch: event.epoch, offset: event.offset });
    this.dispatch(resource, topic, event);
  }

  /** Reads what the bus skipped from history, then hands it out with what arrived meanwhile, in order. */
  private fill(resource: ResourceRef, topic: string, gap: { epoch: string; offset: number; waiting: StoredEvent[] }): void {
    this.heard.set(topic, gap);
    const missed = gap.waiting[0]!.offset - gap.offset - 1;
    const replay = this.history.since(resource, { epoch: gap.epoch, offset: gap.offset }).then(
      (recovery) => {
        if (recovery.recovered) return recovery.events;
        this.log.warn('bus_gap_lost', { resource, missed, reason: recovery.reason });
        return [];
      },
      (error: unknown) => {
        this.log.warn('bus_gap_lost', { resource, missed, error: String(error) });
        return [];
      },
    );
    void replay.then((events) => {
      const waiting = gap.waiting;
      this.heard.set(topic, { epoch: gap.epoch, offset: gap.offset });
      if (events.length > 0) this.log.info('bus_gap_filled', { resource, missed });
      for (const event of [...events, ...waiting]) this.receiveFilled(resource, topic, event);
      // The last subscriber may have left meanwhile; what is heard is kept only for streams with subscribers.
      if (!this.topics.has(topic)) this.heard.delete(topic);
    });
  }

  /** Hands out a replayed or waiting event unless it is not after the last one handed out. */
  private receiveFilled(resource: ResourceRef, topic: string, event: StoredEvent): void {
    const last = this.heard.get(topic);
    if (last?.waiting) return void last.waiting.push(event);
    if (last && last.epoch === event.epoch && event.offset <= last.offset) return;
    this.heard.set(topic, { epoch: event.epoch, offset: event.offset });
    this.dispatch(resource, topic, event);
  }

  private dispatch(resource: ResourceRef, topic: string, event: StoredEvent): void {
    this.deliver(topic, event);
    if (resource.type !== CHANNEL_TYPE || this.taps.size === 0) return;
    const { data } = JSON.parse(event.frame) as { data: { data: Json; modifier: { id: string } } };
    this.notifyTaps({ channel: resource.name, source: data.modifier.id, ...toChannelMessage(data.data) });
  }

  private setFilter(topic: string, subscriber: Subscriber, filter: CompiledFilter | undefined): void {
    let filters = this.filters.get(topic);
    if (filter) {
      if (!filters) this.filters.set(topic, (filters = new Map()));
      filters.set(subscriber, filter);
    } else if (filters?.delete(subscriber) && filters.size === 0) this.filters.delete(topic);
  }

  /** Sends `event` to the subscribers that want it (with `send` false, only counts them); returns how many. */
  private deliver(topic: string, event: StoredEvent, send = true): number {
    const members = this.topics.get(topic);
    if (!members) return 0;
    const filters = this.filters.get(topic);
    // Parsed once per event, and only when someone filters this topic.
    let data: EventData | undefined;
    let count = 0;
    for (const [subscriber, actions] of members) {
      if (!actions.has(event.action)) continue;
      const filter = filters?.get(subscriber);
      if (filter && !filter.test((data ??= eventOf(event)))) continue;
      if (send) subscriber.deliver(event.frame, topic, event);
      count += 1;
    }
    return count;
  }

  private notifyTaps(post: ChannelPost): void {
    for (const listener of this.taps) listener(post);
  }
}

/** The event a stored frame carries. */
export function eventOf(event: StoredEvent): EventData {
  return (JSON.parse(event.frame) as { data: EventData }).data;
}

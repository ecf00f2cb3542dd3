import { RtmError } from './errors.js';
import { CHANNEL_TYPE, PUBLISHED, type EventAction, type EventData, type Json, type ResourceRef } from './protocol.js';

/** Receives the events of one subscription. */
export type EventListener = (event: EventData) => void;

/** State of one server subscription. */
export type SubscriptionState = 'subscribing' | 'subscribed' | 'failed';

interface Entry {
  resource: ResourceRef;
  actions: EventAction[];
  listeners: Set<EventListener>;
  state: SubscriptionState;
}

/** What {@link Subscriptions} needs from the client. */
export interface SubscriptionsDeps {
  request: (command: 'subscribe' | 'unsubscribe', args: Json) => Promise<Json>;
  isOpen: () => boolean;
  /** Reports an error that belongs to no caller (a failed resubscribe, a throwing listener). */
  report: (error: RtmError) => void;
}

/**
 * Reference-counted server subscriptions. Any number of listeners on one
 * resource and action set share one server subscription; the first listener
 * subscribes and the last one unsubscribes. Subscribe commands are sent only
 * on an open link, and every subscription is sent again, once, on each open.
 */
export class Subscriptions {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: SubscriptionsDeps) {}

  /** Number of server subscriptions held. */
  get size(): number {
    return this.entries.size;
  }

  /** Adds a listener; returns the function that removes it (safe to call twice). */
  add(resource: ResourceRef, actions: EventAction[], listener: EventListener): () => void {
    const sorted = [...new Set(actions)].sort();
    const key = JSON.stringify([resource.type, resource.name, sorted]);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { resource: { type: resource.type, name: resource.name }, actions: sorted, listeners: new Set(), state: 'subscribing' };
      this.entries.set(key, entry);
      if (this.deps.isOpen()) this.subscribe(key, entry);
    }
    // Wrap so that the same function added twice is two listeners, each removed by its own call.
    const own: EventListener = (event) => listener(event);
    entry.listeners.add(own);
    const current = entry;
    return () => {
      if (!current.listeners.delete(own) || current.listeners.size > 0) return;
      this.entries.delete(key);
      if (this.deps.isOpen()) {
        this.deps.request('unsubscribe', this.args(current)).catch(() => {
          // The link dropped or the server refused: either way the subscription is gone on our side and will not be replayed.
        });
      }
    };
  }

  /** Sends every subscription again. Call on each open. */
  resubscribe(): void {
    for (const [key, entry] of this.entries) this.subscribe(key, entry);
  }

  /** Delivers an event to the listeners whose subscription it matches. */
  dispatch(event: EventData): void {
    for (const entry of this.entries.values()) {
      if (!matches(entry, event)) continue;
      for (const listener of [...entry.listeners]) {
        // A listener removed by an earlier one during this dispatch must not run.
        if (!entry.listeners.has(listener)) continue;
        try {
          listener(event);
        } catch (cause) {
          this.deps.report(new RtmError('handler', 'a listener threw', undefined, { cause }));
        }
      }
    }
  }

  /** Drops every subscription without telling the server. Call on close. */
  clear(): void {
    this.entries.clear();
  }

  private args(entry: Entry): Json {
    return { action: entry.actions, resource: { type: entry.resource.type, name: entry.resource.name } };
  }

  private subscribe(key: string, entry: Entry): void {
    entry.state = 'subscribing';
    this.deps.request('subscribe', this.args(entry)).then(
      () => {
        if (this.entries.get(key) === entry) entry.state = 'subscribed';
      },
      (error: RtmError) => {
        // A dropped link is not a failure: the subscription is sent again on the next open.
        if (this.entries.get(key) !== entry || error.code === 'disconnected' || error.code === 'closed') return;
        entry.state = 'failed';
        this.deps.report(error);
      },
    );
  }
}

function matches(entry: Entry, event: EventData): boolean {
  const { resource } = entry;
  if (event.resource.type !== resource.type || event.resource.name !== resource.name) return false;
  if (resource.type === CHANNEL_TYPE) return event.action === PUBLISHED || event.action === 'publish';
  return entry.actions.includes('all') || entry.actions.includes(event.action as EventAction);
}

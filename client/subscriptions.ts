import { bad } from './arguments.js';
import { guard, RtmError } from './errors.js';
import { ASK_FOR_POSITIONS, compileFilter, mergeFilters, canonical, CHANNEL_TYPE, isObject, isPublishedAction, resourceKey, advance, positionOf, type CompiledFilter, type Filter, type EventAction, type EventData, type Json, type RecoveryFailure, type ResourceRef, type StreamPosition } from '../protocol/index.js';

/** Receives the events of one subscription. */
export type EventListener = (event: EventData) => void;

/**
 * State of a server subscription: `subscribing` until the server confirms (and
 * again while the link is down), `subscribed`, or `failed` when the server
 * refused it (it is tried again after the next reconnect).
 */
export type SubscriptionState = 'subscribing' | 'subscribed' | 'failed';

/** Receives the new {@link SubscriptionStatus.state} on every change; `error` is set when a subscription failed. */
export type SubscriptionStateHandler = (state: SubscriptionState | 'unsubscribed', error?: RtmError) => void;

/**
 * What a subscription learns when it is sent again after a reconnect: with
 * `recovered` true, every event missed while the link was down has been
 * delivered (in order, each once); with false, some may be lost, and the app
 * should reload what it shows. `reason`: `epoch` (the server lost the
 * stream's history, e.g. a restart), `expired` (the missed events were no
 * longer in history), `unsupported` (the server keeps no history).
 */
export interface Recovery {
  /** True when every missed event was delivered. */
  recovered: boolean;
  /** Why not, when `recovered` is false and the server said. */
  reason?: RecoveryFailure | 'unsupported';
  /** The server's explanation, when it gave one. */
  info?: string;
}

/** A {@link Recovery} of one subscription, as the client's `recovery` event reports it. */
export interface RecoveryEvent extends Recovery {
  /** The subscription's resource: for a channel, `{ type: 'channel', name }`. */
  resource: ResourceRef;
}

/** State and errors of the server subscriptions behind a channel or resource handle. */
export interface SubscriptionStatus {
  /** `unsubscribed` when no listener is on; else the least healthy state of its subscriptions. */
  readonly state: SubscriptionState | 'unsubscribed';
  /** Calls `handler` on every state change; returns the function that stops it. */
  onState(handler: SubscriptionStateHandler): () => void;
  /** Calls `handler` when the server refuses the subscription (e.g. code 2, unauthorized); returns the function that stops it. */
  onError(handler: (error: RtmError) => void): () => void;
  /** Calls `handler` for each resubscription after a reconnect, with whether missed events were recovered; returns the function that stops it. */
  onRecovery(handler: (recovery: Recovery) => void): () => void;
}

/** One server subscription: a resource, an action set, and its listeners. */
export interface Entry {
  resource: ResourceRef;
  /** {@link resourceKey} of `resource`, computed once. */
  owner: string;
  actions: EventAction[];
  /** Each listener with the filter it asks the server for (undefined: every event). */
  listeners: Map<EventListener, Filter | undefined>;
  /** The listeners as an array, rebuilt after a change: a dispatch iterates it without copying, and one that adds or removes listeners meanwhile leaves the array it is iterating alone. */
  run?: EventListener[];
  state: SubscriptionState;
  /** The last event delivered (or the position the server gave at subscribe): the next resubscribe asks for what came after. */
  position?: StreamPosition;
  /** The server confirmed this subscription once: later subscribes are resubscriptions that report a recovery. */
  confirmed: boolean;
}

/** What {@link Subscriptions} needs from the client. */
export interface SubscriptionsDeps {
  /** Sends a command now, or rejects with `disconnected`. */
  request: (command: 'subscribe' | 'unsubscribe', args: Json) => Promise<Json>;
  isOpen: () => boolean;
  /** Reports an error nobody else hears (a throwing listener, a refused subscription without an error handler). */
  report: (error: RtmError) => void;
  /** Hears every recovery, of every subscription. */
  recovered: (event: RecoveryEvent) => void;
}


/** A listener's filter compiled, or undefined for none; throws `bad_argument` naming the call and what is wrong. */
export function listenerFilter(filter: unknown, channel: boolean): CompiledFilter | undefined {
  const compiled = filter === undefined ? undefined : compileFilter(filter, channel);
  if (typeof compiled === 'string') throw new RtmError('bad_argument', `${channel ? 'channel' : 'resource'}.on: ${compiled}`);
  return compiled;
}

type Watcher = (...args: never[]) => void;

/** Adds `handler` to the set of `key` in `map`; returns the function that takes it out (and the set, once empty: an app that watches ever new channels must not grow the map). */
function watch<H extends Watcher>(map: Map<string, Set<H>>, key: string, handler: H): () => void {
  const set = map.get(key) ?? new Set();
  map.set(key, set.add(handler));
  return () => void (set.delete(handler) && !set.size && map.get(key) === set && map.delete(key));
}

/**
 * Reference-counted server subscriptions. Any number of listeners on one
 * resource and action set share one server subscription; the first listener
 * subscribes and the last one unsubscribes. Subscribe commands go out only on
 * an open link, and every subscription is sent again, once, on each open.
 */
export class Subscriptions {
  protected readonly entries = new Map<string, Entry>();
  /** The entries of each resource by its {@link indexKey}, for one lookup per event; arrays are replaced, never changed, so a dispatch iterates its own. */
  private readonly byResource = new Map<string, Entry[]>();
  /** onState/onError and onRecovery handlers, by {@link resourceKey}. */
  private readonly status = new Map<string, Set<SubscriptionStateHandler>>();
  private readonly recoveries = new Map<string, Set<(recovery: Recovery) => void>>();
  /** Per resource, the canonical filter last sent to the server on this link ('null' for none). */
  private readonly sent = new Map<string, string>();
  /** Resources whose listeners changed this tick: their merged filter is compared and, if changed, sent once. */
  private readonly refilter = new Set<string>();
  private closed = false;

  constructor(protected readonly deps: SubscriptionsDeps) {}

  /** Number of server subscriptions held. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of listeners, over all subscriptions. */
  get listeners(): number {
    let count = 0;
    for (const entry of this.entries.values()) count += entry.listeners.size;
    return count;
  }

  /**
   * Adds a listener; returns the function that removes it (safe to call twice).
   * `filter` is what the listener asks the server for; the listener still
   * checks its own events, since the server gets one filter merged from all
   * listeners of the resource.
   */
  add(resource: ResourceRef, actions: EventAction[], listener: EventListener, filter?: Filter): () => void {
    // A closed client never delivers again: keep nothing that would only leak.
    if (this.closed) return () => {};
    const sorted = [...new Set(actions)].sort();
    const key = JSON.stringify([resource.type, resource.name, sorted]);
    // A new wrapper each time: the same function added twice is two listeners, each removed by its own call.
    const own = guard(listener, this.deps.report);
    const known = this.entries.get(key);
    const entry: Entry = known ?? { resource: { type: resource.type, name: resource.name }, owner: resourceKey(resource), actions: sorted, listeners: new Map(), state: 'subscribing', confirmed: false };
    entry.listeners.set(own, filter);
    entry.run = undefined;
    if (known) this.changed(entry);
    else {
      this.entries.set(key, entry);
      this.index(entry, true);
      this.emit(entry);
      if (this.deps.isOpen()) this.subscribe(key, entry);
    }
    return () => {
      if (!entry.listeners.delete(own)) return;
      entry.run = undefined;
      if (entry.listeners.size) return this.changed(entry);
      // Wait a microtask: an off/on pair in one tick (React StrictMode) keeps the subscription instead of churning it.
      queueMicrotask(() => {
        if (entry.listeners.size || this.entries.get(key) !== entry) return;
        this.entries.delete(key);
        this.index(entry, false);
        this.emit(entry);
        if (this.deps.isOpen()) {
          this.deps.request('unsubscribe', this.args(entry)).catch(() => {
            // Refused or link lost: either way no server subscription outlives the link, and it is not replayed.
          });
          // The server holds one action set per resource: unsubscribing ['all'], or an action another set shares, takes
          // it from every listener of the resource. The other sets are sent again, after it, asking for what they missed.
          for (const [other, rest] of this.entries) if (rest.owner === entry.owner) this.subscribe(other, rest);
        }
      });
    };
  }

  /** The status of the subscriptions on `resource`. */
  statusOf(resource: ResourceRef): SubscriptionStatus {
    const key = resourceKey(resource);
    const subscriptions = this;
    return {
      get state() {
        let state: SubscriptionState | 'unsubscribed' = 'unsubscribed';
        for (const entry of subscriptions.entries.values()) {
          if (entry.owner !== key || state === 'failed') continue;
          if (entry.state !== 'subscribed' || state === 'unsubscribed') state = entry.state;
        }
        return state;
      },
      onState: (handler) => this.listen(this.status, key, handler, handler),
      onError: (handler) => this.listen(this.status, key, handler, (_, error) => void (error && handler(error))),
      onRecovery: (handler) => this.listen(this.recoveries, key, handler, handler),
    };
  }

  /** Sends every subscription again. Call on each open. */
  resubscribe(): void {
    for (const [key, entry] of this.entries) this.subscribe(key, entry);
  }

  /** Marks every subscription as `subscribing` again. Call when the link drops. */
  suspend(): void {
    this.sent.clear();
    for (const entry of this.entries.values()) this.setState(entry, 'subscribing');
  }

  /**
   * Delivers an event to the listeners whose subscription it matches, unless
   * that subscription already delivered it: a replay after a reconnect may
   * overlap what arrived live.
   */
  dispatch(event: EventData): void {
    if (!event.resource) return;
    const at = positionOf(event);
    for (const entry of this.entriesOf(event.resource)) {
      if (!matches(entry, event)) continue;
      if (at) {
        const next = advance(entry.position, at);
        if (!next) continue;
        entry.position = next;
      }
      for (const listener of (entry.run ??= [...entry.listeners.keys()])) {
        // A listener removed by an earlier one during this dispatch must not run.
        if (entry.listeners.has(listener)) listener(event);
      }
    }
  }

  /** The entries an event of `resource` is looked up in (the array is replaced, never changed, when they change). */
  protected entriesOf(resource: ResourceRef): readonly Entry[] {
    return this.byResource.get(indexKey(resource)) ?? [];
  }

  /** Drops every subscription and state listener without telling the server, for good. Call on close. */
  close(): void {
    this.closed = true;
    for (const map of [this.entries, this.byResource, this.status, this.recoveries]) map.clear();
  }

  private index(entry: Entry, add: boolean): void {
    const key = indexKey(entry.resource);
    const list = (this.byResource.get(key) ?? []).filter((other) => other !== entry);
    if (add) list.push(entry);
    if (list.length) this.byResource.set(key, list);
    else this.byResource.delete(key);
  }

  /** Adds `call` for the app's `handler` (checked here, at the app's call: `call` may wrap it). */
  private listen<H extends Watcher>(map: Map<string, Set<H>>, key: string, handler: unknown, call: H): () => void {
    if (typeof handler !== 'function') bad('handler', 'a function', handler);
    // Guarded: status handlers run inside reconnects and response callbacks, and one that throws must not stop them.
    return this.closed ? () => {} : watch(map, key, guard(call, this.deps.report) as H);
  }

  private args(entry: Entry, extra?: Record<string, Json>): Json {
    return { action: entry.actions, resource: { ...entry.resource }, ...extra };
  }

  /** The filter the server gets for a resource: one that admits the events of every listener on it, of every action set. */
  private filterOf(owner: string): Filter | undefined {
    const filters: Array<Filter | undefined> = [];
    for (const entry of this.entries.values()) if (entry.owner === owner) filters.push(...entry.listeners.values());
    return mergeFilters(filters);
  }

  /** Notes that the listeners of `entry` changed: once this tick is over, the server gets their merged filter if it differs. */
  private changed(entry: Entry): void {
    if (!this.refilter.size) {
      queueMicrotask(() => {
        for (const owner of this.refilter) {
          const [key, first] = [...this.entries].find(([, other]) => other.owner === owner) ?? [];
          if (first && this.sent.has(owner) && this.sent.get(owner) !== canonical(this.filterOf(owner) ?? null)) this.subscribe(key!, first, true);
        }
        this.refilter.clear();
      });
    }
    this.refilter.add(entry.owner);
  }

  /**
   * Sends `entry`'s subscribe. An `update` only changes the filter of a
   * subscription the server holds: it asks for no replay (a new listener
   * wants no past events) and reports no state change or recovery.
   */
  protected subscribe(key: string, entry: Entry, update = false): Promise<void> {
    if (!update) this.setState(entry, 'subscribing');
    const since = update ? undefined : entry.position;
    const resubscribing = entry.confirmed && !update;
    const filter = this.filterOf(entry.owner);
    this.sent.set(entry.owner, canonical(filter ?? null));
    // Positions are an opt-in extension: this client always asks, to recover what a dropped link missed.
    const args = this.args(entry, { ...ASK_FOR_POSITIONS, ...(filter ? { filter: filter as Json } : {}), ...(since ? { since: { ...since } } : {}) });
    return this.deps.request('subscribe', args).then(
      (response) => {
        if (this.entries.get(key) !== entry) return;
        // The server replayed what was missed before answering; its position covers every event up to now.
        // A failed recovery starts over from that position, whatever the old one said.
        const at = positionOf(response);
        const recovery = resubscribing ? readRecovery(since && at && response) : undefined;
        if (at) entry.position = recovery?.recovered === false ? at : (advance(entry.position, at) ?? entry.position);
        if (update) return;
        entry.confirmed = true;
        this.setState(entry, 'subscribed');
        if (recovery) this.report(entry, recovery);
      },
      (error: RtmError) => {
        // A dropped link is not a failure: the subscription is sent again on the next open.
        if (this.entries.get(key) !== entry || error.code === 'disconnected' || error.code === 'closed') return;
        const heard = this.status.has(entry.owner);
        this.setState(entry, 'failed', error);
        if (!heard) this.deps.report(error);
      },
    );
  }

  protected report(entry: Entry, recovery: Recovery): void {
    for (const handler of this.recoveries.get(entry.owner) ?? []) handler(recovery);
    this.deps.recovered({ resource: { ...entry.resource }, ...recovery });
  }

  protected setState(entry: Entry, state: SubscriptionState, error?: RtmError): void {
    if (entry.state === state && !error) return;
    entry.state = state;
    this.emit(entry, error);
  }

  private emit(entry: Entry, error?: RtmError): void {
    const handlers = this.status.get(entry.owner);
    // Only computed when someone listens: a reconnect with many subscriptions must not cost O(n²).
    if (handlers) for (const handler of [...handlers]) handler(this.statusOf(entry.resource).state, error);
  }
}

/**
 * The key of a resource in the dispatch index: a channel's name as it is, else its {@link resourceKey}. Channels
 * carry nearly every event, and their lookup then builds no string. A channel name may look like another resource's
 * key: {@link matches} tells them apart by type.
 */
function indexKey(resource: ResourceRef): string {
  return resource.type === CHANNEL_TYPE ? resource.name : resourceKey(resource);
}

/** What a resubscribe's `response` says of the recovery; nothing (no position given, or none asked for) means the server keeps no history. */
function readRecovery(response: Json | undefined): Recovery {
  if (!isObject(response) || typeof response.recovered !== 'boolean') return { recovered: false, reason: 'unsupported', info: response ? 'the server did not say' : 'the server keeps no history' };
  const { recovered, reason, info } = response;
  const recovery: Recovery = { recovered };
  if (!recovered && (reason === 'epoch' || reason === 'expired')) recovery.reason = reason;
  if (!recovered && typeof info === 'string') recovery.info = info;
  return recovery;
}

/** Whether an event of the entry's resource (the caller looked it up by resource) is of an action the entry asked for. */
function matches(entry: Entry, event: EventData): boolean {
  const { resource } = entry;
  // A server that let a channel name take a resource key's form must not reach the resource's listeners.
  if (resource.type !== event.resource.type) return false;
  if (resource.type === CHANNEL_TYPE) return isPublishedAction(event.action);
  return entry.actions.includes('all') || entry.actions.includes(event.action as EventAction);
}

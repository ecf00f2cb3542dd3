import type { Channel, ChannelMeta, Filter, Json, Resource, SubscriptionStateHandler } from '../client/index.js';
import { isResourceAction } from '../protocol/index.js';
import { pageClient } from './connection.js';
import { isOwn } from './own-echo.js';
import { bad } from './errors.js';
import { fire, globalFunction, notify, refresh, report, setItem } from './page-effects.js';
import { list, matchesEvent, pairs, pick, template, toText } from './parse.js';
import { whereFilter } from './where-filter.js';

/**
 * A message as the Listener's actions see it. For a resource event,
 * `channel` is `<type>:<name>`, `eventName` the action (`created`,
 * `updated`, `deleted`) and `payload` the records.
 */
export interface ListenerMessage extends ChannelMeta {
  /** What the publisher sent. */
  payload: Json;
}

/**
 * What a Listener listens to and what it does with each matching message.
 * Text forms (from HTML or APEX attributes) and JS values are both accepted.
 * Paths such as `payload.value` are read from the {@link ListenerMessage};
 * a path not starting with one of its keys is read from the payload.
 */
export interface ListenerConfig {
  /** Channel to listen on, e.g. `test` or `user:alice`. */
  channel?: string;
  /** Or a resource whose created / updated / deleted events to act on: `ds:orders` or `{ type, name }`. */
  resource?:
    | string
    | {
        /** The resource type, e.g. `ds`. */
        type: string;
        /** The resource name, e.g. `orders`. */
        name: string;
      };
  /** Event names (for a resource: actions) to act on: exact names, prefixes such as `order.*`, or `*` (the default). */
  event?: string | string[];
  /**
   * Narrows further by payload fields, all of which must match: `{ "payload.status": "DONE" }`, `"status=DONE"`, or a
   * predicate. Fields (not a predicate) also become a server-side filter, so other messages do not reach the page.
   */
  where?: string | Record<string, Json> | ((message: ListenerMessage) => boolean);
  /** Where {@link fire}, `rtm-error` (a refused subscription, a failing action) and, outside APEX, `rtm-refresh` go. Default: `document`. */
  eventTarget?: EventTarget;
  /** Called first for each matching message, before {@link fire} and the other actions. */
  onMatch?: (message: ListenerMessage) => void;
  /** Fires this named event with the message as data (`apex.event.trigger`, or a DOM `CustomEvent` with `detail`). Cancelling it skips the other actions. */
  fire?: string;
  /**
   * Writes message fields into page items or elements: `{ P10_MESSAGE: "payload.value" }` or
   * `"P10_MESSAGE=payload.value"`. Only these declared targets are ever written, and only as text.
   */
  set?: string | Record<string, string>;
  /** Appends a line to non-input targets instead of replacing their text. */
  append?: boolean;
  /** Regions to refresh: `apex.region(id).refresh()`, or an `rtm-refresh` event on the element with that id. */
  refresh?: string | string[];
  /** Shows a notification from a template such as `New order {payload.id}`, always as text. */
  notify?: string;
  /** Calls a function (or a global one by dotted name) with `this` = the message and `(payload, message)`. */
  call?: string | ((this: ListenerMessage, payload: Json, message: ListenerMessage) => void);
  /** Called for each matching message, after the other actions: the plain JS form of {@link call}. */
  onMessage?: (payload: Json, message: ListenerMessage) => void;
  /** Stops after the first matching message. */
  once?: boolean;
  /** Acts only on the last of a burst, once no message matched for this many ms. */
  debounce?: number;
  /** Skips the echo of this page's own Broadcasts. */
  ignoreOwn?: boolean;
  /** Acts only on messages the server's REST API published (modifier `api:<key name>`), never on ones a page user published. */
  serverOnly?: boolean;
  /** Called with the subscription's state once it starts, and on every change: `subscribing`, `subscribed`, `failed`. */
  onState?: SubscriptionStateHandler;
}

/**
 * True when the server's REST API published the message (a backend, a database with the API key): the server
 * marks those with the modifier `api:<key name>`, where a WebSocket publish carries the publisher's token `sub`.
 */
export function publishedByServer(message: Pick<ListenerMessage, 'modifier'>): boolean {
  return typeof message.modifier === 'string' && message.modifier.startsWith('api:');
}

/** A running Listener. */
export interface ListenerHandle {
  /** Stops listening. Safe to call more than once. */
  stop(): void;
}

/** Starts a Listener on the page's shared connection. */
export function listen(config: ListenerConfig): ListenerHandle {
  // Without a DOM (Node), there is no document to report to: say so here rather than as a ReferenceError.
  const { eventTarget: target = globalThis.document, channel, onMatch, fire: name, append, notify: text, call, onMessage: then, once, debounce, ignoreOwn, serverOnly, onState } = config ?? {};
  if (!target) throw bad('eventTarget');
  const ref = resourceOf(config); // a malformed resource is refused here, at the call, rather than later as rtm-error
  if (!channel && !ref) throw bad('channel');
  const events = list(config.event);
  const predicate = typeof config.where === 'function' ? config.where : undefined;
  const fields = predicate ? [] : pairs(config.where as string);
  const where = predicate ?? ((message: ListenerMessage) => fields.every(([path, value]) => toText(pick(message, path)) === toText(value)));
  const targets = pairs(config.set);
  const regions = list(config.refresh);
  let unsubscribe: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const oops = (error: unknown): void => report(target, error);

  // A failing action is reported on the target as rtm-error, like a refused subscription.
  const run = (message: ListenerMessage): void => {
    try {
      onMatch?.(message);
      if (name && fire(target, name, message)) return;
      for (const [item, path] of targets) {
        const value = pick(message, path);
        if (value !== undefined) setItem(item, value, append);
      }
      for (const region of regions) refresh(region, message);
      if (text) notify(template(text, message));
      if (call) {
        const fn = typeof call === 'string' ? globalFunction(call) : call;
        if (!fn) throw bad('call', call);
        fn.call(message, message.payload, message);
      }
      then?.(message.payload, message);
    } catch (error) {
      oops(error);
    }
  };

  const off = (): void => {
    stopped = true;
    unsubscribe?.();
    unsubscribe = undefined;
  };

  const onMessage = (message: ListenerMessage): void => {
    if (
      stopped ||
      !matchesEvent(events, message.eventName) ||
      !where(message) ||
      (ignoreOwn && isOwn(message)) ||
      (serverOnly && !publishedByServer(message))
    ) {
      return;
    }
    if (once) off();
    if (!debounce) return run(message);
    clearTimeout(timer);
    timer = setTimeout(run, debounce, message);
  };

  pageClient()
    .then((client) => {
      if (stopped) return;
      const filter = whereFilter(fields, events, !!ref);
      const source = ref ? client.resource(ref[0], ref[1]) : client.channel(channel!);
      // Subscribe to just the actions named, when they all are actions; else to all of them and filter here.
      const actions = events.filter(isResourceAction);
      const toResource = actions.length && actions.length === events.length ? actions : 'all';
      const on = (options?: { filter: Filter }): (() => void) =>
        ref
          ? (source as Resource).on(toResource, (e) => onMessage({ channel: ref.join(':'), eventName: e.action, payload: e.data, modifier: e.modifier?.id, timestamp: e.timestamp }), options)
          : (source as Channel).on((payload, meta) => onMessage({ ...meta, payload }), options);
      const stops = [source.onError(oops)];
      // A where the server would refuse (too many keys, too long) is still applied here, to every message.
      try {
        stops.push(on(filter && { filter }));
      } catch {
        stops.push(on());
      }
      // Set before the app's onState runs: if it throws (reported as rtm-error), stop() still releases everything.
      unsubscribe = () => stops.forEach((stop) => stop());
      if (onState) {
        stops.push(source.onState(onState));
        onState(source.state);
      }
    })
    .catch(oops);

  return {
    stop() {
      off();
      clearTimeout(timer);
    },
  };
}

/** A Listener's resource as `[type, name]`, when it listens to one. */
function resourceOf(config: ListenerConfig | undefined): [string, string] | undefined {
  const resource = config?.resource;
  if (typeof resource !== 'string') return resource && [resource.type, resource.name];
  const at = resource.indexOf(':');
  if (at < 1) throw bad('resource', resource);
  return [resource.slice(0, at), resource.slice(at + 1)];
}

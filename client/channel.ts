import { CLIENT_EVENT_NAMES } from './client-event-names.js';
import { bad } from './arguments.js';
import { RtmError } from './errors.js';
import { compileFilter, CHANNEL_NAME, CHANNEL_TYPE, PUBLISHED, eventNameOf, payloadOf, type ChannelFilter, type Filter, type Json } from '../protocol/index.js';
import type { RequestOptions } from './requests.js';
import { listenerFilter, type Subscriptions, type SubscriptionStatus } from './subscriptions.js';
import type { EventName, Outgoing, PayloadOf, PublishName } from './typed.js';

/** What a channel listener learns about a message besides its payload. */
export interface ChannelMeta<E extends string = string> {
  /** The channel it was published on. */
  channel: string;
  /** The event name the publisher gave, or null. */
  eventName: E | null;
  /** Who published it: a token's `sub`, or `api:<key name>` for REST broadcasts. */
  modifier: string | undefined;
  /** When the server accepted it (ISO 8601). */
  timestamp: string;
}

/** Receives a channel message: `payload` typed by the channel (see {@link Channel}), `Json` when untyped. */
export type ChannelHandler<P = Json, E extends string = string> = (payload: P, meta: ChannelMeta<E>) => void;

/** Options of {@link Channel.on}. */
export interface ChannelListenOptions<P = Json> {
  /**
   * Only messages matching this filter reach the handler, and the server
   * sends only those (see the filter grammar in docs/filters.md), e.g.
   * `{ 'payload.customer': 42, 'payload.status': ['NEW', 'PAID'] }`.
   * Throws `bad_argument` for a filter the server would refuse.
   */
  filter?: ChannelFilter<P>;
}

/**
 * A named channel: listen to its messages, publish to it, watch its subscription's state and errors.
 * `T` types the payloads (and checks the paths of filters): one type for every event name
 * (`client.channel<Chat>('room')`), or an {@link Events} map, one type per event name. Untyped, handlers
 * get `Json` and `publish` takes any JSON-compatible value, interfaces included. Types are not checked at
 * run time: the server relays whatever a publisher sent.
 */
export interface Channel<T = Json> extends SubscriptionStatus {
  /** The channel's name. */
  readonly name: string;
  /** Calls `handler` for every message on this channel (matching `options.filter`); returns the function that stops it. */
  on(handler: ChannelHandler<PayloadOf<T>, EventName<T>>, options?: ChannelListenOptions<PayloadOf<T>>): () => void;
  /**
   * Calls `handler` for the messages with this event name (matching `options.filter`); returns the function that stops it.
   * The client's event names (`error`, `state`, `notification`, `token`, `recovery`, `transport`, `direct`) are refused
   * with `bad_argument`, because `channel.on('error', h)` reads like "this channel's errors": use
   * {@link SubscriptionStatus.onError | channel.onError(h)} for those, `client.on('error', h)` for the client's, and
   * `channel.on(h, { filter: { eventName: 'error' } })` for messages published under such a name.
   */
  on<E extends EventName<T>>(eventName: E, handler: ChannelHandler<PayloadOf<T, E>, E>, options?: ChannelListenOptions<PayloadOf<T, E>>): () => void;
  /**
   * Publishes `payload` under `eventName`. While the client is not connected the
   * publish waits in the outbox and is sent in order on reconnect; one already
   * sent when the link drops is sent again, with the same correlation ID, so the
   * server publishes it once. Resolves with the server's response; rejects with
   * an {@link RtmError} carrying the RTC `code` and `info`, or `outbox_full`,
   * `timeout` (no answer in time, or queued longer than `queueTimeout`: then never sent),
   * `too_large`, `bad_argument` (e.g. `undefined`, `NaN`), `aborted`, `closed`,
   * or `disconnected` (only with `maxQueued: 0`).
   */
  publish<E extends PublishName<T>, P = never>(eventName: E, payload: Outgoing<T, E, P>, options?: RequestOptions): Promise<Json>;
}

type Publish = (args: Json, options?: RequestOptions) => Promise<Json>;

/** Creates the {@link Channel} handle for `name`. */
export function createChannel<T = Json>(name: string, subscriptions: Subscriptions, publish: Publish): Channel<T> {
  if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) bad('channel name', '1-260 characters, no control characters', name);
  const resource = { type: CHANNEL_TYPE, name };
  return Object.assign(subscriptions.statusOf(resource), {
    name,
    on(...args: unknown[]): () => void {
      const eventName = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
      const [handler, options] = args as [ChannelHandler, ChannelListenOptions | undefined];
      if (typeof handler !== 'function') bad('handler', 'a function', handler);
      if ((CLIENT_EVENT_NAMES as readonly unknown[]).includes(eventName)) {
        throw new RtmError('bad_argument', `channel.on('${eventName}'): a client event name, see onError/onState, client.on or filter`);
      }
      const filter = options?.filter as Filter | undefined;
      const compiled = listenerFilter(filter, true);
      // The event name narrows what the server sends too, when the listener filters anyway (plain listeners send no
      // filter), unless it would take the filter past its limits (a 17th key, or over the bytes).
      const named = compiled && eventName !== undefined && !('eventName' in filter!) ? { ...filter, eventName } : undefined;
      const sent = named && typeof compileFilter(named, true) !== 'string' ? named : filter;
      return subscriptions.add(
        resource,
        [PUBLISHED],
        (event) => {
          // Read in place: the payload and the meta are the only objects a delivery makes.
          const given = eventNameOf(event.data);
          if ((eventName !== undefined && given !== eventName) || (compiled && !compiled.test(event))) return;
          handler(payloadOf(event.data), { channel: name, eventName: given, modifier: event.modifier?.id, timestamp: event.timestamp });
        },
        sent,
      );
    },
    publish(eventName: string | null, payload: unknown, options?: RequestOptions) {
      // Thrown inside an executor: the call returns the rejected promise, as every refusal of publish does.
      if (eventName !== null && typeof eventName !== 'string') return new Promise(() => bad('eventName', 'a string or null', eventName));
      // JSON has no undefined: it would arrive as null, or vanish inside an object, unnoticed.
      if (payload === undefined) return Promise.reject(new RtmError('bad_argument', 'payload is undefined: pass null for no payload'));
      return publish({ channel: name, data: { eventName, payload: payload as Json } }, options);
    },
  }) as Channel<T>;
}

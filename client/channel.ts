import { RtmError } from './errors.js';
import { compileFilter, CHANNEL_NAME, CHANNEL_TYPE, PUBLISHED, toChannelMessage, type ChannelFilter, type Filter, type Json } from '../protocol/index.js';
import type { RequestOptions } from './requests.js';
import type { Subscriptions, SubscriptionStatus } from './subscriptions.js';

/** What a channel listener learns about a message besides its payload. */
export interface ChannelMeta {
  /** The channel it was published on. */
  channel: string;
  /** The event name the publisher gave, or null. */
  eventName: string | null;
  /** Who published it: a token's `sub`, or `api:<key name>` for REST broadcasts. */
  modifier: string | undefined;
  /** When the server accepted it (ISO 8601). */
  timestamp: string;
}

/** Receives a channel message. */
export type ChannelHandler<P = Json> = (payload: P, meta: ChannelMeta) => void;

/** Options of {@link Channel.on}. */
export interface ChannelListenOptions<P = Json> {
  /**
   * Only messages matching this filter reach the handler, and the server
   * sends only those (see the filter grammar in the README), e.g.
   * `{ 'payload.customer': 42, 'payload.status': ['NEW', 'PAID'] }`.
   * Throws `bad_argument` for a filter the server would refuse.
   */
  filter?: ChannelFilter<P>;
}

/**
 * A named channel: listen to its messages, publish to it, watch its
 * subscription's state and errors. `P` is the payload type, which also
 * checks the paths of filters.
 */
export interface Channel<P = Json> extends SubscriptionStatus {
  /** The channel's name. */
  readonly name: string;
  /** Calls `handler` for every message on this channel (matching `options.filter`); returns the function that stops it. */
  on(handler: ChannelHandler<P>, options?: ChannelListenOptions<P>): () => void;
  /** Calls `handler` for the messages with this event name (matching `options.filter`); returns the function that stops it. */
  on(eventName: string, handler: ChannelHandler<P>, options?: ChannelListenOptions<P>): () => void;
  /**
   * Publishes `payload` under `eventName`. While the client is not connected the
   * publish waits in the outbox and is sent in order on reconnect; one already
   * sent when the link drops is sent again, with the same correlation ID, so the
   * server publishes it once. Resolves with the server's response; rejects with
   * an {@link RtmError} carrying the RTC `code` and `info`, or `outbox_full`,
   * `timeout`, `aborted`, `closed`, or `disconnected` (only with `maxQueued: 0`).
   */
  publish(eventName: string | null, payload: P, options?: RequestOptions): Promise<Json>;
}

type Publish = (args: Json, options?: RequestOptions) => Promise<Json>;

/** Creates the {@link Channel} handle for `name`. */
export function createChannel<P = Json>(name: string, subscriptions: Subscriptions, publish: Publish): Channel<P> {
  if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
    throw new RtmError('bad_argument', `invalid channel name ${JSON.stringify(name)}: use 1-260 characters, no control characters`);
  }
  const resource = { type: CHANNEL_TYPE, name };
  return Object.assign(subscriptions.statusOf(resource), {
    name,
    on(...args: unknown[]): () => void {
      const eventName = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
      const [handler, options] = args as [ChannelHandler<P>, ChannelListenOptions<P> | undefined];
      if (typeof handler !== 'function') throw new RtmError('bad_argument', 'channel.on needs a handler function');
      const filter = options?.filter as Filter | undefined;
      const compiled = filter === undefined ? undefined : compileFilter(filter, true);
      if (typeof compiled === 'string') throw new RtmError('bad_argument', `channel.on: ${compiled}`);
      // The event name narrows what the server sends too, when the listener filters anyway (plain listeners send no filter).
      const sent = filter && eventName !== undefined && !('eventName' in filter) ? { ...filter, eventName } : filter;
      return subscriptions.add(
        resource,
        [PUBLISHED],
        (event) => {
          const message = toChannelMessage(event.data);
          if ((eventName !== undefined && message.eventName !== eventName) || (compiled && !compiled.test(event))) return;
          handler(message.payload as P, { channel: name, eventName: message.eventName, modifier: event.modifier?.id, timestamp: event.timestamp });
        },
        sent,
      );
    },
    publish(eventName: string | null, payload: P, options?: RequestOptions) {
      if (eventName !== null && typeof eventName !== 'string') {
        return Promise.reject(new RtmError('bad_argument', 'eventName must be a string or null'));
      }
      return publish({ channel: name, data: { eventName, payload: (payload ?? null) as Json } }, options);
    },
  });
}

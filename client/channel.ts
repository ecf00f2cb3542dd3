import { RtmError } from './errors.js';
import { CHANNEL_NAME, CHANNEL_TYPE, PUBLISHED, toChannelMessage, type Json } from './protocol.js';
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
export type ChannelHandler = (payload: Json, meta: ChannelMeta) => void;

/** A named channel: listen to its messages, publish to it, watch its subscription's state and errors. */
export interface Channel extends SubscriptionStatus {
  /** The channel's name. */
  readonly name: string;
  /** Calls `handler` for every message on this channel; returns the function that stops it. */
  on(handler: ChannelHandler): () => void;
  /** Calls `handler` for the messages with this event name; returns the function that stops it. */
  on(eventName: string, handler: ChannelHandler): () => void;
  /**
   * Publishes `payload` under `eventName`. While the client is not connected the
   * publish waits in the outbox and is sent in order on reconnect; one already
   * sent when the link drops is sent again, with the same correlation ID, so the
   * server publishes it once. Resolves with the server's response; rejects with
   * an {@link RtmError} carrying the RTC `code` and `info`, or `outbox_full`,
   * `timeout`, `aborted`, `closed`, or `disconnected` (only with `maxQueued: 0`).
   */
  publish(eventName: string | null, payload: Json, options?: RequestOptions): Promise<Json>;
}

type Publish = (args: Json, options?: RequestOptions) => Promise<Json>;

/** Creates the {@link Channel} handle for `name`. */
export function createChannel(name: string, subscriptions: Subscriptions, publish: Publish): Channel {
  if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
    throw new RtmError('bad_argument', `invalid channel name ${JSON.stringify(name)}: use 1-260 characters, no control characters`);
  }
  const resource = { type: CHANNEL_TYPE, name };
  return Object.assign(subscriptions.statusOf(resource), {
    name,
    on(eventOrHandler: string | ChannelHandler, maybeHandler?: ChannelHandler): () => void {
      const eventName = typeof eventOrHandler === 'string' ? eventOrHandler : undefined;
      const handler = typeof eventOrHandler === 'function' ? eventOrHandler : maybeHandler;
      if (typeof handler !== 'function') throw new RtmError('bad_argument', 'channel.on needs a handler function');
      return subscriptions.add(resource, [PUBLISHED], (event) => {
        const message = toChannelMessage(event.data);
        if (eventName !== undefined && message.eventName !== eventName) return;
        handler(message.payload, { channel: name, eventName: message.eventName, modifier: event.modifier?.id, timestamp: event.timestamp });
      });
    },
    publish(eventName: string | null, payload: Json, options?: RequestOptions) {
      if (eventName !== null && typeof eventName !== 'string') {
        return Promise.reject(new RtmError('bad_argument', 'eventName must be a string or null'));
      }
      return publish({ channel: name, data: { eventName, payload: payload ?? null } }, options);
    },
  });
}

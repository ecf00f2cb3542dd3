import { useState } from 'react';
import { RtmError, type ChannelFilter, type ChannelMeta, type EventName, type Json, type PayloadOf } from '../client/index.js';
import type { ChannelName } from './channel-name.js';
import { useChannel } from './channel.js';

/**
 * One message of {@link useChannelMessages} on a channel typed `T` (see `client.channel<T>()`). With an
 * `Events<{…}>` map it is a union by event name: checking `eventName` narrows `payload`.
 */
export type ChannelMessage<T = Json, E extends string = EventName<T>> = E extends unknown
  ? {
      /** The event name the publisher gave, or null. */
      eventName: E | null;
      /** What the publisher sent. */
      payload: PayloadOf<T, E>;
      /** Channel, publisher (`modifier`) and server timestamp. */
      meta: ChannelMeta<E>;
    }
  : never;

/** Settings of {@link useChannelMessages}. */
export interface ChannelMessagesOptions<T = Json, E extends string = EventName<T>> {
  /** Keep only the messages of this event. Default: every message. */
  eventName?: E;
  /** Keep only the messages matching this filter (the server sends only those); compared by value. */
  filter?: ChannelFilter<PayloadOf<T, E>>;
  /** How many of the latest messages to keep. Default 50. */
  limit?: number;
}

const DEFAULT_LIMIT = 50;
const NONE: never[] = [];

interface Held<M> {
  /** Which channel and event the messages belong to: a change starts a new list. */
  key: string;
  messages: M[];
}

/**
 * The last `limit` messages of channel `name` received while mounted, oldest
 * first, as state: the component re-renders on each one. Changing `name` or
 * `eventName` (or `filter`) starts an empty list for the new stream. The list is a new
 * array on each message and never longer than `limit`. Typed as {@link useChannel} is.
 *
 * @example
 * ```tsx
 * const messages = useChannelMessages<Chat>('room:1', { eventName: 'message', limit: 100 });
 * return <ul>{messages.map((m) => <li key={m.meta.timestamp + m.meta.modifier}>{m.payload.text}</li>)}</ul>;
 * ```
 */
export function useChannelMessages<T = Json, E extends EventName<T> = EventName<T>>(name: ChannelName<T>, options: ChannelMessagesOptions<T, E> = {}): Array<ChannelMessage<T, E>> {
  const { eventName, filter, limit = DEFAULT_LIMIT } = options ?? {};
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RtmError('bad_argument', `useChannelMessages: limit must be an integer > 0 (got ${String(limit)})`);
  const key = JSON.stringify([name, eventName ?? null, filter ?? null]);
  const [held, setHeld] = useState<Held<ChannelMessage<T, E>>>({ key, messages: NONE });

  useChannel<T, E>(name, eventName, (payload, meta) => {
    const message = { eventName: meta.eventName, payload, meta } as ChannelMessage<T, E>;
    setHeld((previous) => {
      const kept = previous.key === key ? previous.messages : NONE;
      return { key, messages: [...kept.slice(Math.max(0, kept.length - limit + 1)), message] };
    });
  }, filter === undefined ? undefined : { filter });

  if (held.key !== key) return NONE;
  return held.messages.length > limit ? held.messages.slice(-limit) : held.messages;
}

import { useState } from 'react';
import { RtmError, type ChannelFilter, type ChannelMeta, type Json } from '../client/index.js';
import { useChannel } from './channel.js';

/** One message of {@link useChannelMessages}. */
export interface ChannelMessage<T = Json> {
  /** The event name the publisher gave, or null. */
  eventName: string | null;
  /** What the publisher sent. */
  payload: T;
  /** Channel, publisher (`modifier`) and server timestamp. */
  meta: ChannelMeta;
}

/** Settings of {@link useChannelMessages}. */
export interface ChannelMessagesOptions<T = Json> {
  /** Keep only the messages of this event. Default: every message. */
  eventName?: string;
  /** Keep only the messages matching this filter (the server sends only those); compared by value. */
  filter?: ChannelFilter<T>;
  /** How many of the latest messages to keep. Default 50. */
  limit?: number;
}

const DEFAULT_LIMIT = 50;
const NONE: never[] = [];

interface Held<T> {
  /** Which channel and event the messages belong to: a change starts a new list. */
  key: string;
  messages: Array<ChannelMessage<T>>;
}

/**
 * The last `limit` messages of channel `name` received while mounted, oldest
 * first, as state: the component re-renders on each one. Changing `name` or
 * `eventName` (or `filter`) starts an empty list for the new stream. The list is a new
 * array on each message and never longer than `limit`.
 *
 * @example
 * ```tsx
 * const messages = useChannelMessages<Chat>('room:1', { eventName: 'message', limit: 100 });
 * return <ul>{messages.map((m) => <li key={m.meta.timestamp + m.meta.modifier}>{m.payload.text}</li>)}</ul>;
 * ```
 */
export function useChannelMessages<T = Json>(name: string, options: ChannelMessagesOptions<T> = {}): Array<ChannelMessage<T>> {
  const { eventName, filter, limit = DEFAULT_LIMIT } = options ?? {};
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RtmError('bad_argument', `useChannelMessages: limit must be an integer > 0 (got ${String(limit)})`);
  const key = JSON.stringify([name, eventName ?? null, filter ?? null]);
  const [held, setHeld] = useState<Held<T>>({ key, messages: NONE });

  const deliver = (payload: T, meta: ChannelMeta): void => {
    const message: ChannelMessage<T> = { eventName: meta.eventName, payload, meta };
    setHeld((previous) => {
      const kept = previous.key === key ? previous.messages : NONE;
      return { key, messages: [...kept.slice(Math.max(0, kept.length - limit + 1)), message] };
    });
  };
  useChannel<T>(name, eventName, deliver, filter === undefined ? undefined : { filter });

  if (held.key !== key) return NONE;
  return held.messages.length > limit ? held.messages.slice(-limit) : held.messages;
}

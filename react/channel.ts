import { useEffect } from 'react';
import { RtmError, type ChannelListenOptions, type ChannelMeta, type Json } from '../client/index.js';
import { useProvidedClient } from './context.js';
import { useLatest } from './latest.js';

/** Receives a channel message in a component; `T` is the payload's type. */
export type ChannelMessageHandler<T = Json> = (payload: T, meta: ChannelMeta) => void;

/**
 * Listens to channel `name` while the component is mounted: to every message,
 * or with `eventName`, to the messages of that event. The handler of the
 * latest render is the one called, so it sees current state and props; a new
 * handler identity on each render costs nothing. A change of `name`,
 * `eventName` or `options.filter` (compared by value) moves the subscription.
 * Listeners share the client's ref-counted server subscription: StrictMode's
 * mount, unmount and remount sends one `subscribe`, and many components on one
 * channel need one.
 *
 * @example
 * ```tsx
 * useChannel<Chat>('room:1', 'message', (chat, meta) => setLines((lines) => [...lines, `${meta.modifier}: ${chat.text}`]));
 * ```
 */
export function useChannel<T = Json>(name: string, handler: ChannelMessageHandler<T>, options?: ChannelListenOptions<T>): void;
export function useChannel<T = Json>(name: string, eventName: string | undefined, handler: ChannelMessageHandler<T>, options?: ChannelListenOptions<T>): void;
export function useChannel<T = Json>(
  name: string,
  eventOrHandler: string | undefined | ChannelMessageHandler<T>,
  handlerOrOptions?: ChannelMessageHandler<T> | ChannelListenOptions<T>,
  maybeOptions?: ChannelListenOptions<T>,
): void {
  const client = useProvidedClient('useChannel');
  const shifted = typeof eventOrHandler === 'function';
  const eventName = shifted ? undefined : eventOrHandler;
  const handler = shifted ? eventOrHandler : handlerOrOptions;
  const options = (shifted ? handlerOrOptions : maybeOptions) as ChannelListenOptions<T> | undefined;
  if (typeof handler !== 'function') throw new RtmError('bad_argument', 'useChannel needs a handler function after the channel name (and event name)');
  if (eventName !== undefined && typeof eventName !== 'string') {
    throw new RtmError('bad_argument', `useChannel: eventName must be a string or undefined (got ${typeof eventName})`);
  }
  // By value: an inline filter object on each render must not resubscribe.
  const filterKey = options?.filter === undefined ? undefined : JSON.stringify(options.filter);
  const latest = useLatest({ handler, client, name, eventName, filterKey });

  useEffect(() => {
    if (!client) return;
    const channel = client.channel(name);
    const listen = filterKey === undefined ? undefined : ({ filter: JSON.parse(filterKey) } as ChannelListenOptions);
    const deliver = (payload: Json, meta: ChannelMeta): void => {
      const now = latest.current;
      // Between a commit that changed the channel and the effect that moves the listener, the old subscription may
      // still deliver: the new handler must not see a message of a channel it no longer listens to.
      if (now.client === client && now.name === name && now.eventName === eventName && now.filterKey === filterKey) now.handler(payload as T, meta);
    };
    return eventName === undefined ? channel.on(deliver, listen) : channel.on(eventName, deliver, listen);
  }, [client, name, eventName, filterKey, latest]);
}

import { useEffect } from 'react';
import { RtmError, type ChannelHandler, type ChannelListenOptions, type ChannelMeta, type EventName, type Json, type PayloadOf } from '../client/index.js';
import type { ChannelName } from './channel-name.js';
import { useProvidedClient } from './context.js';
import { useLatest } from './latest.js';

/** Receives a channel message in a component; `T` is the payload's type (or an `Events<{…}>` map). */
export type ChannelMessageHandler<T = Json> = ChannelHandler<PayloadOf<T>, EventName<T>>;

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
 * Typed as `client.channel<T>()`: `T` is one payload type or an `Events<{…}>` map, given as a type argument
 * (`useChannel<Chat>(…)`) or carried by a {@link ChannelName} (then the event name picks its payload type).
 *
 * @example
 * ```tsx
 * useChannel<Chat>('room:1', 'message', (chat, meta) => setLines((lines) => [...lines, `${meta.modifier}: ${chat.text}`]));
 * ```
 */
export function useChannel<T = Json>(name: ChannelName<T>, handler: ChannelHandler<PayloadOf<T>, EventName<T>>, options?: ChannelListenOptions<PayloadOf<T>>): void;
export function useChannel<T = Json, E extends EventName<T> = EventName<T>>(
  name: ChannelName<T>,
  eventName: E | undefined,
  handler: ChannelHandler<PayloadOf<T, E>, E>,
  options?: ChannelListenOptions<PayloadOf<T, E>>,
): void;
export function useChannel(
  name: string,
  eventOrHandler: string | undefined | ChannelHandler<never, never>,
  handlerOrOptions?: ChannelHandler<never, never> | ChannelListenOptions,
  maybeOptions?: ChannelListenOptions,
): void {
  const client = useProvidedClient('useChannel');
  const shifted = typeof eventOrHandler === 'function';
  const eventName = shifted ? undefined : eventOrHandler;
  const handler = shifted ? eventOrHandler : handlerOrOptions;
  const options = (shifted ? handlerOrOptions : maybeOptions) as ChannelListenOptions | undefined;
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
      if (now.client === client && now.name === name && now.eventName === eventName && now.filterKey === filterKey) now.handler(payload as never, meta as never);
    };
    return eventName === undefined ? channel.on(deliver, listen) : channel.on(eventName, deliver, listen);
  }, [client, name, eventName, filterKey, latest]);
}

import type { Json } from '../client/index.js';

declare const payloads: unique symbol;

/**
 * A channel name that carries the channel's payload types, as `client.channel<T>()` takes them: one payload type,
 * or an `Events<{…}>` map. Hooks given one infer `T` from it and the event name from their own argument, which
 * TypeScript cannot do when `T` is written out at the call (`useChannel<Room>(…)` fixes every type argument). A
 * plain string is an untyped name.
 */
export type ChannelName<T = Json> = string | (string & {
  /** The payload types, for the type checker only. */
  readonly [payloads]?: T;
});

/**
 * Names channel `name` with its payload types, for the hooks to infer them; at run time it is `name` itself.
 *
 * @example
 * ```ts
 * type Room = Events<{ message: Chat; typing: { user: string } }>;
 * const room = (id: string) => channelName<Room>(`room:${id}`);
 * useChannel(room('1'), 'typing', ({ user }) => …); // user: string
 * ```
 */
export const channelName = <T>(name: string): ChannelName<T> => name;

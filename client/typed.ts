import type { Json } from '../protocol/index.js';

/**
 * `T` itself when JSON can carry it, else a type `T` is not assignable to. Unlike {@link Json} it accepts
 * interfaces (which have no index signature), and refuses `undefined`, functions, symbols, BigInt and
 * objects with methods (such as `Date`).
 */
export type JsonCompatible<T> = T extends string | number | boolean | null
  ? T
  : T extends bigint | symbol | undefined | ((...args: never[]) => unknown)
    ? never
    : T extends object
      ? { [K in keyof T]: JsonCompatible<T[K]> }
      : never;

/** Takes a `P` that is JSON-compatible: plain {@link Json} at once (it is recursive), else checked with {@link JsonCompatible}. */
export type JsonInput<P> = [P] extends [Json] ? P : P & JsonCompatible<P>;

declare const eventMap: unique symbol;

/**
 * Marks an event map, so that a channel types each event name's payload on its own:
 * `client.channel<Events<{ message: Chat; typing: { user: string } }>>('room:1')`.
 * Only a type: no value of it ever exists.
 */
export interface Events<M extends object> {
  /** The map itself, for the type checker only. */
  readonly [eventMap]: M;
}

type MapOf<T> = T extends Events<infer M> ? M : never;
type IsMap<T> = [MapOf<T>] extends [never] ? false : true;
/** True for the untyped default (`Json`), whose `publish` accepts any JSON-compatible value. */
type IsUntyped<T> = [T] extends [Json] ? ([Json] extends [T] ? true : false) : false;

/** Event names of a channel typed by `T`: the keys of an {@link Events} map, else any string. */
export type EventName<T> = IsMap<T> extends true ? Extract<keyof MapOf<T>, string> : string;

/** The payload of event `E` on a channel typed by `T`: the map's entry for `E`, else `T` for every event. */
export type PayloadOf<T, E = EventName<T>> = IsMap<T> extends true ? (E extends keyof MapOf<T> ? MapOf<T>[E] : never) : T;

/** What `publish` takes as its event name: a map's key, or any string or null. */
export type PublishName<T> = EventName<T> | (IsMap<T> extends true ? never : null);

/** What `publish` takes as the payload `P` of event `E`: the declared type, or for an untyped channel any JSON-compatible value. */
export type Outgoing<T, E, P> = IsUntyped<T> extends true ? JsonInput<P> : PayloadOf<T, E>;

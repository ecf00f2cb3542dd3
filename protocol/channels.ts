/**
 * Channels: the resource type, names, private channels and the message
 * convention every channel event carries.
 */
import { isObject, type Json } from './messages.js';

/**
 * The channel message convention shared by the client, the widgets and the
 * REST API: what `publish` carries in `arguments.data` and what subscribers
 * receive as the event's `data`.
 */
export interface ChannelMessage {
  eventName: string | null;
  payload: Json;
}

/** The resource type of channels. */
export const CHANNEL_TYPE = 'channel';
/** The action of channel events. */
export const PUBLISHED = 'published';

/**
 * True for the action of a channel event: `published`, or `publish`, which
 * some RTC examples write and which both sides accept when reading.
 */
export function isPublishedAction(action: unknown): boolean {
  return action === PUBLISHED || action === 'publish';
}

/**
 * Channel names: 1 to 260 characters (code points) of any kind but control
 * characters (U+0000–U+001F, U+007F–U+009F) and lone surrogates. Spaces,
 * `|`, `+`, `\`, `/` and non-ASCII letters are fine, so every `sub` an identity
 * provider issues (`auth0|abc`, `a+b@example.com`, an APEX user `JOHN DOE`)
 * has a private channel. 260 leaves room for `user:` and a 255-character
 * `sub`, the most OpenID Connect allows. Names compare exactly (no case
 * folding, no Unicode normalization).
 */
export const CHANNEL_NAME = /^[^\p{Cc}\p{Cs}]{1,260}$/u;

/** True when `name` is a valid channel name (see {@link CHANNEL_NAME}). */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}

/** Prefix of private channels: `user:<sub>` belongs to the token whose `sub` it names (see {@link userChannel}). */
export const PRIVATE_PREFIX = 'user:';

/**
 * The private channel of the user whose token `sub` is `sub`: `user:<sub>`
 * as is, e.g. `user:auth0|abc`. Only characters that cannot appear in a
 * channel name (control characters), and `%` itself so that the form stays
 * unambiguous, are written as their UTF-8 percent-encoding: the `sub`
 * `50%off` owns `user:50%25off`.
 */
export function userChannel(sub: string): string {
  return PRIVATE_PREFIX + sub.replace(/[%\p{Cc}]/gu, (c) => encodeURIComponent(c));
}


/** Reads a channel message from an event's `data`, tolerating senders that do not follow the convention. */
export function toChannelMessage(data: unknown): ChannelMessage {
  return { eventName: eventNameOf(data), payload: payloadOf(data) };
}

/** The event name of a channel message's `data` (see {@link toChannelMessage}), without building the message. */
export function eventNameOf(data: unknown): string | null {
  return isObject(data) && 'payload' in data && typeof data.eventName === 'string' ? data.eventName : null;
}

/** The payload of a channel message's `data` (see {@link toChannelMessage}), without building the message. */
export function payloadOf(data: unknown): Json {
  return isObject(data) && 'payload' in data ? (data.payload as Json) : ((data ?? null) as Json);
}

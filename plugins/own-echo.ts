import type { Json } from '../client/index.js';
import { ownSub } from './connection.js';

/**
 * The messages this page has just published, so that a Listener with
 * `ignoreOwn` can skip their echo. A message is "own" when it comes from this
 * page's identity (`modifier` = the token's `sub`) AND matches a publish of
 * this page still in flight or settled less than {@link GRACE_MS} ago. The
 * identity alone would also skip the same user's other tabs; the content
 * alone could skip another user's identical message.
 */
const inFlight: string[] = [];

/** How long after its acknowledgement a publish still counts; the server sends the echo before the ack, this only absorbs reordering. */
const GRACE_MS = 1000;

const keyOf = (channel: string, eventName: string | null, payload: Json): string => JSON.stringify([channel, eventName, payload]);

/** Records a publish until shortly after it settles; returns the same promise. */
export function track<T>(channel: string, eventName: string | null, payload: Json, publish: Promise<T>): Promise<T> {
  const key = keyOf(channel, eventName, payload);
  inFlight.push(key);
  const forget = (): void => void setTimeout(() => inFlight.splice(inFlight.indexOf(key), 1), GRACE_MS);
  publish.then(forget, forget);
  return publish;
}

/** True when a received message is the echo of this page's own publish. */
export function isOwn(message: { channel: string; eventName: string | null; payload: Json; modifier: string | undefined }): boolean {
  return message.modifier !== undefined && message.modifier === ownSub() && inFlight.includes(keyOf(message.channel, message.eventName, message.payload));
}

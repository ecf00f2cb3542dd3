/**
 * Stream positions (`{epoch, offset}`): the one check of their shape, and
 * the order of positions within a stream.
 */
import { isObject, type StreamPosition } from './messages.js';

/** Longest epoch a position may name; longer ones are not positions (the server refuses them in `since`). */
export const MAX_EPOCH_LENGTH = 64;

/**
 * Reads a stream position (`{epoch, offset}`) from an event, a subscribe
 * response or a subscribe's `since`: an epoch string of at most
 * {@link MAX_EPOCH_LENGTH} characters and an offset that is a whole number
 * (0 or more). Undefined when `value` is not one.
 */
export function positionOf(value: unknown): StreamPosition | undefined {
  return isObject(value) && typeof value.epoch === 'string' && value.epoch.length <= MAX_EPOCH_LENGTH && Number.isSafeInteger(value.offset) && (value.offset as number) >= 0
    ? { epoch: value.epoch, offset: value.offset as number }
    : undefined;
}

/**
 * Where a subscription stands once it has seen `next`, or undefined when
 * `next` is not ahead of `current` (a repeat: drop it). Another epoch always
 * counts as ahead: the stream was reset, and its offsets started over.
 */
export function advance(current: StreamPosition | undefined, next: StreamPosition): StreamPosition | undefined {
  if (current === undefined || current.epoch !== next.epoch || next.offset > current.offset) return next;
  return undefined;
}

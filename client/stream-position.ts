import { isObject, type StreamPosition } from './protocol.js';

/** Reads a stream position (`{epoch, offset}`) from an event or a subscribe response; undefined when it has none. */
export function positionOf(value: unknown): StreamPosition | undefined {
  if (!isObject(value) || typeof value.epoch !== 'string' || !Number.isSafeInteger(value.offset) || (value.offset as number) < 0) return undefined;
  return { epoch: value.epoch, offset: value.offset as number };
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

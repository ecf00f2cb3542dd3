import type { EventData } from '../../protocol/index.js';
import type { StoredEvent } from './history.js';

const plain = new WeakMap<StoredEvent, string>();

/**
 * The event frame as a plain RTC subscriber gets it: without the `offset`
 * and `epoch` extension fields, which every history store writes last in the
 * frame (see {@link StoredEvent}), so cutting the tail is enough. Made once
 * per event however many plain subscribers it goes to.
 */
export function plainFrame(event: StoredEvent): string {
  let frame = plain.get(event);
  if (frame === undefined) {
    const tail = `,"offset":${event.offset},"epoch":${JSON.stringify(event.epoch)}}}`;
    frame = event.frame.endsWith(tail) ? `${event.frame.slice(0, -tail.length)}}}` : withoutPosition(event.frame);
    plain.set(event, frame);
  }
  return frame;
}

/** The slow way, for a frame written in another order: parsed, stripped, re-serialised. */
function withoutPosition(frame: string): string {
  const message = JSON.parse(frame) as { type: string; data: EventData };
  const { offset: _offset, epoch: _epoch, ...data } = message.data;
  return JSON.stringify({ ...message, data });
}

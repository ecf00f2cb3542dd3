import type { StoredEvent } from './history.js';

const plain = new WeakMap<StoredEvent, string>();

/**
 * The event frame as a plain RTC subscriber gets it: without the `offset`
 * and `epoch` extension fields, which every history store writes last in the
 * frame (see {@link StoredEvent}). Made once per event however many plain
 * subscribers it goes to.
 */
export function plainFrame(event: StoredEvent): string {
  let frame = plain.get(event);
  if (frame === undefined) {
    const tail = `,"offset":${event.offset},"epoch":${JSON.stringify(event.epoch)}}}`;
    frame = `${event.frame.slice(0, -tail.length)}}}`;
    plain.set(event, frame);
  }
  return frame;
}

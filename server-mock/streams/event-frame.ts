import type { EventData, StreamPosition } from '../../protocol/index.js';

/**
 * An event as a stream holds it: its position, its action, and the serialized `event` frame that carries it. The
 * frame ends with the extension fields, `,"offset":<offset>,"epoch":"<epoch>"}}` (see `eventFrame`), so they
 * can be cut for plain RTC subscribers (`plainFrame`).
 */
export interface StoredEvent {
  /** Its position in the stream: 1 for the first event of an epoch, then one more per event. */
  offset: number;
  /** The epoch of the stream it was appended to; a new epoch starts when history is lost. */
  epoch: string;
  /** Its action: `published` for a channel message, `created`, `updated` or `deleted` for a resource. */
  action: string;
  /** The serialized `event` frame, sent to subscribers as is. */
  frame: string;
}

/**
 * The JSON text of an event without its position, as history stores it and
 * the bus carries it: serialized once, where the event is appended.
 */
export function eventBody(event: EventData): string {
  return JSON.stringify(event);
}

/**
 * The `event` frame of an event at `position`: its `body` (see
 * {@link eventBody}) with `offset` and `epoch` written last, without parsing
 * or serializing the body again. The one place a frame is assembled, for a
 * local append, a Redis append, a read from Redis history and a bus message.
 */
export function eventFrame(body: string, position: StreamPosition): string {
  // The body is a JSON object with at least its action and resource: its last character is its closing brace.
  return `{"type":"event","data":${body.slice(0, -1)},"offset":${position.offset},"epoch":${JSON.stringify(position.epoch)}}}`;
}

/** A stored event from its body and position. */
export function storedEvent(body: string, action: string, position: StreamPosition): StoredEvent {
  return { offset: position.offset, epoch: position.epoch, action, frame: eventFrame(body, position) };
}

const plain = new WeakMap<StoredEvent, string>();

/**
 * The event frame as a plain RTC subscriber gets it: without the `offset`
 * and `epoch` extension fields, which {@link eventFrame} writes last, so
 * cutting the tail is enough. Made once per event however many plain
 * subscribers it goes to.
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

/** The slow way, for a frame written in another order (a custom history store): parsed, stripped, re-serialised. */
function withoutPosition(frame: string): string {
  const message = JSON.parse(frame) as { type: string; data: EventData };
  const { offset: _offset, epoch: _epoch, ...data } = message.data;
  return JSON.stringify({ ...message, data });
}

const parsed = new WeakMap<StoredEvent, EventData>();

/** The event a stored frame carries, parsed once however many filters and taps look at it. */
export function eventOf(event: StoredEvent): EventData {
  let data = parsed.get(event);
  if (data === undefined) {
    data = (JSON.parse(event.frame) as { data: EventData }).data;
    parsed.set(event, data);
  }
  return data;
}

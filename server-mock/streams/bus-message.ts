import type { EventData, ResourceRef, StreamPosition } from '../../protocol/index.js';
import { storedEvent, type StoredEvent } from './event-frame.js';

/**
 * The message that carries one event between instances on the shared bus:
 *
 *     <offset>\n<epoch>\n<type>\n<name>\n<action>\n<body>
 *
 * where `body` is the event without its position (see `eventBody`). Only the
 * store that appends knows the offset and epoch, and it must publish in the
 * same atomic step (so every instance hears a stream in offset order): it
 * assembles the message from the {@link busHeader} made here, with
 * {@link busMessageLua} in a Redis script or {@link busMessage} in this
 * process. Names and epochs never hold a newline; the body may.
 */
export function busHeader(event: EventData): string {
  return `${event.resource.type}\n${event.resource.name}\n${event.action}`;
}

/** The bus message of an event appended at `position` (see {@link busHeader}). */
export function busMessage(position: StreamPosition, header: string, body: string): string {
  return `${position.offset}\n${position.epoch}\n${header}\n${body}`;
}

/**
 * {@link busMessage} as a Lua expression for a Redis script: the arguments
 * are the Lua expressions holding the offset, epoch, header and body.
 */
export function busMessageLua(offset: string, epoch: string, header: string, body: string): string {
  return `${offset} .. '\\n' .. ${epoch} .. '\\n' .. ${header} .. '\\n' .. ${body}`;
}

/** A bus message read back: the stream it belongs to and the event, or undefined when it is not one. */
export function readBusMessage(message: string): { resource: ResourceRef; event: StoredEvent } | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i += 1) {
    const end = message.indexOf('\n', from);
    if (end < 0) return undefined;
    parts.push(message.slice(from, end));
    from = end + 1;
  }
  const [offset, epoch, type, name, action] = parts as [string, string, string, string, string];
  const body = message.slice(from);
  if (!/^\d+$/.test(offset) || epoch === '' || !body.startsWith('{') || !body.endsWith('}')) return undefined;
  return { resource: { type, name }, event: storedEvent(body, action, { offset: Number(offset), epoch }) };
}

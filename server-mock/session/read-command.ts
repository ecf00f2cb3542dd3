import { RtcErrorCode, isObject, quote, type Json } from '../../protocol/index.js';
import { readFrame, type ReceivedFrame } from './command-response.js';
import { exceedsDepth } from './json-depth.js';

/** A frame read as a command, or the error it is answered with. */
export type ReadCommand =
  | { received: ReceivedFrame; command: string; args: unknown; id: Json | undefined }
  | { received: ReceivedFrame | undefined; error: { code: number; info: string } };

/**
 * Reads one client frame as an RTC command: JSON text, nested at most
 * `maxDepth` deep, `{type: "command", data: {command, arguments, correlation_id}}`.
 * Anything else is an error with the code the protocol gives it.
 */
export function readCommand(raw: Buffer, isBinary: boolean, maxDepth: number): ReadCommand {
  if (isBinary) return { received: undefined, error: { code: RtcErrorCode.Formatting, info: 'binary frames are not supported; send JSON text' } };
  const received = readFrame(raw.toString());
  const frame = received.value;
  const fail = (code: number, info: string): ReadCommand => ({ received, error: { code, info } });
  if (frame === undefined) return fail(RtcErrorCode.Formatting, 'the message is not valid JSON');
  if (exceedsDepth(frame, maxDepth)) return fail(RtcErrorCode.Formatting, 'the message nests too deeply');
  if (!isObject(frame) || typeof frame.type !== 'string') return fail(RtcErrorCode.Formatting, 'a message is an object with a string "type"');
  if (frame.type !== 'command') return fail(RtcErrorCode.UnknownType, `unknown message type ${quote(frame.type)}`);
  const data = frame.data;
  if (!isObject(data) || typeof data.command !== 'string') return fail(RtcErrorCode.Formatting, 'a command needs data.command as a string');
  return { received, command: data.command, args: data.arguments, id: data.correlation_id as Json | undefined };
}

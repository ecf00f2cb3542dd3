/** Frames up to this size are remembered for the next socket; a fan-out's frame is small, a rare large one is not kept. */
const MEMO_MAX = 64 * 1024;
const MEMO_SIZE = 2;

/**
 * The last frames built, by text: a fan-out hands one text to thousands of sockets, and subscribers with and without
 * rtm-kit's position fields alternate between two texts. Found by string equality, which is a pointer comparison
 * for the very string a fan-out hands to each subscriber.
 */
const memo: { text: string; frame: Buffer }[] = [];

/**
 * `text` as one final, unmasked WebSocket text frame (RFC 6455 §5.2: header and UTF-8 payload in one Buffer), for a
 * server-side socket that negotiated no extension. Built once per text however many sockets it goes to, where
 * `ws.send` would encode the text and build a header for each socket and hand the kernel two pieces.
 */
export function textFrame(text: string): Buffer {
  for (const entry of memo) if (entry.text === text) return entry.frame;
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  frame.write(text, headerLength);
  if (frame.length <= MEMO_MAX) {
    if (memo.length === MEMO_SIZE) memo.pop();
    memo.unshift({ text, frame });
  }
  return frame;
}

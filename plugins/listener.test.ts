// The widgets in Node (no DOM): importing them works, and listen() says what it needs instead of a ReferenceError.
import { describe, expect, it } from 'vitest';
import { RtmError } from '../client/index.js';
import { listen } from './listener.js';

describe('listen() without a DOM', () => {
  it('asks for an eventTarget with bad_argument', () => {
    expect(() => listen({ channel: 'room' })).toThrow(RtmError);
    expect(() => listen({ channel: 'room' })).toThrow(expect.objectContaining({ code: 'bad_argument' }));
  });

  it('runs with one, until stopped', () => {
    const handle = listen({ channel: 'room', eventTarget: new EventTarget() });
    handle.stop();
    handle.stop();
  });

  it('still refuses a config without a channel or a resource', () => {
    for (const config of [undefined, null, {}, { channel: '' }]) {
      expect(() => listen(config as never)).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    }
  });
});

import { describe, expect, it, vi } from 'vitest';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();

describe('receive path', () => {
  it('hands each frame to the client once: no copy of it is dispatched through the reconnecting socket', async () => {
    const client = connect();
    const room = client.channel('room');
    const got: unknown[] = [];
    room.on((payload) => got.push(payload));
    await ctx.server.until(() => room.state === 'subscribed');
    const dispatched = vi.spyOn(EventTarget.prototype, 'dispatchEvent');
    try {
      for (let i = 0; i < 20; i++) ctx.server.peers[0]!.event('room', i);
      await ctx.server.until(() => got.length === 20);
      expect(got).toEqual([...Array(20).keys()]);
      expect(dispatched.mock.calls.filter(([event]) => event.type === 'message')).toHaveLength(0);
    } finally {
      dispatched.mockRestore();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { command, rtcPeer, startServer } from '../test/peer.test-util.js';
import { KeyedRateLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('lets a burst of `capacity` through, then `perSecond` a second', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 2, { now: () => now });
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000;
    expect(bucket.full).toBe(true);
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5); // never more than the capacity
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each key separately, forgets quiet keys, and refuses new keys rather than growing past maxKeys', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter(2, () => now, 3);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.take('c')).toBe(true);
    expect(limiter.take('d')).toBe(false); // table full of active keys
    expect(limiter.size).toBe(3);
    now += 60_000; // everyone refilled
    expect(limiter.take('d')).toBe(true); // pruning made room
    expect(limiter.size).toBe(1);
  });
});

describe('when the server itself is behind', () => {
  it('frames that piled up during its stall are paced, not refused: a client under the rate is not punished for the server lag', async () => {
    const server = await startServer({ limits: { rateBurst: 50, ratePerSecond: 50 } });
    const burst = async (peer: Awaited<ReturnType<typeof rtcPeer>>, stallMs: number): Promise<any[]> => {
      for (let i = 0; i < 120; i += 1) peer.send(command('ping', undefined, i));
      // The frames are in the server's socket buffer; this process (the server's too) is now busy elsewhere.
      const until = Date.now() + stallMs;
      while (Date.now() < until) {
        // busy: the event loop cannot run
      }
      await expect.poll(() => peer.received.length, { timeout: 10_000 }).toBe(120);
      return peer.received.filter((m) => m.data?.error);
    };
    // On time, 120 frames at once are a burst over the limit: the excess is refused (error 7).
    const punctual = await rtcPeer(server, 'punctual');
    expect((await burst(punctual, 0)).map((m) => m.data.error.code)).toContain(7);
    await punctual.close();
    // After a 1 s stall, the same frames may have been sent evenly while the server was not reading: all are answered.
    const late = await rtcPeer(server, 'late');
    expect(await burst(late, 1_000)).toEqual([]);
    expect(late.ws.readyState).toBe(late.ws.OPEN);
    await late.close();
    await server.close();
  }, 30_000);
});

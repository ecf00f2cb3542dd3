// The publish de-duplication window: a repeat is answered from memory, within a bounded time and count.
import { describe, expect, it } from 'vitest';
import { MemoryLedger, fingerprint } from './publish-ledger.js';

function setup(window = 1_000, maxEntries = 100) {
  let now = 0;
  const ledger = new MemoryLedger({ window, maxEntries, now: () => now });
  return { ledger, advance: (ms: number) => void (now += ms) };
}

describe('MemoryLedger', () => {
  it('answers a repeat (same sub, correlation_id and content) with the original response, without publishing again', async () => {
    const { ledger } = setup();
    let count = 0;
    const publish = async () => ({ n: ++count });
    const print = fingerprint('room', { payload: 1 });
    expect(await ledger.once('alice', 'c-1', print, publish)).toEqual({ response: { n: 1 }, repeated: false });
    expect(await ledger.once('alice', 'c-1', print, publish)).toEqual({ response: { n: 1 }, repeated: true });
    expect(count).toBe(1);
  });

  it('keeps senders apart, and treats a reused ID with other content as a new publish', async () => {
    const { ledger } = setup();
    let count = 0;
    const publish = async () => ({ n: ++count });
    await ledger.once('alice', 1, fingerprint('room', 'a'), publish);
    expect((await ledger.once('bob', 1, fingerprint('room', 'a'), publish)).repeated).toBe(false);
    expect((await ledger.once('alice', 1, fingerprint('room', 'b'), publish)).repeated).toBe(false);
    expect((await ledger.once('alice', 1, fingerprint('hall', 'b'), publish)).repeated).toBe(false);
    expect(count).toBe(4);
  });

  it('shares maxEntries fairly: 1,000 unique publishes by one user do not make another user\'s honest re-send publish twice', async () => {
    const { ledger } = setup(60_000, 1_000);
    let count = 0;
    const publish = async () => ++count;
    expect((await ledger.once('alice', 'a-1', 'p', publish)).repeated).toBe(false);
    for (let i = 0; i < 1_000; i++) await ledger.once('mallory', `m-${i}`, 'p', publish);
    expect(ledger.size).toBe(1_000);
    expect((await ledger.once('alice', 'a-1', 'p', publish)).repeated).toBe(true);
    // The heavy user forgot its own oldest instead.
    expect((await ledger.once('mallory', 'm-0', 'p', publish)).repeated).toBe(false);
  });

  it('keeps working once full: each new publish forgets the oldest, repeats of the newest are still known, and what it holds stays bounded', async () => {
    const { ledger, advance } = setup(60_000, 100);
    let count = 0;
    const publish = async () => ++count;
    for (let i = 0; i < 5_000; i++) {
      await ledger.once(i % 10 === 0 ? 'alice' : 'mallory', i, 'p', publish);
      advance(1);
    }
    expect(ledger.size).toBe(100);
    expect(ledger.queued).toBeLessThanOrEqual(2 * 100 + 64);
    expect(count).toBe(5_000);
    // The newest hundred are known (alice, the lighter sender, keeps hers); the oldest are forgotten.
    expect((await ledger.once('mallory', 4_999, 'p', publish)).repeated).toBe(true);
    expect((await ledger.once('alice', 4_990, 'p', publish)).repeated).toBe(true);
    expect((await ledger.once('mallory', 1, 'p', publish)).repeated).toBe(false);
    // Past the window, everything goes, and the expiry order with it.
    advance(60_000);
    await ledger.once('bob', 'fresh', 'p', publish);
    expect(ledger.size).toBe(1);
    expect(ledger.queued).toBeLessThanOrEqual(64 + 2);
  });

  it('forgets after the window, and holds at most maxEntries (the oldest go first)', async () => {
    const { ledger, advance } = setup(1_000, 3);
    let count = 0;
    const publish = async () => ++count;
    await ledger.once('a', 1, 'p', publish);
    advance(999);
    expect((await ledger.once('a', 1, 'p', publish)).repeated).toBe(true);
    advance(1);
    expect((await ledger.once('a', 1, 'p', publish)).repeated).toBe(false);
    for (const id of [2, 3, 4]) await ledger.once('a', id, 'p', publish);
    expect(ledger.size).toBe(3);
    expect((await ledger.once('a', 1, 'p', publish)).repeated).toBe(false);
    expect((await ledger.once('a', 4, 'p', publish)).repeated).toBe(true);
  });

  it('does not remember a publish that failed, so its retry is tried again; concurrent repeats share one publish', async () => {
    const { ledger } = setup();
    await expect(ledger.once('a', 1, 'p', async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect((await ledger.once('a', 1, 'p', async () => 'ok')).repeated).toBe(false);
    let count = 0;
    let release!: () => void;
    const slow = () => new Promise<number>((resolve) => (release = () => resolve(++count)));
    const both = Promise.all([ledger.once('a', 2, 'p', slow), ledger.once('a', 2, 'p', slow)]);
    release();
    expect(await both).toEqual([{ response: 1, repeated: false }, { response: 1, repeated: true }]);
  });

  it('costs the same for a huge correlation ID as for a short one', async () => {
    const { ledger } = setup();
    const id = 'x'.repeat(100_000);
    await ledger.once('a', id, 'p', async () => 1);
    expect((await ledger.once('a', id, 'p', async () => 2)).response).toBe(1);
  });
});

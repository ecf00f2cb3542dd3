import { describe, expect, it } from 'vitest';
import { DeadlineSweep } from './deadline-sweep.js';
import { ManualClock } from '../test/peer.test-util.js';

function recorder() {
  const fired: string[] = [];
  return { fired, owner: { fire: (kind: string) => void fired.push(kind) } };
}

describe('DeadlineSweep', () => {
  it('fires deadlines in due order behind one timer, whatever the order they were armed in', () => {
    const clock = new ManualClock();
    const sweep = new DeadlineSweep(clock);
    const { fired, owner } = recorder();
    for (const [ms, kind] of [[300, 'c'], [100, 'a'], [500, 'e'], [200, 'b'], [400, 'd']] as const) sweep.add(ms, owner, kind);
    expect(clock.pending).toBe(1);
    clock.advance(250);
    expect(fired).toEqual(['a', 'b']);
    clock.advance(1_000);
    expect(fired).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sweep.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('keeps due order over many deadlines armed out of order, one millisecond at a time', () => {
    const clock = new ManualClock();
    const sweep = new DeadlineSweep(clock);
    const fired: number[] = [];
    const due = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 997) + 1);
    for (const ms of due) sweep.add(ms, { fire: (at: number) => void fired.push(at) }, ms);
    for (let ms = 0; ms < 1_000; ms += 1) clock.advance(1);
    expect(fired).toEqual([...due].sort((a, b) => a - b));
  });

  it('never fires a removed deadline, and drops its timer once nothing is armed', () => {
    const clock = new ManualClock();
    const sweep = new DeadlineSweep(clock);
    const { fired, owner } = recorder();
    const deadlines = Array.from({ length: 50 }, (_, i) => sweep.add((i * 37) % 50 + 1, owner, String(i)));
    for (const d of deadlines.filter((_, i) => i % 2 === 0)) sweep.remove(d);
    clock.advance(100);
    expect(fired.map(Number).sort((a, b) => a - b)).toEqual(deadlines.map((_, i) => i).filter((i) => i % 2 === 1));
    const late = sweep.add(10, owner, 'late');
    sweep.remove(late);
    sweep.remove(late);
    expect(sweep.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('lets an owner arm a new deadline from inside fire()', () => {
    const clock = new ManualClock();
    const sweep = new DeadlineSweep(clock);
    const fired: number[] = [];
    const owner = {
      fire: (n: number) => {
        fired.push(n);
        if (n < 3) sweep.add(100, owner, n + 1);
      },
    };
    sweep.add(100, owner, 1);
    clock.advance(1_000);
    expect(fired).toEqual([1, 2, 3]);
    expect(clock.pending).toBe(0);
  });
});

// The nesting check every frame and REST body passes: exact at the limit, and independent of what it walked before.
import { describe, expect, it } from 'vitest';
import { exceedsDepth } from './json-depth.js';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { v: value };
  return value;
};

describe('exceedsDepth', () => {
  it('allows exactly max levels of objects and arrays, and refuses one more', () => {
    for (const max of [1, 2, 5, 32]) {
      expect(exceedsDepth(nested(max), max)).toBe(false);
      expect(exceedsDepth(nested(max + 1), max)).toBe(true);
    }
    expect(exceedsDepth('text', 0)).toBe(false);
    expect(exceedsDepth({}, 0)).toBe(true);
  });

  it('finds the one deep branch among wide siblings, in objects and arrays', () => {
    const wide = Array.from({ length: 5_000 }, (_, i) => ({ i, list: [i] }));
    expect(exceedsDepth(wide, 3)).toBe(false);
    wide[2_500]!.list = [[[1]]] as never;
    expect(exceedsDepth(wide, 3)).toBe(true);
    expect(exceedsDepth({ a: 1, b: { c: 2 }, d: [nested(40)] }, 32)).toBe(true);
  });

  it('answers each value on its own, whatever an earlier walk stopped at or how wide it was', () => {
    expect(exceedsDepth([nested(100), nested(100), { x: nested(100) }], 10)).toBe(true);
    expect(exceedsDepth({ shallow: [1, 2, 3] }, 10)).toBe(false);
    expect(exceedsDepth(Array.from({ length: 3_000 }, () => [1]), 2)).toBe(false);
    expect(exceedsDepth([[[1]]], 2)).toBe(true);
    expect(exceedsDepth(null, 1)).toBe(false);
  });

  it('walks a deeper value than a recursive walk could', () => {
    expect(exceedsDepth(nested(200_000), 300_000)).toBe(false);
    expect(exceedsDepth(nested(200_000), 199_999)).toBe(true);
  });
});

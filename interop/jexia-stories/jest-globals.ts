// The Jest globals the vendored stories use, on vitest: describe/it/beforeAll/afterAll/expect, jest.setTimeout,
// and Jest's `done` callback (vitest has none): a test taking one gets a promise settled by `done()` or `done(error)`.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

type Done = (error?: unknown) => void;
type Body = ((done: Done) => unknown) | (() => unknown);

const withDone = (fn: Body) => {
  if (fn.length === 0) return fn as () => unknown;
  return () =>
    new Promise<void>((resolve, reject) => {
      const done: Done = (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error))));
      try {
        fn(done);
      } catch (error) {
        reject(error);
      }
    });
};

Object.assign(globalThis, {
  describe,
  expect,
  it: (name: string, fn: Body, timeout?: number) => it(name, withDone(fn), timeout),
  beforeAll: (fn: Body, timeout?: number) => beforeAll(withDone(fn), timeout),
  afterAll: (fn: Body, timeout?: number) => afterAll(withDone(fn), timeout),
  beforeEach: (fn: Body, timeout?: number) => beforeEach(withDone(fn), timeout),
  afterEach: (fn: Body, timeout?: number) => afterEach(withDone(fn), timeout),
  jest: { setTimeout: (ms: number) => vi.setConfig({ testTimeout: ms, hookTimeout: ms }) },
});

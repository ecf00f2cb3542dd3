import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserEnvironment } from './environment.js';

/** A minimal event target standing in for `window` / `document`. */
function target(extra: Record<string, unknown> = {}) {
  const listeners = new Map<string, Set<() => void>>();
  return Object.assign(extra, {
    addEventListener: (type: string, fn: () => void) => listeners.set(type, (listeners.get(type) ?? new Set()).add(fn)),
    removeEventListener: (type: string, fn: () => void) => listeners.get(type)?.delete(fn),
    dispatch: (type: string) => listeners.get(type)?.forEach((fn) => fn()),
    count: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('browserEnvironment', () => {
  it('does nothing where there is no window or document (Node, SSR)', () => {
    const off = browserEnvironment('online', () => {
      throw new Error('never');
    });
    expect(off).toBeTypeOf('function');
    off();
  });

  it('maps online/offline to window events and visible to visibilitychange while visible, and unbinds', () => {
    const window = target();
    const document = target({ visibilityState: 'hidden' });
    vi.stubGlobal('addEventListener', window.addEventListener);
    vi.stubGlobal('removeEventListener', window.removeEventListener);
    vi.stubGlobal('document', document);
    const seen: string[] = [];
    const offs = (['online', 'offline', 'visible'] as const).map((event) => browserEnvironment(event, () => seen.push(event)));
    window.dispatch('online');
    window.dispatch('offline');
    document.dispatch('visibilitychange'); // hidden: not a wake-up
    document.visibilityState = 'visible';
    document.dispatch('visibilitychange');
    expect(seen).toEqual(['online', 'offline', 'visible']);
    offs.forEach((off) => off());
    expect(window.count() + document.count()).toBe(0);
  });
});

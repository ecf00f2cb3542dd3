/**
 * Signals from the page the client reacts to: the network went `offline` or
 * came back `online`, the tab became `visible` again.
 */
export type EnvironmentEvent = 'online' | 'offline' | 'visible';

/**
 * Subscribes `handler` to an {@link EnvironmentEvent}; returns the function
 * that unsubscribes. Injectable, so tests (and non-browser hosts) can drive it.
 */
export type Environment = (event: EnvironmentEvent, handler: () => void) => () => void;

/** The part of `window` / `document` used here, so the client needs no DOM types. */
interface Target {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  visibilityState?: string;
}

/** The page's own events (`window` online/offline, `document` visibilitychange); does nothing where they do not exist, as in Node. */
export const browserEnvironment: Environment = (event, handler) => {
  const scope = globalThis as unknown as Partial<Target> & { document?: Target };
  const visible = event === 'visible';
  const target = visible ? scope.document : scope;
  if (typeof target?.addEventListener !== 'function') return () => {};
  const type = visible ? 'visibilitychange' : event;
  const listener = visible ? () => void (target.visibilityState === 'visible' && handler()) : handler;
  target.addEventListener(type, listener);
  return () => target.removeEventListener!(type, listener);
};

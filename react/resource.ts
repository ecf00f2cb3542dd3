import { useEffect } from 'react';
import { RtmError, type Json, type ResourceAction, type ResourceHandler } from '../client/index.js';
import { useProvidedClient } from './context.js';
import { useLatest } from './latest.js';

/** Which events of a resource {@link useResource} listens to. */
export type ResourceActions = ResourceAction | ResourceAction[] | 'all';

/**
 * Listens to resource `name` of `type` (e.g. `ds`, `orders`) while mounted:
 * to its `created`, `updated` and `deleted` events, or to `actions` only. As
 * with {@link useChannel}, the latest handler is called, and a change of type,
 * name or actions (compared by value, so an inline array is fine) moves the
 * subscription. `T` types each event's `data`, as `client.resource<T>()` does.
 *
 * @example
 * ```tsx
 * useResource('ds', 'orders', ['created', 'updated'], (event) => refetch());
 * ```
 */
export function useResource<T = Json>(type: string, name: string, handler: ResourceHandler<T>): void;
export function useResource<T = Json>(type: string, name: string, actions: ResourceActions | undefined, handler: ResourceHandler<T>): void;
export function useResource(type: string, name: string, actionsOrHandler: ResourceActions | undefined | ResourceHandler, maybeHandler?: ResourceHandler): void {
  const client = useProvidedClient('useResource');
  const actions = typeof actionsOrHandler === 'function' ? undefined : actionsOrHandler;
  const handler = typeof actionsOrHandler === 'function' ? actionsOrHandler : maybeHandler;
  if (typeof handler !== 'function') throw new RtmError('bad_argument', 'useResource needs a handler function as its last argument');
  // By value: a new array with the same actions on each render must not resubscribe.
  const actionKey = actions === undefined || actions === 'all' ? 'all' : JSON.stringify([...new Set([actions].flat())].sort());
  const latest = useLatest({ handler, client, type, name, actionKey });

  useEffect(() => {
    if (!client) return;
    const list = actionKey === 'all' ? 'all' : (JSON.parse(actionKey) as ResourceAction[]);
    return client.resource(type, name).on(list, (event) => {
      const now = latest.current;
      if (now.client === client && now.type === type && now.name === name && now.actionKey === actionKey) now.handler(event);
    });
  }, [client, type, name, actionKey, latest]);
}

import { bad } from './arguments.js';
import { isResourceAction, RESOURCE_ACTIONS, type EventData, type Filter, type Json, type ResourceAction } from '../protocol/index.js';
import { listenerFilter, type Subscriptions, type SubscriptionStatus } from './subscriptions.js';

/** A resource event: `action`, `resource`, `modifier`, `timestamp` and the records in `data`, typed `T`. */
export type ResourceEvent<T = Json> = Omit<EventData, 'data'> & {
  /** The records the event is about, as the server sent them. */
  data: T;
};

/** Receives resource events. */
export type ResourceHandler<T = Json> = (event: ResourceEvent<T>) => void;

/** Options of {@link Resource.on}. */
export interface ResourceListenOptions {
  /**
   * Only events matching this filter reach the handler, and the server sends
   * only those, e.g. `{ 'data.customer': 42 }` (a `data.…` key matches when
   * any record of the event does). Throws `bad_argument` for a filter the server would refuse.
   */
  filter?: Filter;
}

/**
 * A server resource (e.g. a dataset): listen to its created / updated / deleted events.
 * `T` types each event's `data` (not checked at run time).
 */
export interface Resource<T = Json> extends SubscriptionStatus {
  /** The resource type, e.g. `ds`. */
  readonly type: string;
  /** The resource name. */
  readonly name: string;
  /**
   * Calls `handler` for events with one of `actions` (or any of them, with
   * `'all'`); returns the function that stops it. Handlers with the same
   * action set share one server subscription, whatever their filters.
   */
  on(actions: ResourceAction | ResourceAction[] | 'all', handler: ResourceHandler<T>, options?: ResourceListenOptions): () => void;
}

/** Creates the {@link Resource} handle for `type` / `name`. */
export function createResource<T = Json>(type: string, name: string, subscriptions: Subscriptions): Resource<T> {
  for (const [label, value] of [['type', type], ['name', name]]) if (typeof value !== 'string' || !value) bad(`resource ${label}`, 'a non-empty string', value);
  const resource = { type, name };
  return Object.assign(subscriptions.statusOf(resource), {
    type,
    name,
    on(actions: ResourceAction | ResourceAction[] | 'all', handler: ResourceHandler<T>, options?: ResourceListenOptions): () => void {
      const list: readonly unknown[] = actions === 'all' ? RESOURCE_ACTIONS : [actions].flat();
      if (!list.length || !list.every(isResourceAction)) bad('actions', `${RESOURCE_ACTIONS} (or a list of them), or 'all'`, actions);
      if (typeof handler !== 'function') bad('handler', 'a function', handler);
      // RTC spells "all three" as ['all'].
      const sent = new Set(list).size === RESOURCE_ACTIONS.length ? ['all' as const] : (list as ResourceAction[]);
      const filter = options?.filter;
      const compiled = listenerFilter(filter, false);
      const deliver = handler as (event: EventData) => void;
      return subscriptions.add(resource, sent, compiled ? (event) => compiled.test(event) && deliver(event) : deliver, filter);
    },
  }) as Resource<T>;
}

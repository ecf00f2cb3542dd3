/**
 * Resources (datasets and the like): the actions their events carry, and the
 * one key a resource is known by in maps on either side.
 */
import type { ResourceRef } from './messages.js';

/** The actions of resource events. A subscription may also ask for `all`, which means all three. */
export const RESOURCE_ACTIONS = ['created', 'updated', 'deleted'] as const;

/** A resource event's action: `created`, `updated` or `deleted` (the values of `RESOURCE_ACTIONS`). */
export type ResourceAction = (typeof RESOURCE_ACTIONS)[number];

/** True when `action` is one of {@link RESOURCE_ACTIONS}. */
export function isResourceAction(action: unknown): action is ResourceAction {
  return (RESOURCE_ACTIONS as readonly unknown[]).includes(action);
}

/** The actions a subscribe or unsubscribe list stands for, `all` written out as each of {@link RESOURCE_ACTIONS}. */
export function concreteActions(actions: readonly string[]): string[] {
  return actions.flatMap((action) => (action === 'all' ? [...RESOURCE_ACTIONS] : [action]));
}

/** The key of a resource (a stream) in a map: two resources share it exactly when type and name are equal. */
export function resourceKey(resource: ResourceRef): string {
  return `${resource.type}\u0000${resource.name}`;
}

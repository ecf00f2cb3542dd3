import { compileFilter, type CompiledFilter } from './filter.js';
import type { EventData, Json } from './messages.js';

/** A channel event as the server sends it: `orders`, published by `modifier`. */
export const channelEvent = (payload: Json, eventName: string | null = 'order', modifier = 'alice'): EventData => ({
  action: 'published',
  resource: { type: 'channel', name: 'orders' },
  modifier: { id: modifier },
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { eventName, payload },
});

/** Compiles a filter that must be valid (throws with the refusal otherwise). */
export function compiled(filter: unknown, channel = true): CompiledFilter {
  const result = compileFilter(filter, channel);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

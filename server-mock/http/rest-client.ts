/**
 * The Node side of "Broadcast (Process)": pushing to pages from a backend
 * through the server's REST API, with the API key held by that backend and
 * never sent to a browser.
 */
import type { Json, ResourceAction } from '../../protocol/index.js';
import { RestError } from '../errors.js';

/** Where the REST API is and how to authenticate. */
export interface RestTarget {
  /** The server's base URL, e.g. `https://rtm.example.com` (a path prefix such as `/rtm/` is kept). */
  url: string;
  /** The server's API key, sent as `x-api-key`. */
  apiKey: string;
  /** Milliseconds before the request is abandoned. Default 10000. */
  timeoutMs?: number;
}


/**
 * Publishes `{eventName, payload}` on a channel, as `POST /api/broadcast`.
 * Resolves with the server's answer (`{ok, channel, eventName, recipients}`);
 * rejects with a {@link RestError}.
 *
 * @example
 * ```ts
 * import { broadcast } from 'rtm-kit/server';
 * await broadcast({ url: 'http://127.0.0.1:8080', apiKey: process.env.RTM_API_KEY!, channel: 'test', eventName: 'ping', payload: { P10_MESSAGE: 'hi' } });
 * ```
 */
export function broadcast(request: RestTarget & { channel: string; eventName?: string | null; payload?: Json }): Promise<Json> {
  return post(request, 'api/broadcast', { channel: request.channel, eventName: request.eventName ?? null, payload: request.payload ?? null });
}

/** Pushes a message to one user's private channel `user:<user>`, as `POST /api/users/<user>/messages`. */
export function notifyUser(request: RestTarget & { user: string; eventName?: string | null; payload?: Json }): Promise<Json> {
  return post(request, `api/users/${encodeURIComponent(request.user)}/messages`, { eventName: request.eventName ?? null, payload: request.payload ?? null });
}

/**
 * Emits a resource event (`created`, `updated` or `deleted`) to its subscribers, as `POST /api/events`.
 * `data` is the records (each with at least `id`); `modifier` names who made the change (default: the API key).
 */
export function emitEvent(
  request: RestTarget & { resource: { type: string; name: string }; action: ResourceAction; data?: Json; modifier?: string },
): Promise<Json> {
  const body: { [key: string]: Json } = { resource: request.resource, action: request.action, data: request.data ?? [] };
  if (request.modifier !== undefined) body.modifier = { id: request.modifier };
  return post(request, 'api/events', body);
}

async function post(target: RestTarget, path: string, body: Json): Promise<Json> {
  if (!target || typeof target.url !== 'string' || typeof target.apiKey !== 'string' || target.apiKey === '') {
    throw new RestError(0, undefined, 'url and apiKey are required');
  }
  const base = target.url.endsWith('/') ? target.url : `${target.url}/`;
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': target.apiKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new RestError(0, undefined, `could not reach ${base}: ${(cause as Error).message}`);
  }
  const text = await response.text();
  let answer: Json = null;
  try {
    answer = text ? (JSON.parse(text) as Json) : null;
  } catch {
    // A proxy's HTML error page: report the status with the start of the text.
  }
  if (!response.ok) {
    const error = (answer as { error?: { code?: unknown; info?: unknown } } | null)?.error;
    throw new RestError(response.status, typeof error?.code === 'number' ? error.code : undefined, typeof error?.info === 'string' ? error.info : text.slice(0, 200) || response.statusText);
  }
  return answer;
}

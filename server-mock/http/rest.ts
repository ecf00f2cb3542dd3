import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNEL_TYPE, RtcErrorCode, isChannelName, isObject, isResourceAction, userChannel, type Json } from '../../protocol/index.js';
import type { Auth } from '../auth/tokens.js';
import type { Clock } from '../ops/clock.js';
import type { Policy } from '../auth/policy.js';
import { readJson, sendJson } from './json-body.js';
import type { Hub } from '../streams/hub.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import type { IpResolver } from './request-ip.js';
import { parseTarget, type RequestTarget } from './request-url.js';
import { HttpError } from '../errors.js';
import type { Publisher } from '../streams/publisher.js';

/** Largest REST body accepted. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What the REST API needs. */
export interface RestContext {
  hub: Hub;
  clock: Clock;
  policy: Policy;
  auth: Auth;
  log: Logger;
  metrics: Metrics;
  /** Sends channel messages, with their metric and message log line. */
  publisher: Publisher;
  logPayloads: boolean;
  /** REST API keys by name; the API answers 503 without any. */
  apiKeys: Record<string, string>;
  /** Development mode: serves `/api/dev/token`. */
  dev: boolean;
  maxDepth: number;
  /** The client IP of a request (proxy-aware). */
  ip: IpResolver;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** False while the server shuts down. */
  ready: () => boolean;
  /** False while a shared store the server needs (Redis) is unreachable. */
  storeUp: () => boolean;
}

/**
 * The HTTP API: REST publishing (`/api/broadcast`, `/api/users/<id>/messages`,
 * `/api/sessions/<id>/messages`, `/api/events`), health (`/healthz`, `/readyz`), `/metrics`, and the dev
 * token endpoint. Returns false for paths it does not own.
 */
export function createRestApi(ctx: RestContext): (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<boolean> {
  const keys = Object.entries(ctx.apiKeys).map(([name, key]) => ({ name, digest: digest(key) }));

  /** The name of the key presented, compared in constant time against every key. */
  const authenticate = (req: IncomingMessage): string => {
    if (keys.length === 0) throw new HttpError(503, RtcErrorCode.Internal, 'the REST API is off: the server has no API key');
    const presented = readApiKey(req);
    let match: string | undefined;
    if (presented !== undefined) {
      const candidate = digest(presented);
      for (const key of keys) if (timingSafeEqual(candidate, key.digest) && match === undefined) match = key.name;
    }
    if (match === undefined) {
      ctx.log.warn('api_key_rejected', { ip: ctx.ip(req), path: parseTarget(req.url).path.slice(0, 200) });
      throw new HttpError(401, RtcErrorCode.Unauthorized, 'missing or wrong API key (send it as x-api-key)');
    }
    return match;
  };

  const readBody = async (req: IncomingMessage, shape: string): Promise<Record<string, unknown>> => {
    const body = await readJson(req, MAX_BODY_BYTES, ctx.maxDepth);
    if (!isObject(body)) throw new HttpError(400, RtcErrorCode.Formatting, `the body must be a JSON object ${shape}`);
    return body;
  };

  /** Publishes a channel message from REST; `channel` is already validated. */
  const post = async (req: IncomingMessage, res: ServerResponse, keyName: string, channel: string, body: Record<string, unknown>): Promise<void> => {
    const eventName = readEventName(body);
    const payload = (body.payload ?? null) as Json;
    const source = `api:${keyName}`;
    const recipients = await ctx.publisher.publish(channel, { eventName, payload }, source, 'rest');
    ctx.log.info('broadcast', { channel, eventName, recipients, key: keyName, ip: ctx.ip(req), ...(ctx.logPayloads ? { payload } : {}) });
    sendJson(res, 200, { ok: true, channel, eventName, recipients });
  };

  const checkChannel = (channel: unknown): string => {
    if (!isChannelName(channel)) throw new HttpError(400, RtcErrorCode.UnknownResourceName, 'channel must be a string of 1-260 characters without control characters');
    const refusal = ctx.policy.checkChannel(channel);
    if (refusal) throw new HttpError(404, refusal.code, refusal.info);
    return channel;
  };

  /** A REST channel message: the key, then the body, then the channel; refusals after the key go to the message log too. */
  const publishFromRest = async (req: IncomingMessage, res: ServerResponse, shape: string, channelOf: (body: Record<string, unknown>) => unknown): Promise<void> => {
    const keyName = authenticate(req);
    const body = await readBody(req, shape);
    try {
      await post(req, res, keyName, checkChannel(channelOf(body)), body);
    } catch (error) {
      if (error instanceof HttpError) ctx.publisher.rejected(`api:${keyName}`, channelOf(body), body.eventName ?? body.event_name, { code: error.rtcCode, info: error.info });
      throw error;
    }
  };

  const postChannelMessage = (req: IncomingMessage, res: ServerResponse): Promise<void> => publishFromRest(req, res, '{channel, eventName, payload}', (body) => body.channel);

  const userMessage = (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => publishFromRest(req, res, '{eventName, payload}', () => userChannel(id));

  /** A message to one connection, on whichever instance holds it; not kept in history. */
  const sessionMessage = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const keyName = authenticate(req);
    const body = await readBody(req, '{eventName, payload}');
    const eventName = readEventName(body);
    const payload = (body.payload ?? null) as Json;
    const source = `api:${keyName}`;
    if (!(await ctx.publisher.direct(id, { eventName, payload }, source, 'rest'))) {
      ctx.publisher.rejected(source, `session:${id}`, eventName, { code: RtcErrorCode.UnknownResourceName, info: 'no such session' });
      throw new HttpError(404, RtcErrorCode.UnknownResourceName, 'no such session: it closed, or never existed');
    }
    sendJson(res, 200, { ok: true, session: id, eventName, recipients: 1 });
  };

  const event = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const keyName = authenticate(req);
    const body = await readBody(req, '{resource: {type, name}, action, data, modifier?}');
    const { resource, action, modifier } = body;
    if (!isObject(resource) || typeof resource.type !== 'string' || typeof resource.name !== 'string') {
      throw new HttpError(400, RtcErrorCode.Formatting, 'resource must be {type, name} with string fields');
    }
    if (resource.type === CHANNEL_TYPE) throw new HttpError(400, RtcErrorCode.UnknownResourceType, 'channels take messages at /api/broadcast, not events');
    const ref = { type: resource.type, name: resource.name };
    const refusal = ctx.policy.checkResource(ref);
    if (refusal) throw new HttpError(404, refusal.code, refusal.info);
    if (!isResourceAction(action)) throw new HttpError(400, RtcErrorCode.UnknownAction, 'action must be created, updated or deleted');
    if (modifier !== undefined && (!isObject(modifier) || typeof modifier.id !== 'string' || modifier.id === '' || modifier.id.length > 255)) {
      throw new HttpError(400, RtcErrorCode.Formatting, 'modifier must be {id} with a non-empty string id');
    }
    const modifierId = modifier === undefined ? `api:${keyName}` : (modifier.id as string);
    const recipients = await ctx.hub.publishEvent(ref, action, (body.data ?? []) as Json, modifierId);
    ctx.metrics.broadcasts.inc({ source: 'rest' });
    ctx.log.info('event', { resource: ref, action, recipients, key: keyName, ip: ctx.ip(req), ...(ctx.logPayloads ? { data: body.data } : {}) });
    sendJson(res, 200, { ok: true, resource: ref, action, recipients });
  };

  const devToken = async (query: URLSearchParams, res: ServerResponse): Promise<void> => {
    const sub = query.get('sub') || `guest-${randomBytes(4).toString('hex')}`;
    if (sub.length > 255 || /[\p{Cc}\p{Cs}]/u.test(sub)) throw new HttpError(400, RtcErrorCode.Formatting, 'sub must be 1-255 characters without control characters');
    const ttl = Number(query.get('ttl') ?? 3600);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw new HttpError(400, RtcErrorCode.Formatting, 'ttl must be 1-86400 seconds');
    const token = await ctx.auth.sign(sub, ttl);
    sendJson(res, 200, { token, sub, expiresIn: ttl });
  };

  const health = (_req: IncomingMessage, res: ServerResponse): void => sendJson(res, 200, { status: 'ok' });
  const readiness = (_req: IncomingMessage, res: ServerResponse): void => {
    if (!ctx.ready()) return sendJson(res, 503, { status: 'stopping' });
    if (!ctx.storeUp()) return sendJson(res, 503, { status: 'redis unavailable' });
    sendJson(res, 200, { status: 'ready' });
  };
  const metricsDigest = ctx.metricsToken === undefined ? undefined : digest(ctx.metricsToken);
  const metrics = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (metricsDigest) {
      const auth = req.headers.authorization;
      const presented = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
      if (!timingSafeEqual(digest(presented), metricsDigest)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, RtcErrorCode.Unauthorized, 'metrics need Authorization: Bearer <metrics token>');
      }
    }
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(text);
  };

  type Handler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void> | void;
  const routes = new Map<string, { method: 'GET' | 'POST'; handler: Handler }>([
    ['/healthz', { method: 'GET', handler: health }],
    ['/readyz', { method: 'GET', handler: readiness }],
    ['/metrics', { method: 'GET', handler: metrics }],
    ['/api/broadcast', { method: 'POST', handler: postChannelMessage }],
    ['/api/events', { method: 'POST', handler: event }],
  ]);
  if (ctx.dev) routes.set('/api/dev/token', { method: 'GET', handler: (_req, res, target) => devToken(target.query, res) });

  /** The route for `path`, if the API owns it. */
  const find = (path: string): { method: 'GET' | 'POST'; handler: Handler } | undefined => {
    const exact = routes.get(path);
    if (exact) return exact;
    const user = /^\/api\/users\/([^/]+)\/messages$/.exec(path);
    if (user) return { method: 'POST', handler: (req, res) => userMessage(req, res, decodeSegment(user[1]!)) };
    const session = /^\/api\/sessions\/([^/]+)\/messages$/.exec(path);
    if (session) return { method: 'POST', handler: (req, res) => sessionMessage(req, res, decodeSegment(session[1]!)) };
    if (path === '/api' || path.startsWith('/api/')) throw new HttpError(404, RtcErrorCode.UnknownCommand, 'no such endpoint');
    return undefined;
  };

  return async (req, res, target) => {
    const route = find(target.path);
    if (!route) return false;
    const allowed = route.method === 'GET' ? req.method === 'GET' || req.method === 'HEAD' : req.method === 'POST';
    if (!allowed) {
      res.setHeader('allow', route.method === 'GET' ? 'GET, HEAD' : 'POST');
      throw new HttpError(405, RtcErrorCode.UnknownCommand, `use ${route.method}`);
    }
    await route.handler(req, res, target);
    return true;
  };
}

/** The event name of a REST body: the APEX RTM MLE module sends eventName, its PL/SQL package event_name. */
function readEventName(body: Record<string, unknown>): string | null {
  const eventName = body.eventName ?? body.event_name ?? null;
  if (eventName !== null && (typeof eventName !== 'string' || eventName.length > 255)) {
    throw new HttpError(400, RtcErrorCode.Formatting, 'eventName must be a string of at most 255 characters, or null');
  }
  return eventName;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, RtcErrorCode.Formatting, 'bad id in the path');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function readApiKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return undefined;
}

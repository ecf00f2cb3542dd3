/**
 * rtm-kit reference server (Node only): RTC over WebSocket with JWT auth,
 * private channels, limits, the REST API, metrics, the legacy APEX RTM
 * endpoint and the demo pages.
 *
 * @example
 * ```ts
 * import { createServer } from 'rtm-kit/server';
 * const server = createServer({ port: 8080, secret: process.env.RTM_JWT_SECRET, apiKey: process.env.RTM_API_KEY });
 * await server.listen();
 * ```
 * @packageDocumentation
 */
export { createServer, type RtmServer } from './server.js';
export { ConfigError, DEFAULT_LIMITS, DEFAULT_TIMING, type Limits, type ServerOptions, type SessionTiming } from './config.js';
export { createAuth, TokenError, MIN_SECRET_BYTES, type Auth, type AuthOptions, type Identity } from './auth.js';
export type { Rights } from './authorization.js';
export type { Clock } from './clock.js';
export { jsonLogger, silentLogger, type Logger, type LogFields } from './log.js';
export { broadcast, notifyUser, emitEvent, RestError, type RestTarget } from './rest-client.js';

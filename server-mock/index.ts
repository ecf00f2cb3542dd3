/**
 * rtm-kit reference server (Node only): RTC over WebSocket with JWT auth,
 * REST broadcast and the demo pages.
 *
 * @example
 * ```ts
 * import { createServer } from 'rtm-kit/server';
 * const server = createServer({ port: 8080, secret: process.env.RTM_JWT_SECRET, apiKey: process.env.RTM_API_KEY });
 * await server.listen();
 * ```
 * @packageDocumentation
 */
export { createServer, type RtmServer, type ServerOptions } from './server.js';
export { createAuth, TokenError, MIN_SECRET_BYTES, type Auth, type Identity } from './auth.js';
export { jsonLogger, silentLogger, type Logger, type LogFields } from './log.js';
export type { SessionTiming } from './session.js';
export { broadcast, notifyUser, emitEvent, RestError, type RestTarget } from './rest-client.js';

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
export { DEFAULT_DEDUP, DEFAULT_HISTORY, DEFAULT_LIMITS, DEFAULT_TIMING, type DedupSettings, type HistorySettings, type Limits, type ServerOptions, type SessionTiming } from './config.js';
export { MemoryHistory, type HistoryStore, type MemoryHistoryOptions, type Recovery, type Retention, type StoredEvent } from './history.js';
export { MemoryLedger, fingerprint, type LedgerAnswer, type MemoryLedgerOptions, type PublishLedger } from './publish-ledger.js';
export type { RetentionRule } from './retention.js';
export type { SharedBus, Subscriber } from './hub.js';
export { createAuth, MIN_SECRET_BYTES, type Auth, type AuthOptions, type Identity } from './auth.js';
export type { Rights } from './authorization.js';
export type { Clock } from './clock.js';
export { jsonLogger, silentLogger, type Logger, type LogFields } from './log.js';
export { broadcast, notifyUser, emitEvent, type RestTarget } from './rest-client.js';
export { ServerError, ServerErrorCode, ConfigError, TokenError, JwksUnavailableError, StoreUnavailableError, RestError } from './errors.js';

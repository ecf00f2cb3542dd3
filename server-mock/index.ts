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
export { type DedupSettings, type HistorySettings, type Limits, type ServerOptions, type SessionTiming } from './config/options.js';
export { DEFAULT_DEDUP, DEFAULT_HISTORY, DEFAULT_LIMITS, DEFAULT_TIMING } from './config/defaults.js';
export { MemoryHistory, type HistoryStore, type MemoryHistoryOptions, type Recovery, type Retention } from './streams/history.js';
export type { StoredEvent } from './streams/event-frame.js';
export { MemoryLedger, fingerprint, type LedgerAnswer, type MemoryLedgerOptions, type PublishLedger } from './session/publish-ledger.js';
export type { RetentionRule } from './streams/retention.js';
export type { SharedBus, Subscriber } from './streams/hub.js';
export { createAuth, MIN_SECRET_BYTES, type Auth, type AuthOptions, type Identity } from './auth/tokens.js';
export type { Rights } from './auth/policy.js';
export type { Clock } from './ops/clock.js';
export { jsonLogger, silentLogger, type Logger, type LogFields } from './ops/log.js';
export { broadcast, notifyUser, emitEvent, type RestTarget } from './http/rest-client.js';
export { ServerError, ServerErrorCode, ConfigError, TokenError, JwksUnavailableError, StoreUnavailableError, RestError } from './errors.js';

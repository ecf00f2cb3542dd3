/** The default settings. */
import type { DedupSettings, HistorySettings, Limits, SessionTiming } from './options.js';

/** Default token timing. */
export const DEFAULT_TIMING: SessionTiming = { reminder: 60, grace: 5, authTimeout: 10, httpWindow: 30 };

/** Default limits: 128 subscriptions per connection, 120 connections a minute per IP, and bursts of 500 frames then 200 a second. */
export const DEFAULT_LIMITS: Limits = {
  maxDepth: 32,
  maxSubscriptions: 128,
  maxFilters: 32,
  rateBurst: 500,
  ratePerSecond: 200,
  abuseLimit: 200,
  ipConnectionsPerMinute: 120,
  maxConnectionsPerIp: 256,
  maxConnectionsPerUser: 32,
  maxBuffered: 1024 * 1024,
};

/** Default history: what centrifugo-style recovery needs for ordinary reconnects, bounded in memory. */
export const DEFAULT_HISTORY: HistorySettings = { size: 1000, ttl: 300, rules: [], maxBytes: 64 * 1024 * 1024 };

/** Default publish de-duplication: longer than any sensible reconnect, bounded in memory. */
export const DEFAULT_DEDUP: DedupSettings = { window: 120, maxEntries: 100_000 };

/** Largest clock tolerance accepted, in seconds. */
export const MAX_CLOCK_TOLERANCE = 30;

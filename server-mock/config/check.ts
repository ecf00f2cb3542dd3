/** Checks of the settings as a whole; each throws a ConfigError that names the bad setting. */
import { ConfigError } from '../errors.js';
import { LOG_LEVELS } from '../ops/log.js';
import { checkRetention } from '../streams/retention.js';
import { DEFAULT_LIMITS, MAX_CLOCK_TOLERANCE } from './defaults.js';
import type { ServerOptions } from './options.js';

/** Checks the numeric settings; throws ConfigError naming the first bad one. */
export function checkOptions(options: ServerOptions): void {
  const whole = (name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  };
  whole('port', options.port, 0, 65_535);
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  whole('clockTolerance', options.clockTolerance, 0, MAX_CLOCK_TOLERANCE);
  whole('maxPayload', options.maxPayload, 256, 100 * 1024 * 1024);
  whole('heartbeat', options.heartbeat, 0, 3600);
  for (const [name, value] of Object.entries(options.timing ?? {})) whole(name, value, name === 'reminder' ? 0 : 1, 86_400);
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    if (!(name in DEFAULT_LIMITS)) throw new ConfigError(`unknown limit "${name}"`);
    whole(name, value, ['ipConnectionsPerMinute', 'maxConnectionsPerIp', 'maxConnectionsPerUser'].includes(name) ? 0 : 1);
  }
  whole('idleTimeout', options.idleTimeout, 1, 300);
  // An unset variable in an env file reads as "" or "  ": that must never silently mean "no secret", i.e. development mode.
  for (const name of ['secret', 'jwks', 'apiKey', 'metricsToken'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) throw new ConfigError(`${name} is empty: give it a real value or leave it unset`);
  }
  const history = options.history ?? {};
  checkRetention(history, 'history');
  whole('history maxBytes', history.maxBytes, 1024 * 1024);
  for (const rule of history.rules ?? []) {
    if (typeof rule?.pattern !== 'string' || rule.pattern === '') throw new ConfigError('a history rule needs a pattern');
    checkRetention(rule, `history rule "${rule.pattern}"`);
    if (rule.size === undefined) throw new ConfigError(`history rule "${rule.pattern}" needs a size`);
  }
  whole('dedup window', options.dedup?.window, 0, 86_400);
  whole('dedup maxEntries', options.dedup?.maxEntries, 0);
  if (options.apiKeys) {
    for (const [name, key] of Object.entries(options.apiKeys)) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ConfigError(`API key name "${name}" must be 1-64 of A-Z a-z 0-9 _ . -`);
      if (typeof key !== 'string' || key.trim() === '') throw new ConfigError(`API key "${name}" must be a non-empty string`);
    }
  }
  if (options.redis !== undefined) checkRedisUrl(options.redis);
  for (const origin of options.origins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`origin "${origin}" must look like https://host[:port], without a path`);
  }
  if (options.trustProxy !== undefined && !Array.isArray(options.trustProxy)) {
    throw new ConfigError('trustProxy must list the proxy addresses (e.g. ["loopback", "10.0.0.0/8"]), not true/false');
  }
}

/** True when the server runs in development mode: asked for, or neither a secret nor a JWKS configured. */
export function isDevMode(options: ServerOptions): boolean {
  return options.dev === true || (options.secret === undefined && options.jwks === undefined);
}

/**
 * Whether the legacy endpoint runs, and what it carries. It has no token, so with a secret it is off unless
 * asked for, and then it must name the browser Origins it serves and the channels anyone may read.
 */
export function legacySettings(options: ServerOptions): { channels: string[] } | undefined {
  const configured = options.secret !== undefined || options.jwks !== undefined;
  if (options.legacy === false || (options.legacy === undefined && configured)) return undefined;
  if (!configured) return { channels: options.legacyChannels ?? ['*'] };
  if (!options.origins?.length) throw new ConfigError('the legacy endpoint (--legacy) needs --origins: the Origins of the APEX apps allowed to open it');
  if (!options.legacyChannels?.length) throw new ConfigError('the legacy endpoint (--legacy) needs --legacy-channels: the channels any visitor may read without a token');
  return { channels: options.legacyChannels };
}

/** Throws ConfigError unless `url` is a redis:// or rediss:// URL. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`redis URL must look like redis://host:port, got ${JSON.stringify(url.slice(0, 100))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`redis URL must start with redis:// or rediss://, got ${JSON.stringify(parsed.protocol)}`);
}

import { CHANNEL_TYPE, type ResourceRef } from '../../protocol/index.js';
import { matchesAny } from '../auth/policy.js';
import type { Retention } from './history.js';
import { ConfigError } from '../errors.js';

/** History kept for the streams one pattern matches. */
export interface RetentionRule {
  /** A channel name or `<type>:<name>` of a resource, exact or a prefix ending in `*`. */
  pattern: string;
  /** Most events kept; 0 keeps none. */
  size: number;
  /** Longest time an event is kept, in seconds. Default: the server's history ttl. */
  ttl?: number;
}

/** Largest history one stream may keep, in events and in seconds. */
const MAX_SIZE = 100_000;
const MAX_TTL = 86_400;

/** Reads a rule written `pattern=size[/ttl]`, e.g. `room:*=100/60` (100 events, 60 s). */
export function parseRetentionRule(text: string): RetentionRule {
  const match = /^([^=\s]+)=(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) throw new ConfigError(`history rule "${text}" must look like pattern=size or pattern=size/ttl, e.g. room:*=100/60`);
  return { pattern: match[1]!, size: Number(match[2]), ...(match[3] === undefined ? {} : { ttl: Number(match[3]) }) };
}

/** Throws ConfigError unless `size` and `ttl` are within bounds. */
export function checkRetention(retention: { size?: number; ttl?: number }, where: string): void {
  const { size, ttl } = retention;
  if (size !== undefined && (!Number.isInteger(size) || size < 0 || size > MAX_SIZE)) throw new ConfigError(`${where}: size must be a whole number from 0 to ${MAX_SIZE}, got ${String(size)}`);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL)) throw new ConfigError(`${where}: ttl must be a whole number of seconds from 0 to ${MAX_TTL}, got ${String(ttl)}`);
}

/** The retention of each stream: the first rule whose pattern matches (channels by name, resources as `<type>:<name>`), else `defaults`. */
export function retentionOf(rules: readonly RetentionRule[], defaults: Retention): (resource: ResourceRef) => Retention {
  return (resource) => {
    const name = resource.type === CHANNEL_TYPE ? resource.name : `${resource.type}:${resource.name}`;
    const rule = rules.find((r) => matchesAny([r.pattern], name));
    return rule ? { size: rule.size, ttl: rule.ttl ?? defaults.ttl } : defaults;
  };
}

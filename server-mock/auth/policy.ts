import { CHANNEL_TYPE, PRIVATE_PREFIX, RtcErrorCode, isChannelName, isObject, quote, type ResourceRef } from '../../protocol/index.js';
import { isSessionChannel, ownsOrPublic } from './channels.js';
import { ConfigError } from '../errors.js';

/**
 * What a token's optional `rtm` claim allows. Each list holds patterns: an
 * exact name, or a prefix ending in `*`. Resource subscriptions are matched
 * as `<type>:<name>`. A missing list allows nothing of that kind; a missing
 * claim allows every non-private channel.
 */
export interface Rights {
  /** What the token may subscribe to: channel patterns (`room:*`, `orders`) and resources as `<type>:<name>`; absent: nothing. */
  subscribe?: string[];
  /** The channel patterns the token may publish to; absent: nothing. */
  publish?: string[];
}

/** Reads an `rtm` claim; null when it has the wrong shape (the token is then refused). */
export function parseRights(claim: unknown): Rights | null {
  if (!isObject(claim)) return null;
  const rights: Rights = {};
  for (const key of ['subscribe', 'publish'] as const) {
    const list = claim[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > 256 || !list.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 261)) return null;
    rights[key] = list as string[];
  }
  return rights;
}

/** True when `name` matches one of `patterns` (exact, or a prefix before a trailing `*`). */
export function matchesAny(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

/** Why a resource or channel is refused: an RTC error code and its info text. */
export interface Refusal {
  code: number;
  info: string;
}

/** Who is asking: a token's subject and the rights its claim gives. */
export interface Principal {
  sub: string;
  rights?: Rights;
}

/** Settings of the policy. */
export interface PolicyOptions {
  /** Channel allow-list patterns; empty allows every valid name. */
  channels?: readonly string[];
  /** Resource types and names: `ds` (any name) or `ds:orders`. */
  resources?: readonly string[];
}

/**
 * Decides what exists and who may use it: which resource types and names
 * and which channels are known (1000/1001 otherwise), and whether a
 * principal may subscribe or publish (2 otherwise). Checked on every command.
 */
export class Policy {
  private readonly channelList: readonly string[];
  private readonly resourceNames = new Map<string, Set<string> | '*'>();

  constructor(options: PolicyOptions = {}) {
    this.channelList = options.channels ?? [];
    for (const entry of options.resources ?? ['ds', 'fs']) {
      const [type, name, extra] = entry.split(':');
      if (!type || extra !== undefined || !/^[a-z][a-z0-9_]{0,31}$/.test(type) || type === CHANNEL_TYPE || (name !== undefined && !isChannelName(name))) {
        throw new ConfigError(`resource "${entry}" must be <type> or <type>:<name>, type in [a-z0-9_] and not "channel"`);
      }
      const known = this.resourceNames.get(type);
      if (name === undefined || known === '*') this.resourceNames.set(type, '*');
      else this.resourceNames.set(type, new Set([...(known ?? []), name]));
    }
  }

  /** Checks that a channel exists; undefined when it does. */
  checkChannel(name: unknown): Refusal | undefined {
    // Session channels are not streams the allow-list governs: the token's claim decides who may use them.
    if (!isChannelName(name) || (this.channelList.length > 0 && !isSessionChannel(name) && !matchesAny(this.channelList, name))) return unavailable(name);
    return undefined;
  }

  /** Checks that a resource type exists (`channel` always does); undefined when it does. */
  checkType(type: string): Refusal | undefined {
    if (type === CHANNEL_TYPE || this.resourceNames.has(type)) return undefined;
    return { code: RtcErrorCode.UnknownResourceType, info: `unknown resource type ${quote(type, 300)}` };
  }

  /** Checks that a resource (or channel) exists; undefined when it does. */
  checkResource(resource: ResourceRef): Refusal | undefined {
    if (resource.type === CHANNEL_TYPE) return this.checkChannel(resource.name);
    const names = this.resourceNames.get(resource.type);
    if (names === undefined) return this.checkType(resource.type);
    if (!isChannelName(resource.name) || (names !== '*' && !names.has(resource.name))) return unavailable(resource.name);
    return undefined;
  }

  /** True when `who` may subscribe to `resource`. */
  maySubscribe(who: Principal, resource: ResourceRef): boolean {
    if (resource.type === CHANNEL_TYPE && !ownsOrPublic(who.sub, resource.name)) return false;
    if (!who.rights) return true;
    const name = resource.type === CHANNEL_TYPE ? resource.name : `${resource.type}:${resource.name}`;
    return matchesAny(who.rights.subscribe ?? [], name);
  }

  /** True when `who` may publish on `channel`. */
  mayPublish(who: Principal, channel: string): boolean {
    if (!ownsOrPublic(who.sub, channel)) return false;
    // Off by default: messages to one session need a claim that names `session:…` explicitly.
    if (isSessionChannel(channel)) return matchesAny(who.rights?.publish ?? [], channel);
    return !who.rights || matchesAny(who.rights.publish ?? [], channel);
  }
}

/**
 * Why `sub` may not subscribe to or publish on `resource` with `actions`: someone else's private `user:` channel in
 * words a user understands; otherwise (a token whose `rtm` claim does not list it) the text of RTC's own servers,
 * which the official SDK's stories compare verbatim.
 */
export function refusalText(sub: string, resource: ResourceRef, actions: readonly string[]): string {
  const { type, name } = resource;
  if (type === CHANNEL_TYPE && !ownsOrPublic(sub, name)) {
    return `${quote(name, 300)} is the private channel of user ${quote(name.slice(PRIVATE_PREFIX.length))}; this token is for user ${quote(sub, 300)}`;
  }
  return `none of the given actions ${JSON.stringify(actions)} for this resource are allowed`;
}

function unavailable(name: unknown): Refusal {
  return { code: RtcErrorCode.UnknownResourceName, info: `resource ${quote(name, 300)} is unavailable` };
}

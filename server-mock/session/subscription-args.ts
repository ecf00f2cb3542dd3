import { CHANNEL_TYPE, PUBLISHED, RtcErrorCode, isObject, isPublishedAction, isResourceAction, positionOf, quote, asksForExtensions, MAX_EPOCH_LENGTH, compileFilter, type ResourceRef, type StreamPosition, type CompiledFilter } from '../../protocol/index.js';
import type { Policy } from '../auth/policy.js';
import { CommandError } from '../errors.js';

/** What subscribe and unsubscribe ask for. */
export interface SubscriptionRequest {
  resource: ResourceRef;
  /** Normalized: channels always `["published"]`, resources without duplicates. */
  actions: string[];
  /** Extension: the position to replay from. */
  since?: StreamPosition;
  /** The subscription asked for rtm-kit's extensions (see {@link asksForExtensions}); plain RTC ones get RTC's own frames only. */
  extended: boolean;
}

/**
 * Reads and checks the arguments of subscribe/unsubscribe, in the order the
 * errors are documented: shape (4), resource type (1000), actions (1002),
 * resource name (1001).
 */
export function readSubscription(args: unknown, policy: Policy): SubscriptionRequest {
  if (!isObject(args) || !Array.isArray(args.action) || args.action.length === 0 || args.action.length > 8 || !isObject(args.resource)) {
    throw new CommandError(RtcErrorCode.Formatting, 'needs arguments.action (a list of 1 to 8) and arguments.resource {type, name}');
  }
  const { type, name } = args.resource;
  if (typeof type !== 'string' || typeof name !== 'string') throw new CommandError(RtcErrorCode.Formatting, 'resource type and name must be strings');
  const typeRefusal = policy.checkType(type);
  if (typeRefusal) throw CommandError.from(typeRefusal);
  const channel = type === CHANNEL_TYPE;
  const bad = args.action.find((action) => (channel ? !isPublishedAction(action) : action !== 'all' && !isResourceAction(action)));
  if (bad !== undefined) {
    throw new CommandError(RtcErrorCode.UnknownAction, `action ${quote(bad)} is not supported on ${channel ? 'channels; use "published"' : `${type} resources; use created, updated, deleted or all`}`);
  }
  const resource = { type, name };
  const refusal = policy.checkResource(resource);
  if (refusal) throw CommandError.from(refusal);
  const actions = channel ? [PUBLISHED] : [...new Set(args.action as string[])];
  if (args.positions !== undefined && typeof args.positions !== 'boolean') throw new CommandError(RtcErrorCode.Formatting, 'positions must be true or false');
  const extended = asksForExtensions(args);
  return args.since === undefined ? { resource, actions, extended } : { resource, actions, extended, since: readSince(args.since) };
}

function readSince(since: unknown): StreamPosition {
  const position = positionOf(since);
  if (!position) throw new CommandError(RtcErrorCode.Formatting, `since must be {epoch, offset}: the epoch a string of at most ${MAX_EPOCH_LENGTH} characters, the offset a whole number`);
  return position;
}

/** Reads the optional `filter` of a subscribe to `resource`: compiled, or undefined for none. Bad filters are error 4. */
export function readFilter(args: unknown, resource: ResourceRef): CompiledFilter | undefined {
  if (!isObject(args) || args.filter === undefined) return undefined;
  const compiled = compileFilter(args.filter, resource.type === CHANNEL_TYPE);
  if (typeof compiled === 'string') throw new CommandError(RtcErrorCode.Formatting, compiled);
  return compiled;
}

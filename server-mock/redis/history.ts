import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EventData, ResourceRef, StreamPosition } from '../../protocol/index.js';
import type { HistoryStore, Recovery, Retention } from '../streams/history.js';
import { busHeader, busMessageLua } from '../streams/bus-message.js';
import { eventBody, eventFrame, storedEvent, type StoredEvent } from '../streams/event-frame.js';
import type { RedisLink } from './link.js';

/** How long the offset counter and epoch of a stream nobody publishes on outlive its history, in ms. */
const IDLE_STREAM_MS = 24 * 3600 * 1000;

/**
 * Drops the entries of stream KEYS[2] older than `oldest` (ms). Entries are `t <ms> a <action> b <body>` (the event
 * without its position; `f <frame>`, the whole frame, in history written by earlier versions), ids `<offset>-0`.
 */
const TRIM = `
local function trim(stream, oldest)
  while true do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 64)
    if #head == 0 then return end
    for _, entry in ipairs(head) do
      if tonumber(entry[2][2]) > oldest then
        redis.call('XTRIM', stream, 'MINID', entry[1])
        return
      end
    end
    local last = tonumber(string.match(head[#head][1], '^(%d+)'))
    redis.call('XTRIM', stream, 'MINID', (last + 1) .. '-0')
  end
end
local function now()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
-- The stream's epoch, made (with a fresh counter and no history) when Redis does not have it: new, or lost.
local function epoch(meta, stream, candidate, idle)
  local current = redis.call('HGET', meta, 'epoch')
  if not current then
    current = candidate
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', current, 'top', 0)
  end
  redis.call('PEXPIRE', meta, idle)
  return current
end
`;

/**
 * KEYS: meta hash, stream. ARGV: the event's body (see `eventBody`), action, candidate epoch, size, ttl (ms),
 * idle (ms), bus channel, bus header (see `busHeader`). Counter, stream entry and bus message in one atomic
 * step, so offsets grow by one per stream, and every instance hears events in offset order. Returns the offset
 * and epoch given.
 */
const APPEND = `${TRIM}
local current = epoch(KEYS[1], KEYS[2], ARGV[3], ARGV[6])
local top = redis.call('HINCRBY', KEYS[1], 'top', 1)
local size = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
if size > 0 and ttl > 0 then
  local time = now()
  redis.call('XADD', KEYS[2], 'MAXLEN', size, top .. '-0', 't', time, 'a', ARGV[2], 'b', ARGV[1])
  trim(KEYS[2], time - ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('PUBLISH', ARGV[7], ${busMessageLua('top', 'current', 'ARGV[8]', 'ARGV[1]')})
return {top, current}
`;

/**
 * KEYS: meta hash, stream. ARGV: candidate epoch, idle (ms), ttl (ms), epoch asked for, first offset wanted
 * ('' for none). Returns the epoch, the top offset, the oldest offset held, and the entries from the wanted
 * one on when the epoch is the one asked for.
 */
const READ = `${TRIM}
local current = epoch(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 'top'))
local ttl = tonumber(ARGV[3])
if ttl > 0 then trim(KEYS[2], now() - ttl) end
local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local first = top + 1
if #head > 0 then first = tonumber(string.match(head[1][1], '^(%d+)')) end
local entries = {}
if ARGV[5] ~= '' and ARGV[4] == current then entries = redis.call('XRANGE', KEYS[2], ARGV[5] .. '-0', '+') end
return {current, top, first, entries}
`;

type RedisEntry = [id: string, fields: string[]];
type Scripted = Redis & {
  rtmAppend(...args: (string | number)[]): Promise<[number, string]>;
  rtmRead(...args: (string | number)[]): Promise<[string, number, number, RedisEntry[]]>;
};

/** Settings of {@link RedisHistory}. */
export interface RedisHistoryOptions {
  /** The retention of a stream, looked up on every append. */
  retention: (resource: ResourceRef) => Retention;
  /** Prefix of every key and of the bus channel. Default `rtm:`. */
  prefix?: string;
}

/**
 * History and offsets in Redis Streams, shared by every instance. Each stream
 * (channel or resource) has a hash holding its epoch and offset counter, and a
 * Redis stream whose entry IDs are `<offset>-0`, trimmed by count (MAXLEN) and
 * age (MINID). An epoch lives as long as Redis keeps the hash: a Redis that lost
 * its data (restarted without persistence) starts the stream in a new epoch.
 * Every append also publishes the event on the bus channel (see {@link busChannel}).
 */
export class RedisHistory implements HistoryStore {
  private readonly redis: Scripted;
  private readonly prefix: string;

  constructor(
    private readonly link: RedisLink,
    private readonly options: RedisHistoryOptions,
  ) {
    this.prefix = options.prefix ?? 'rtm:';
    link.commands.defineCommand('rtmAppend', { numberOfKeys: 2, lua: APPEND });
    link.commands.defineCommand('rtmRead', { numberOfKeys: 2, lua: READ });
    this.redis = link.commands as Scripted;
  }

  /** The Pub/Sub channel every append is published on. */
  get busChannel(): string {
    return busChannel(this.prefix);
  }

  append(event: EventData): Promise<StoredEvent> {
    const { size, ttl } = this.options.retention(event.resource);
    // The event is serialized here, once: the script stores and publishes it as is, and the frame is made from it.
    const body = eventBody(event);
    return this.link.run(async () => {
      const [offset, epoch] = await this.redis.rtmAppend(...this.keys(event.resource), body, event.action, newEpoch(), size, ttl * 1000, IDLE_STREAM_MS, this.busChannel, busHeader(event));
      return storedEvent(body, event.action, { offset, epoch });
    });
  }

  async position(resource: ResourceRef): Promise<StreamPosition> {
    const [epoch, offset] = await this.read(resource, undefined);
    return { epoch, offset };
  }

  async since(resource: ResourceRef, since: StreamPosition): Promise<Recovery> {
    const [epoch, top, first, entries] = await this.read(resource, since);
    const position = { epoch, offset: top };
    if (since.epoch !== epoch) return { recovered: false, position, reason: 'epoch', info: `the stream's history was lost (Redis lost it, or the stream was idle too long); epoch ${JSON.stringify(since.epoch.slice(0, 40))} is over` };
    if (since.offset > top) return { recovered: false, position, reason: 'epoch', info: `offset ${since.offset} is ahead of the stream (at ${top})` };
    if (since.offset + 1 < first) {
      const { size, ttl } = this.options.retention(resource);
      return { recovered: false, position, reason: 'expired', info: `${first - since.offset - 1} missed event(s) are no longer in history (it keeps the last ${size} for ${ttl} s)` };
    }
    const events = entries.map(([id, fields]) => entryEvent(Number.parseInt(id, 10), epoch, fields));
    return { recovered: true, position, events };
  }

  private read(resource: ResourceRef, since: StreamPosition | undefined): Promise<[string, number, number, RedisEntry[]]> {
    const { ttl } = this.options.retention(resource);
    return this.link.run(() => this.redis.rtmRead(...this.keys(resource), newEpoch(), IDLE_STREAM_MS, ttl * 1000, since?.epoch ?? '', since === undefined ? '' : since.offset + 1));
  }

  /** The hash and stream keys of a resource; the `{}` hash tag keeps both in one Redis Cluster slot. */
  private keys(resource: ResourceRef): [string, string] {
    const tag = `{${resource.type}:${resource.name}}`;
    return [`${this.prefix}m:${tag}`, `${this.prefix}s:${tag}`];
  }
}

/** The Pub/Sub channel of the event bus under `prefix`. */
export function busChannel(prefix: string): string {
  return `${prefix}bus`;
}

/** The event of a stream entry (fields `t`, `a` and `b`, or `f` in history written by earlier versions). */
function entryEvent(offset: number, epoch: string, fields: string[]): StoredEvent {
  const field = (name: string): string | undefined => {
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  const action = field('a') ?? '';
  const body = field('b');
  return { offset, epoch, action, frame: body === undefined ? (field('f') ?? '') : eventFrame(body, { offset, epoch }) };
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

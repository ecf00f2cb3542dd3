import { bad, checkWait, whenAborted, type AbortSignalLike } from './arguments.js';
import { RtmError, shown } from './errors.js';
import { createOutbox } from './outbox.js';
import { echoedCommand, isObject, type CommandData, type CommandMessage, type CommandResponseData, type Json } from '../protocol/index.js';
import type { Settings } from './options.js';
import type { Timers } from './timers.js';

export type { AbortSignalLike };

/** Per-call options of a request. */
export interface RequestOptions {
  /** Milliseconds to wait for the response once sent. Default: the client's `requestTimeout` (5000). */
  timeout?: number;
  /** Gives up on the request: it rejects with `aborted` and, if still queued, is never sent. */
  signal?: AbortSignalLike;
  /**
   * Correlation ID to send, any JSON value; must not be in use. By default the
   * client numbers its requests after a random prefix, so IDs are unique across
   * clients and page loads: the server de-duplicates publishes by their sender
   * and correlation ID, so a reused ID with the same content is not published again.
   */
  id?: Json;
}

interface Pending {
  key: string;
  /** The command as errors show it: a `jwt replace` without its token. */
  data: CommandData;
  /** The command's frame, serialized once when issued so that bad arguments fail at the call. */
  frame: string;
  timeout: number;
  sent: boolean;
  /** Sent again after a lost link instead of failing: a publish, which the server de-duplicates by correlation ID. */
  retry: boolean;
  resolve: (response: Json) => void;
  reject: (error: RtmError) => void;
  /** When it times out (`Date.now()` ms): the response timeout while sent, the `queueTimeout` while queued. */
  deadline: number;
  /** Releases the abort listener. */
  release: () => void;
}

/**
 * Settings of {@link createRequests}, as the client's options name them: `maxQueued` (0 fails fast),
 * `requestTimeout` (the default response timeout), `queueTimeout` (most ms a command waits in the outbox before it
 * rejects with `timeout` unsent) and `maxPayload` (larger commands reject with `too_large` at the call).
 */
export type RequestsOptions = Pick<Settings, 'maxQueued' | 'requestTimeout' | 'queueTimeout' | 'maxPayload'>;

/**
 * A key that is equal for equal JSON values whatever their key order, so
 * responses match their requests even if the server reorders an object ID.
 */
export function correlationKey(id: Json): string {
  // A string or number (every generated ID) needs no replacer, which would slow each publish and each response.
  if (typeof id !== 'object' || id === null) return JSON.stringify(id);
  return JSON.stringify(id, (_, value: unknown) =>
    isObject(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value,
  );
}

/**
 * Throws a RangeError naming what JSON would silently change: NaN and ±Infinity (sent as null), functions and symbols
 * (dropped), undefined in an array (sent as null). An undefined property is left out, as optional fields are. A walk of
 * its own, run after JSON.stringify accepted the value (so no cycle, no BigInt), rather than a replacer: a replacer
 * calls back from JSON.stringify into JS for every key of every publish, and costs it its fast path.
 */
function refuseLossy(value: unknown, key: string | number, inArray?: boolean): void {
  // As JSON.stringify does: a Date (or anything with toJSON) is checked as what it turns into.
  if (typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function') value = (value as { toJSON(key: string): unknown }).toJSON(`${key}`);
  const gone = typeof value === 'function' || typeof value === 'symbol' || (value === undefined && inArray);
  if (gone || (typeof value === 'number' && !Number.isFinite(value))) throw new RangeError(`${shown(value)} at ${JSON.stringify(`${key}`)}`);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) refuseLossy(value[i], i, true);
  else if (isObject(value)) for (const name of Object.keys(value)) refuseLossy(value[name], name);
}

/** Bytes of `text` in UTF-8, counted only when the UTF-16 length alone cannot settle that it fits. */
function fits(text: string, max: number): number | undefined {
  if (text.length * 3 <= max) return undefined;
  const bytes = new TextEncoder().encode(text).length;
  return bytes > max ? bytes : undefined;
}

/**
 * A command as errors and logs may show it: a `jwt replace` loses its token,
 * because apps log errors (and their `cause`) to places a token must not reach.
 */
export function shownRequest(request: Json | undefined): Json | undefined {
  return isObject(request) && request.command === 'jwt replace' ? { ...request, arguments: '[redacted]' } : request;
}

/** A random prefix for generated correlation IDs (getRandomValues, unlike randomUUID, works in insecure contexts; Node has it from 19). */
function idPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `${Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('')}-`;
}

/** The requests of one client (see {@link createRequests}). */
export interface Requests {
  /**
   * Sends `command` and resolves with the server's `response`, or rejects with
   * an {@link RtmError}. With `queue` false, a command that cannot be sent now
   * rejects with `disconnected` instead of waiting.
   */
  request(command: string, args: unknown, options?: RequestOptions, queue?: boolean): Promise<Json>;
  /** Sends every queued command, oldest first. Call when the link opens. */
  flush(): void;
  /** Settles the command a response belongs to. Returns false if none matched. */
  settle(data: CommandResponseData): boolean;
  /**
   * The link dropped, and with it the responses to what was sent. Sent
   * publishes go back to the front of the outbox, in order, to be sent again
   * with the same correlation ID (the server acknowledges a repeat without
   * publishing it twice); other sent commands reject with `error`. Queued ones stay.
   */
  linkLost(error: RtmError): void;
  /** Rejects every command, sent or queued, and every later one, with `error`. */
  close(error: RtmError): void;
  /** Commands not yet settled, sent or queued. */
  pending: ReadonlyMap<string, unknown>;
  /** Number of commands waiting in the outbox. */
  queued(): number;
}

/**
 * Commands in flight, matched to their responses by correlation ID. A command
 * issued while the link is down waits in the bounded outbox, at most
 * `queueTimeout`, and is sent in order once it is up; its response timeout
 * starts when it is actually sent. A publish
 * whose link drops before its response goes back to the outbox and is sent
 * again, with the same ID, on the next link. Every entry is removed, with its
 * abort listener, as it settles. All deadlines share one timer, armed for the
 * earliest: a command costs a map entry, not a platform timer.
 * @param send Sends a command's frame; returns false when the link is not open.
 */
export function createRequests({ maxQueued, requestTimeout, queueTimeout, maxPayload }: RequestsOptions, timers: Timers, send: (frame: string) => boolean): Requests {
  const pending = new Map<string, Pending>();
  const outbox = createOutbox<Pending>(maxQueued);
  const prefix = idPrefix();
  let nextId = 1;
  let closed: RtmError | undefined;
  /** The deadline the one timer is armed for (Infinity: none armed), and the function that cancels it. */
  let armedFor = Infinity;
  let disarm: (() => void) | undefined;

  /** Sets `entry`'s deadline `ms` from now; the one timer moves earlier if this deadline comes first. */
  const due = (entry: Pending, ms: number): void => {
    const deadline = (entry.deadline = Date.now() + ms);
    if (deadline < armedFor) arm(deadline);
  };
  const arm = (deadline: number): void => {
    disarm?.();
    armedFor = deadline;
    disarm = timers.set(sweep, deadline - Date.now());
  };
  /** Fails every entry past its deadline, earliest deadline first, and arms the timer for the next one, if any. */
  const sweep = (): void => {
    armedFor = Infinity;
    disarm = undefined;
    const now = Date.now();
    const due: Pending[] = [];
    let next = Infinity;
    for (const entry of pending.values()) {
      if (entry.deadline <= now) due.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    // A timer that fired late (a busy or sleeping machine) finds several due: they fail in the order they fell due.
    for (const entry of due.sort((a, b) => a.deadline - b.deadline)) {
      const { command } = entry.data;
      fail(entry, new RtmError('timeout', entry.sent ? `no response to ${command} within ${entry.timeout} ms` : `${command} not sent: no connection within ${queueTimeout} ms (queueTimeout)`, entry.data));
    }
    if (next < armedFor) arm(next);
  };
  const transmit = (entry: Pending): boolean => {
    if (!send(entry.frame)) return false;
    entry.sent = true;
    due(entry, entry.timeout);
    return true;
  };
  const fail = (entry: Pending, error: RtmError): void => {
    if (pending.get(entry.key) !== entry) return;
    remove(entry);
    entry.reject(error);
  };
  const remove = (entry: Pending): void => {
    pending.delete(entry.key);
    outbox.remove(entry);
    entry.release();
    // The timer stays armed when the map empties: at a steady publish rate it often empties between two publishes, and
    // clearing it would cost a platform timer per publish. When it fires, sweep() finds nothing due and arms no other,
    // so an idle client holds none once the last deadline has passed (and close() releases it at once).
  };
  const failAll = (error: RtmError, sentOnly?: boolean): void => {
    const again: Pending[] = [];
    // Over a copy of the values: failing an entry deletes it from the map.
    for (const entry of Array.from(pending.values())) {
      if (sentOnly && !entry.sent) continue;
      if (sentOnly && entry.retry) {
        entry.sent = false;
        again.push(entry);
        // Its `queueTimeout` starts again: it waits in the outbox, then rejects unsent with `timeout`.
        due(entry, queueTimeout);
      } else fail(entry, error);
    }
    outbox.requeue(again);
  };

  return {
    pending,
    queued: () => outbox.size(),
    request: (command, args, options = {}, queue = true) =>
      new Promise<Json>((resolve, reject) => {
        // What throws here (an argument at fault) rejects the call.
        if (closed) throw closed;
        if (typeof command !== 'string' || !command) bad('command', 'a non-empty string', command);
        checkWait(options, ['timeout', 'signal', 'id'], 'request option');
        const { id: given, signal, timeout = requestTimeout } = options;
        let id = given;
        if (id === undefined) {
          do id = `${prefix}${nextId++}`;
          while (pending.has(correlationKey(id)));
        }
        const raw: CommandData = { command, correlation_id: id };
        if (args !== undefined) raw.arguments = args as Json;
        let key = '';
        let frame = '';
        try {
          key = correlationKey(id);
        } catch {
          bad('id', 'a JSON value', id);
        }
        try {
          // Refused here, before it can sit in the outbox and throw on every flush.
          frame = JSON.stringify({ type: 'command', data: raw } satisfies CommandMessage);
          refuseLossy(raw, 'data');
        } catch (error) {
          throw new RtmError('bad_argument', `${command} arguments are not JSON: ${error instanceof RangeError ? error.message : 'a BigInt or a cycle'}`);
        }
        const data = shownRequest(raw) as CommandData;
        const bytes = fits(frame, maxPayload);
        if (bytes) throw new RtmError('too_large', `${command} is ${bytes} bytes; maxPayload is ${maxPayload}`, data);
        if (pending.has(key)) throw new RtmError('bad_argument', `correlation id ${key} is already in use`, data);
        const release = whenAborted(signal, command, data, (error) => fail(entry, error));
        const entry: Pending = {
          key,
          data,
          frame,
          timeout,
          sent: false,
          retry: command === 'publish' && queue && maxQueued > 0,
          resolve,
          reject,
          deadline: Infinity,
          release,
        };
        pending.set(key, entry);
        if (transmit(entry)) return;
        // Its `queueTimeout` starts: it waits in the outbox, then rejects unsent with `timeout`.
        if (queue && outbox.add(entry)) return due(entry, queueTimeout);
        fail(
          entry,
          queue && maxQueued > 0
            ? new RtmError('outbox_full', `outbox holds maxQueued (${maxQueued})`, data)
            : new RtmError('disconnected', `not connected: ${command} was not sent`, data),
        );
      }),
    flush() {
      // Whatever cannot be sent (the link went down again) goes back, still in order, however full the outbox is.
      const entries = outbox.drain();
      let sent = 0;
      while (sent < entries.length && transmit(entries[sent]!)) sent++;
      outbox.requeue(entries.slice(sent));
    },
    settle(data) {
      const id = echoedCommand(data.request)?.correlation_id;
      const entry = id === undefined ? undefined : pending.get(correlationKey(id));
      if (!entry?.sent) return false;
      if (data.error) fail(entry, new RtmError(data.error.code, data.error.info, entry.data));
      else {
        remove(entry);
        entry.resolve(data.response ?? null);
      }
      return true;
    },
    linkLost: (error) => failAll(error, true),
    close(error) {
      closed = error;
      failAll(error);
    },
  };
}

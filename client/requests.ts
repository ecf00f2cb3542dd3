import { checkWait, type AbortSignalLike } from './arguments.js';
import { RtmError, shown } from './errors.js';
import { Outbox } from './outbox.js';
import { echoedCommand, isObject, type CommandData, type CommandMessage, type CommandResponseData, type Json } from '../protocol/index.js';
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

/** Settings of {@link Requests}. */
export interface RequestsOptions {
  /** Sends a command's frame; returns false when the link is not open. */
  send: (frame: string) => boolean;
  /** Most commands that may wait for the link (the outbox). 0 fails fast. */
  maxQueued: number;
  /** Default response timeout in ms. */
  timeout: number;
  /** Most ms a command may wait in the outbox before it rejects with `timeout` unsent; Infinity waits for ever. */
  queueTimeout: number;
  /** Largest frame in bytes; larger commands reject with `too_large` at the call. */
  maxPayload: number;
  timers: Timers;
}

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
 * JSON.stringify's replacer that refuses what JSON would silently change: NaN and ±Infinity (sent as null),
 * functions and symbols (dropped), undefined in an array (sent as null). An undefined property is left out, as
 * optional fields are.
 */
function strict(this: unknown, key: string, value: unknown): unknown {
  const gone = typeof value === 'function' || typeof value === 'symbol' || (value === undefined && Array.isArray(this));
  if (gone || (typeof value === 'number' && !Number.isFinite(value))) throw new RangeError(`${shown(value)} at ${JSON.stringify(key)}`);
  return value;
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

/**
 * Commands in flight, matched to their responses by correlation ID. A command
 * issued while the link is down waits in the bounded outbox, at most
 * `queueTimeout`, and is sent in order once it is up; its response timeout
 * starts when it is actually sent. A publish
 * whose link drops before its response goes back to the outbox and is sent
 * again, with the same ID, on the next link. Every entry is removed, with its
 * abort listener, as it settles. All deadlines share one timer, armed for the
 * earliest: a command costs a map entry, not a platform timer.
 */
export class Requests {
  private readonly pending = new Map<string, Pending>();
  private readonly outbox: Outbox<Pending>;
  private readonly prefix = idPrefix();
  private nextId = 1;
  private closed: RtmError | undefined;
  /** The deadline the one timer is armed for (Infinity: none armed), and the function that cancels it. */
  private armedFor = Infinity;
  private disarm: (() => void) | undefined;

  constructor(private readonly options: RequestsOptions) {
    this.outbox = new Outbox(options.maxQueued);
  }

  /** Number of commands not yet settled, sent or queued. */
  get size(): number {
    return this.pending.size;
  }

  /** Number of commands waiting in the outbox. */
  get queued(): number {
    return this.outbox.size;
  }

  /**
   * Sends `command` and resolves with the server's `response`, or rejects with
   * an {@link RtmError}. With `queue` false, a command that cannot be sent now
   * rejects with `disconnected` instead of waiting.
   */
  request(command: string, args: unknown, options: RequestOptions = {}, queue = true): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      const bad = (info: string, request?: Json): void => reject(new RtmError('bad_argument', info, request));
      if (typeof command !== 'string' || !command) return bad(`command must be a non-empty string (got ${shown(command)})`);
      try {
        checkWait(options, ['timeout', 'signal', 'id'], 'request option');
      } catch (error) {
        return reject(error);
      }
      const { id: given, signal, timeout = this.options.timeout } = options;
      let id = given;
      if (id === undefined) {
        do id = `${this.prefix}${this.nextId++}`;
        while (this.pending.has(correlationKey(id)));
      }
      const raw: CommandData = { command, correlation_id: id };
      if (args !== undefined) raw.arguments = args as Json;
      let key: string;
      let frame: string;
      try {
        key = correlationKey(id);
      } catch {
        return bad(`id must be a JSON value (got ${shown(id)})`);
      }
      try {
        // Refused here, before it can sit in the outbox and throw on every flush.
        frame = JSON.stringify({ type: 'command', data: raw } satisfies CommandMessage, strict);
      } catch (error) {
        return bad(`${command} arguments are not JSON: ${error instanceof RangeError ? error.message : 'a BigInt or a cycle'}`);
      }
      const data = shownRequest(raw) as CommandData;
      const bytes = fits(frame, this.options.maxPayload);
      if (bytes) return reject(new RtmError('too_large', `${command} is ${bytes} bytes; maxPayload is ${this.options.maxPayload}`, data));
      if (this.pending.has(key)) return bad(`correlation id ${key} is already in use`, data);
      if (signal?.aborted) return reject(new RtmError('aborted', `${command} was aborted`, data, { cause: signal.reason }));
      const onAbort = (): void => this.fail(entry, new RtmError('aborted', `${command} was aborted`, data, { cause: signal!.reason }));
      signal?.addEventListener('abort', onAbort);
      const entry: Pending = {
        key,
        data,
        frame,
        timeout,
        sent: false,
        retry: command === 'publish' && queue && this.options.maxQueued > 0,
        resolve,
        reject,
        deadline: Infinity,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(key, entry);
      if (this.transmit(entry)) return;
      if (queue && this.outbox.add(entry)) return this.wait(entry);
      this.fail(
        entry,
        queue && this.options.maxQueued > 0
          ? new RtmError('outbox_full', `${this.options.maxQueued} commands are already waiting for the connection`, data)
          : new RtmError('disconnected', `not connected: ${command} was not sent`, data),
      );
    });
  }

  /** Sends every queued command, oldest first. Call when the link opens. */
  flush(): void {
    // Whatever cannot be sent (the link went down again) goes back, still in order, however full the outbox is.
    const entries = this.outbox.drain();
    let sent = 0;
    while (sent < entries.length && this.transmit(entries[sent]!)) sent++;
    this.outbox.requeue(entries.slice(sent));
  }

  /** Settles the command a response belongs to. Returns false if none matched. */
  settle(data: CommandResponseData): boolean {
    const id = echoedCommand(data.request)?.correlation_id;
    const entry = id === undefined ? undefined : this.pending.get(correlationKey(id));
    if (!entry?.sent) return false;
    if (data.error) this.fail(entry, new RtmError(data.error.code, data.error.info, entry.data));
    else {
      this.remove(entry);
      entry.resolve(data.response ?? null);
    }
    return true;
  }

  /**
   * The link dropped, and with it the responses to what was sent. Sent
   * publishes go back to the front of the outbox, in order, to be sent again
   * with the same correlation ID (the server acknowledges a repeat without
   * publishing it twice); other sent commands reject with `error`. Queued ones stay.
   */
  linkLost(error: RtmError): void {
    const again: Pending[] = [];
    for (const entry of [...this.pending.values()]) {
      if (!entry.sent) continue;
      if (!entry.retry) {
        this.fail(entry, error);
        continue;
      }
      entry.sent = false;
      again.push(entry);
      this.wait(entry);
    }
    this.outbox.requeue(again);
  }

  /** Rejects every command, sent or queued, and every later one, with `error`. */
  close(error: RtmError): void {
    this.closed = error;
    for (const entry of [...this.pending.values()]) this.fail(entry, error);
  }

  /** Number of commands sent and not yet answered. */
  get inFlight(): number {
    return this.size - this.outbox.size;
  }

  /** Starts the `queueTimeout` of an entry that now waits in the outbox: it then rejects, unsent, with `timeout`. */
  private wait(entry: Pending): void {
    this.due(entry, this.options.queueTimeout);
  }

  private transmit(entry: Pending): boolean {
    if (!this.options.send(entry.frame)) return false;
    entry.sent = true;
    this.due(entry, entry.timeout);
    return true;
  }

  /** Sets `entry`'s deadline `ms` from now; the one timer moves earlier if this deadline comes first. */
  private due(entry: Pending, ms: number): void {
    const deadline = (entry.deadline = Date.now() + ms);
    if (deadline < this.armedFor) this.arm(deadline);
  }

  private arm(deadline: number): void {
    this.disarm?.();
    this.armedFor = deadline;
    this.disarm = this.options.timers.set(() => this.sweep(), deadline - Date.now());
  }

  /** Fails every entry past its deadline, earliest deadline first, and arms the timer for the next one, if any. */
  private sweep(): void {
    this.armedFor = Infinity;
    this.disarm = undefined;
    const now = Date.now();
    // A timer that fired late (a busy or sleeping machine) finds several due: they fail in the order they fell due.
    const due = [...this.pending.values()].filter((entry) => entry.deadline <= now).sort((a, b) => a.deadline - b.deadline);
    for (const entry of due) {
      const { command } = entry.data;
      const { queueTimeout } = this.options;
      this.fail(entry, new RtmError('timeout', entry.sent ? `no response to ${command} within ${entry.timeout} ms` : `${command} not sent: no connection within ${queueTimeout} ms (queueTimeout)`, entry.data));
    }
    let next = Infinity;
    for (const entry of this.pending.values()) if (entry.deadline < next) next = entry.deadline;
    if (next < this.armedFor) this.arm(next);
  }

  private fail(entry: Pending, error: RtmError): void {
    if (this.pending.get(entry.key) !== entry) return;
    this.remove(entry);
    entry.reject(error);
  }

  private remove(entry: Pending): void {
    this.pending.delete(entry.key);
    this.outbox.remove(entry);
    entry.release();
    // Nothing left to time out: the timer goes too, so an idle client holds none.
    if (this.pending.size === 0 && this.disarm) {
      this.disarm();
      this.disarm = undefined;
      this.armedFor = Infinity;
    }
  }
}

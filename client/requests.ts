import { RtmError } from './errors.js';
import { Outbox } from './outbox.js';
import { isObject, type CommandData, type CommandMessage, type CommandResponseData, type Json } from './protocol.js';
import type { Timers } from './timers.js';

/** The part of `AbortSignal` used here, so the client needs no DOM types. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Per-call options of a request. */
export interface RequestOptions {
  /** Milliseconds to wait for the response once sent. Default: the client's `requestTimeout` (5000). */
  timeout?: number;
  /** Gives up on the request: it rejects with `aborted` and, if still queued, is never sent. */
  signal?: AbortSignalLike;
  /** Correlation ID to send, any JSON value; by default the client numbers its requests. Must not be in use. */
  id?: Json;
}

interface Pending {
  key: string;
  message: CommandMessage;
  timeout: number;
  sent: boolean;
  resolve: (response: Json) => void;
  reject: (error: RtmError) => void;
  /** Releases the timer and the abort listener. */
  release: () => void;
}

/** Settings of {@link Requests}. */
export interface RequestsOptions {
  /** Sends a command; returns false when the link is not open. */
  send: (message: CommandMessage) => boolean;
  /** Most commands that may wait for the link (the outbox). 0 fails fast. */
  maxQueued: number;
  /** Default response timeout in ms. */
  timeout: number;
  timers: Timers;
}

/**
 * A key that is equal for equal JSON values whatever their key order, so
 * responses match their requests even if the server reorders an object ID.
 */
export function correlationKey(id: Json): string {
  return JSON.stringify(id, (_, value: unknown) =>
    isObject(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value,
  );
}

/**
 * Commands in flight, matched to their responses by correlation ID. A command
 * issued while the link is down waits in the bounded outbox and is sent in
 * order once it is up; its timeout starts when it is actually sent. Every
 * entry is removed, with its timer and abort listener, as it settles.
 */
export class Requests {
  private readonly pending = new Map<string, Pending>();
  private readonly outbox: Outbox<Pending>;
  private nextId = 1;
  private closed: RtmError | undefined;

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
  request(command: string, args: Json | undefined, options: RequestOptions = {}, queue = true): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      let id = options.id;
      if (id === undefined) {
        do id = this.nextId++;
        while (this.pending.has(correlationKey(id)));
      }
      const key = correlationKey(id);
      const data: CommandData = { command, correlation_id: id };
      if (args !== undefined) data.arguments = args;
      if (this.pending.has(key)) return reject(new RtmError('bad_argument', `correlation id ${key} is already in use`, data));
      const { signal } = options;
      if (signal?.aborted) return reject(new RtmError('aborted', `${command} was aborted`, data, { cause: signal.reason }));
      const onAbort = (): void => this.fail(entry, new RtmError('aborted', `${command} was aborted`, data, { cause: signal!.reason }));
      signal?.addEventListener('abort', onAbort);
      const entry: Pending = {
        key,
        message: { type: 'command', data },
        timeout: options.timeout ?? this.options.timeout,
        sent: false,
        resolve,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(key, entry);
      if (this.transmit(entry)) return;
      if (queue && this.outbox.add(entry)) return;
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
    // Whatever cannot be sent (the link went down again) goes back, still in order.
    for (const entry of this.outbox.drain()) this.transmit(entry) || this.outbox.add(entry);
  }

  /** Settles the command a response belongs to. Returns false if none matched. */
  settle(data: CommandResponseData): boolean {
    const id = isObject(data.request) ? data.request.correlation_id : undefined;
    const entry = id === undefined ? undefined : this.pending.get(correlationKey(id));
    if (!entry?.sent) return false;
    if (data.error) this.fail(entry, new RtmError(data.error.code, data.error.info, data.request));
    else {
      this.remove(entry);
      entry.resolve(data.response ?? null);
    }
    return true;
  }

  /** Rejects commands that were sent but not answered: their responses are lost with the link. Queued ones stay. */
  failSent(error: RtmError): void {
    for (const entry of [...this.pending.values()]) if (entry.sent) this.fail(entry, error);
  }

  /** Rejects every command, sent or queued, and every later one, with `error`. */
  close(error: RtmError): void {
    this.closed = error;
    for (const entry of [...this.pending.values()]) this.fail(entry, error);
  }

  private transmit(entry: Pending): boolean {
    if (!this.options.send(entry.message)) return false;
    entry.sent = true;
    const cancel = this.options.timers.set(() => {
      const { command } = entry.message.data;
      this.fail(entry, new RtmError('timeout', `no response to ${command} within ${entry.timeout} ms`, entry.message.data));
    }, entry.timeout);
    const release = entry.release;
    entry.release = () => {
      cancel();
      release();
    };
    return true;
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
  }
}

import { RtmError } from './errors.js';
import { isObject, type CommandData, type CommandMessage, type CommandResponseData, type Json } from './protocol.js';

/** Per-call options of a request. */
export interface RequestOptions {
  /** Milliseconds to wait for the response once sent. Default 5000. */
  timeout?: number;
}

interface Pending {
  message: CommandMessage;
  sent: boolean;
  queued: boolean;
  timeout: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (response: Json) => void;
  reject: (error: RtmError) => void;
}

/** Settings of {@link Requests}. */
export interface RequestsOptions {
  /** Sends a command; returns false when the link is not open. */
  send: (message: CommandMessage) => boolean;
  /** Most commands that may wait for the link. Default 1000; 0 fails fast. */
  maxQueued?: number;
  /** Default response timeout in ms. */
  timeout?: number;
}

/**
 * Commands in flight, matched to their responses by correlation ID. A command
 * issued while the link is down waits (bounded) and is sent in order once it
 * is up; its timeout starts when it is actually sent.
 */
export class Requests {
  private readonly pending = new Map<string, Pending>();
  private waiting = 0;
  private nextId = 1;

  constructor(private readonly options: RequestsOptions) {}

  /** Number of commands not yet settled. */
  get size(): number {
    return this.pending.size;
  }

  /** Sends `command` and resolves with the server's `response`, or rejects with an {@link RtmError}. */
  request(command: string, args: Json | undefined, options: RequestOptions = {}): Promise<Json> {
    const id = this.nextId++;
    const data: CommandData = { command, correlation_id: id };
    if (args !== undefined) data.arguments = args;
    const message: CommandMessage = { type: 'command', data };
    const timeout = options.timeout ?? this.options.timeout ?? 5_000;
    return new Promise<Json>((resolve, reject) => {
      const entry: Pending = { message, sent: false, queued: false, timeout, timer: undefined, resolve, reject };
      const key = String(id);
      this.pending.set(key, entry);
      if (this.transmit(key, entry)) return;
      const maxQueued = this.options.maxQueued ?? 1_000;
      if (this.waiting < maxQueued) {
        entry.queued = true;
        this.waiting++;
      } else {
        this.pending.delete(key);
        reject(new RtmError('outbox_full', `${maxQueued} commands are already waiting for the connection`, data));
      }
    });
  }

  /** Sends every waiting command, oldest first. Call when the link opens. */
  flush(): void {
    for (const [key, entry] of this.pending) {
      if (!entry.sent && !this.transmit(key, entry)) return;
    }
  }

  /** Settles the command a response belongs to. Returns false if none matched. */
  settle(data: CommandResponseData): boolean {
    const id = isObject(data.request) ? data.request.correlation_id : undefined;
    const key = typeof id === 'number' ? String(id) : undefined;
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (!entry || key === undefined) return false;
    this.finish(key, entry);
    if (data.error) entry.reject(new RtmError(data.error.code, data.error.info, data.request));
    else entry.resolve(data.response ?? null);
    return true;
  }

  /** Rejects commands that were sent but not answered: their responses are lost with the link. */
  failSent(error: RtmError): void {
    for (const [key, entry] of this.pending) {
      if (!entry.sent) continue;
      this.finish(key, entry);
      entry.reject(error);
    }
  }

  /** Rejects every command, sent or waiting. */
  failAll(error: RtmError): void {
    for (const [key, entry] of this.pending) {
      this.finish(key, entry);
      entry.reject(error);
    }
  }

  private transmit(key: string, entry: Pending): boolean {
    if (!this.options.send(entry.message)) return false;
    this.unqueue(entry);
    entry.sent = true;
    entry.timer = setTimeout(() => {
      this.finish(key, entry);
      entry.reject(new RtmError('timeout', `no response to ${entry.message.data.command} within ${entry.timeout} ms`, entry.message.data));
    }, entry.timeout);
    return true;
  }

  private unqueue(entry: Pending): void {
    if (!entry.queued) return;
    entry.queued = false;
    this.waiting--;
  }

  private finish(key: string, entry: Pending): void {
    this.unqueue(entry);
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }
}

import { randomBytes } from 'node:crypto';
import { CHANNEL_TYPE, PUBLISHED, type Json } from '../../protocol/index.js';
import { SESSION_PREFIX } from '../auth/channels.js';
import type { InstanceRouter } from '../transport/instance-router.js';

/** What the directory needs of a session. */
export interface Addressable {
  readonly id: string;
  /** Sends a frame addressed to this session alone. */
  direct(frame: string): void;
}

/**
 * The frame of a message addressed to one session: an ordinary channel event
 * on `session:<id>`, so any RTC client can read it. It has no offset: such
 * messages are not kept in history and are not recovered after a reconnect.
 */
export function directFrame(id: string, eventName: string | null, payload: Json, modifier: string, now: number): string {
  return JSON.stringify({
    type: 'event',
    data: { action: PUBLISHED, resource: { type: CHANNEL_TYPE, name: `${SESSION_PREFIX}${id}` }, modifier: { id: modifier }, timestamp: new Date(now).toISOString(), data: { eventName, payload } },
  });
}

/**
 * Every live session of this instance by its public id, which is
 * `<instance id>.<random>`: a message for a session of another instance is
 * routed there (through Redis), so any instance can deliver it.
 */
export class SessionDirectory {
  private readonly sessions = new Map<string, Addressable>();

  constructor(private readonly router: InstanceRouter) {
    router.handle('direct', (body) => {
      const { id, frame } = body as { id: string; frame: string };
      return this.deliverHere(id, frame);
    });
  }

  /** A new unguessable session id of this instance (144 random bits). */
  newId(): string {
    return `${this.router.id}.${randomBytes(18).toString('base64url')}`;
  }

  add(session: Addressable): void {
    this.sessions.set(session.id, session);
  }

  remove(session: Addressable): void {
    this.sessions.delete(session.id);
  }

  /** Delivers `frame` to session `id` wherever it is; resolves with false when no such session exists. */
  async deliver(id: string, frame: string): Promise<boolean> {
    const instance = this.router.instanceOf(id);
    if (!instance) return false;
    return (await this.router.ask(instance, 'direct', { id, frame })) === true;
  }

  private deliverHere(id: string, frame: string): boolean {
    const session = this.sessions.get(id);
    session?.direct(frame);
    return session !== undefined;
  }
}

import { createClient, type RtmClient } from '../client.js';
import type { RtmError } from '../errors.js';
import { isObject, positionOf, type Filter, type CommandData, type EventAction, type Json, type ResourceRef, type StreamPosition } from '../../protocol/index.js';
import { correlationKey } from '../requests.js';
import { HostTokens } from './host-tokens.js';
import { ResumableSubscriptions } from './resumable-subscriptions.js';
import { readSocketUrl } from './link-key.js';
import { LINK_LOST, type HostMessage, type SharedClientSettings, type TabMessage } from './messages.js';

/** How long a shared connection without any tab's client stays open. */
const IDLE_CLOSE_MS = 2_000;
/** How long the host waits for a tab's token function before it asks another tab. */
const MINT_TIMEOUT_MS = 10_000;
/** How long a relayed command may wait on the shared connection; the tab's own timeout is usually the shorter one. */
const RELAY_TIMEOUT_MS = 60_000;

/** One virtual socket: a tab's client, as the host sees it. */
interface Conn {
  tab: string;
  conn: number;
  opened: boolean;
  /** Subscriptions by resource: the server holds one action set per resource and connection, and so does the host. */
  subscriptions: Map<string, () => void>;
}

/** A pending `mint`: asked of `tab`, settled by its answer, or asked of the next tab if it goes away or takes too long. */
interface Mint {
  tab: string;
  resolve: (token: string) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The shared connection of one user on one server, and the tabs' sockets on it. */
class Session {
  readonly client: RtmClient;
  readonly tokens: HostTokens;
  private subscriptions: ResumableSubscriptions | undefined;
  readonly conns = new Map<string, Conn>();
  /** Publishes relayed and not yet answered, by correlation ID: a tab that sends one again (after a drop) joins it. */
  private readonly relayed = new Map<string, Promise<Json>>();
  /** Armed while no socket is open on this session: a tab's client between two attempts must not cost a new connection. */
  idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly key: string,
    url: string,
    settings: SharedClientSettings,
    private readonly host: LinkHost,
  ) {
    this.tokens = new HostTokens(() => host.mint(this));
    this.client = createClient({ ...settings, url, token: () => this.tokens.upstream() }, (deps) => (this.subscriptions = new ResumableSubscriptions(deps)));
    this.client.on('state', ({ state, reason }) => {
      if (state === 'open') for (const conn of this.conns.values()) this.open(conn);
      else if (state === 'reconnecting') this.dropAll(LINK_LOST, `shared connection lost (${reason})`);
      else if (state === 'closed') host.ended(this, reason);
    });
    // What the server tells the connection (e.g. that the token expires soon), every tab's client hears.
    this.client.on('notification', (notification) => {
      for (const conn of this.conns.values()) this.send(conn, { type: 'notification', data: notification as unknown as Json });
    });
  }

  open(conn: Conn): void {
    if (conn.opened || this.client.state !== 'open') return;
    conn.opened = true;
    this.host.post(conn.tab, { t: 'opened', conn: conn.conn });
  }

  /** Closes every socket, as a server going away would; the tabs' clients reconnect (and resubscribe with their positions). */
  dropAll(code: number, reason: string): void {
    for (const [id, conn] of this.conns) {
      if (!conn.opened) continue;
      this.release(conn);
      this.conns.delete(id);
      this.host.post(conn.tab, { t: 'closed', conn: conn.conn, code, reason });
    }
  }

  release(conn: Conn): void {
    for (const off of conn.subscriptions.values()) off();
    conn.subscriptions.clear();
  }

  /** Answers one RTC command of a tab's client: pings and token replacements here, subscriptions by listening on the shared client, the rest relayed. */
  command(conn: Conn, data: CommandData): void {
    const args = isObject(data.arguments) ? data.arguments : {};
    // The request is echoed as the protocol says: the whole command message.
    const request = { type: 'command', data } as Json;
    const reply = (response: Json): void => this.send(conn, { type: 'command response', data: { request, response } });
    const refuse = (error: RtmError): void => {
      // Refusals the server would give have numeric codes. The client's own (disconnected, closed, timeout) mean the
      // shared link dropped or stalled: no answer, the tab's client treats it as the lost link it is.
      if (typeof error.code === 'number') this.send(conn, { type: 'command response', data: { request, error: { code: error.code, info: error.info } } });
    };
    switch (data.command) {
      case 'ping':
        return reply({ pong: true });
      case 'jwt replace':
        if (typeof args.token === 'string') this.tokens.offer(args.token);
        return reply({});
      case 'subscribe':
      case 'unsubscribe': {
        const resource = args.resource;
        if (isObject(resource) && typeof resource.type === 'string' && typeof resource.name === 'string') {
          const ref: ResourceRef = { type: resource.type, name: resource.name };
          const id = JSON.stringify([ref.type, ref.name]);
          conn.subscriptions.get(id)?.();
          conn.subscriptions.delete(id);
          if (data.command === 'unsubscribe') return reply({});
          if (Array.isArray(args.action) && args.action.every((action) => typeof action === 'string')) {
            return this.subscribe(conn, id, ref, args.action as EventAction[], positionOf(args.since), isObject(args.filter) ? (args.filter as Filter) : undefined, reply, refuse);
          }
        }
        break;
      }
    }
    this.relay(data, reply, refuse);
  }

  private subscribe(
    conn: Conn,
    id: string,
    resource: ResourceRef,
    actions: EventAction[],
    since: StreamPosition | undefined,
    filter: Filter | undefined,
    reply: (response: Json) => void,
    refuse: (error: RtmError) => void,
  ): void {
    const off = this.subscriptions!.resume(resource, actions, (event) => this.send(conn, { type: 'event', data: event as unknown as Json }), {
      ...(since ? { since } : {}),
      confirmed: (response) => reply(response as Json),
      failed: (error) => {
        if (conn.subscriptions.get(id) === off) conn.subscriptions.delete(id);
        off();
        refuse(error);
      },
    }, filter);
    conn.subscriptions.set(id, off);
  }

  private relay(data: CommandData, reply: (response: Json) => void, refuse: (error: RtmError) => void): void {
    const id = data.correlation_id;
    const key = id === undefined ? undefined : correlationKey(id);
    let pending = key === undefined ? undefined : this.relayed.get(key);
    if (!pending) {
      pending = this.client.request(data.command, data.arguments, { timeout: RELAY_TIMEOUT_MS, ...(id === undefined ? {} : { id }) });
      if (key !== undefined) {
        this.relayed.set(key, pending);
        const forget = (): void => void (this.relayed.get(key) === pending && this.relayed.delete(key));
        pending.then(forget, forget);
      }
    }
    pending.then(reply, refuse);
  }

  private send(conn: Conn, message: Json): void {
    if (this.conns.get(`${conn.tab}/${conn.conn}`) === conn && conn.opened) this.host.post(conn.tab, { t: 'frame', conn: conn.conn, data: JSON.stringify(message) });
  }
}

/** What a {@link LinkHost} needs from where it runs (a SharedWorker, or the leader tab). */
export interface LinkHostOptions {
  /** Sends a message to one tab. */
  post: (tab: string, message: HostMessage) => void;
}

/**
 * The link host: one real client per user and server, shared by every tab's
 * client through virtual sockets. To a tab's client it looks like the server:
 * it answers subscribes by listening on the shared client (ref-counted there,
 * one server subscription however many tabs listen, resumed from each tab's
 * stream position), relays publishes with their correlation IDs, and closes
 * the sockets when the shared connection drops, so every tab's client
 * reconnects and recovers as it would from a network loss.
 */
export class LinkHost {
  private readonly sessions = new Map<string, Session>();
  private readonly mints = new Map<number, Mint>();
  private nextAsk = 1;
  /** Tabs by when they last opened a socket, most recent last: the first asked for a token. */
  private readonly seen = new Map<string, Session>();
  private closed = false;

  constructor(private readonly options: LinkHostOptions) {}

  /** Handles one message of a tab. */
  receive(message: TabMessage): void {
    if (this.closed) return;
    switch (message.t) {
      case 'open': {
        const read = readSocketUrl(message.url);
        if (!read) return this.post(message.tab, { t: 'closed', conn: message.conn, code: 4001, reason: 'the token has no sub' });
        let session = this.sessions.get(read.link.key);
        if (!session) {
          session = new Session(read.link.key, read.link.url, message.settings, this);
          this.sessions.set(read.link.key, session);
        }
        session.tokens.offer(read.token);
        clearTimeout(session.idle);
        session.idle = undefined;
        const conn: Conn = { tab: message.tab, conn: message.conn, opened: false, subscriptions: new Map() };
        session.conns.set(`${message.tab}/${message.conn}`, conn);
        this.seen.delete(message.tab);
        this.seen.set(message.tab, session);
        return session.open(conn);
      }
      case 'frame': {
        const found = this.find(message.tab, message.conn);
        let frame: unknown;
        try {
          frame = JSON.parse(message.data);
        } catch {
          return;
        }
        if (found && isObject(frame) && frame.type === 'command' && isObject(frame.data) && typeof frame.data.command === 'string') {
          found.session.command(found.conn, frame.data as CommandData);
        }
        return;
      }
      case 'close':
        return this.closeConn(message.tab, message.conn);
      case 'token': {
        const session = this.sessions.get(message.key);
        const answer = (reply: Omit<Extract<HostMessage, { t: 'token' }>, 't' | 'ask'>): void => this.post(message.tab, { t: 'token', ask: message.ask, ...reply });
        if (!session) return answer({ error: 'no shared connection for this user' });
        session.tokens.current().then(
          (token) => answer({ token }),
          (error: Error) => answer({ error: error.message, unauthorized: error.name === 'UnauthorizedError' }),
        );
        return;
      }
      case 'minted': {
        const mint = this.mints.get(message.ask);
        if (!mint || mint.tab !== message.tab) return;
        this.mints.delete(message.ask);
        clearTimeout(mint.timer);
        if (message.token !== undefined) return mint.resolve(message.token);
        const error = new Error(message.error ?? 'the token function failed');
        // Said as UnauthorizedError, the shared client stops (and every tab's client with it) instead of retrying.
        if (message.unauthorized) error.name = 'UnauthorizedError';
        return mint.reject(error);
      }
      case 'leave':
        return this.gone(message.tab);
    }
  }

  /** A tab went away (closed, crashed, or said `leave`): its sockets close and its listeners stop. */
  gone(tab: string): void {
    this.seen.delete(tab);
    for (const session of [...this.sessions.values()]) {
      for (const conn of [...session.conns.values()]) if (conn.tab === tab) this.closeConn(tab, conn.conn);
    }
    for (const [ask, mint] of this.mints) {
      if (mint.tab !== tab) continue;
      this.mints.delete(ask);
      clearTimeout(mint.timer);
      mint.reject(new Error('the tab asked for a token went away'));
    }
  }

  /** Closes every shared connection (the leader tab stepped down). The tabs find the next host themselves. */
  close(): void {
    this.closed = true;
    for (const mint of this.mints.values()) clearTimeout(mint.timer);
    this.mints.clear();
    for (const session of [...this.sessions.values()]) {
      clearTimeout(session.idle);
      session.client.close();
    }
    this.sessions.clear();
  }

  /** Number of shared connections, for diagnostics and tests. */
  get size(): number {
    return this.sessions.size;
  }

  /** @internal */
  post(tab: string, message: HostMessage): void {
    if (!this.closed) this.options.post(tab, message);
  }

  /** @internal Asks the tab that most recently connected for a fresh token, then the others, one at a time. */
  mint(session: Session, tried = new Set<string>()): Promise<string> {
    const tabs = [...this.seen].filter(([tab, of]) => of === session && !tried.has(tab)).map(([tab]) => tab);
    const tab = tabs.at(-1);
    if (tab === undefined) return Promise.reject(new Error('no tab is left to ask for a token'));
    tried.add(tab);
    return new Promise<string>((resolve, reject) => {
      const ask = this.nextAsk++;
      const next = (): void => void this.mint(session, tried).then(resolve, reject);
      const timer = setTimeout(() => {
        this.mints.delete(ask);
        next();
      }, MINT_TIMEOUT_MS);
      this.mints.set(ask, {
        tab,
        resolve,
        timer,
        // A tab that went away or failed does not decide for the others: the next one is asked, unless this one said the user is out.
        reject: (error) => (error.name === 'UnauthorizedError' ? reject(error) : next()),
      });
      this.post(tab, { t: 'mint', ask, key: session.key });
    });
  }

  /** @internal The shared client closed for good (token refused, or a close code that says stop): so does every socket on it. */
  ended(session: Session, reason: string): void {
    if (this.sessions.get(session.key) !== session) return;
    this.sessions.delete(session.key);
    const code = /^close (\d{4})/.exec(reason)?.[1];
    for (const conn of session.conns.values()) {
      session.release(conn);
      this.post(conn.tab, { t: 'closed', conn: conn.conn, code: code ? Number(code) : reason === 'unauthorized' ? 4001 : 1011, reason });
    }
    session.conns.clear();
  }

  private find(tab: string, id: number): { session: Session; conn: Conn } | undefined {
    for (const session of this.sessions.values()) {
      const conn = session.conns.get(`${tab}/${id}`);
      if (conn) return { session, conn };
    }
    return undefined;
  }

  private closeConn(tab: string, id: number): void {
    const found = this.find(tab, id);
    if (!found) return;
    const { session, conn } = found;
    session.release(conn);
    session.conns.delete(`${tab}/${id}`);
    this.endIfUnused(session);
  }

  /** No tab's client of this user is left: the connection closes, after a grace for a client between two attempts. */
  private endIfUnused(session: Session): void {
    if (session.conns.size > 0 || session.idle) return;
    session.idle = setTimeout(() => {
      session.idle = undefined;
      if (session.conns.size > 0 || this.sessions.get(session.key) !== session) return;
      this.sessions.delete(session.key);
      session.client.close();
    }, IDLE_CLOSE_MS);
  }
}

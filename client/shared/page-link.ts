import type { WebSocketConstructor } from '../connection.js';
import { readSocketUrl } from './link-key.js';
import type { HostMessage, SharedClientSettings, TabMessage } from './messages.js';
import { LINK_LOST } from './messages.js';
import { locks, randomId } from './platform.js';
import type { Transport, TransportEvents } from './transport.js';
import { VirtualSocket } from './virtual-socket.js';

/** How long a tab's client waits for the host's token before it calls its own token function instead. */
const TOKEN_ASK_TIMEOUT_MS = 5_000;

interface Socket {
  socket: VirtualSocket;
  key: string;
  url: string;
  settings: SharedClientSettings;
}

interface Ask {
  resolve: (token: string) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A token function of a page, and who to tell when the link asks again. */
export type Minter = () => Promise<string>;

/**
 * This tab's end of the shared link: the virtual sockets of its clients, its
 * token functions (the host asks them for fresh tokens), and the transport
 * to the host, a SharedWorker or the elected leader tab. While the tab lives
 * it holds a Web Lock named for it, which the host waits on to learn the
 * moment it closes or crashes.
 */
export class PageLink implements TransportEvents {
  readonly tab = randomId();
  private readonly sockets = new Map<number, Socket>();
  private readonly asks = new Map<number, Ask>();
  private readonly minters = new Map<string, Set<Minter>>();
  private readonly wakers = new Set<() => void>();
  private nextId = 1;
  /** Messages held until the tab's lock is held: a host must never find it free while the tab lives. */
  private held: Array<[string, TabMessage]> | undefined = [];

  /** @param choose Picks the transport, or none (each tab then connects on its own); called again when one fails. */
  constructor(private readonly choose: (events: TransportEvents, tab: string) => Transport | undefined) {
    const manager = locks();
    if (manager) {
      void manager.request(`rtm-kit:tab:${this.tab}`, {}, () => {
        const held = this.held ?? [];
        this.held = undefined;
        for (const [key, message] of held) this.transport?.send(key, message);
        return new Promise(() => {});
      });
    } else this.held = undefined;
    this.transport = choose(this, this.tab);
  }

  private transport: Transport | undefined;

  /** The mechanism in use: `worker`, `election`, or false when each tab connects on its own. */
  get mode(): Transport['mode'] | false {
    return this.transport?.mode ?? false;
  }

  /**
   * The WebSocket constructor for a client of this tab: a virtual socket on
   * the shared link, or a real one where the link cannot serve (no mechanism,
   * or a token without `sub`). `used` learns which it gave.
   */
  socketClass(settings: SharedClientSettings, Real: WebSocketConstructor | undefined, used: (shared: boolean) => void): WebSocketConstructor {
    const link = this;
    return function SharedSocket(url: string): unknown {
      const key = link.transport ? readSocketUrl(url)?.link.key : undefined;
      used(key !== undefined);
      if (key === undefined) {
        if (!Real) throw new Error('no WebSocket here');
        return new Real(url);
      }
      link.transport!.join(key);
      return new VirtualSocket(url, key, {
        open: (socket, key, url) => {
          const conn = link.nextId++;
          link.sockets.set(conn, { socket, key, url, settings });
          link.send(key, { t: 'open', tab: link.tab, conn, key, url, settings });
          return conn;
        },
        send: (conn, data) => link.send(link.sockets.get(conn)?.key, { t: 'frame', tab: link.tab, conn, data }),
        close: (conn) => {
          const socket = link.sockets.get(conn);
          link.sockets.delete(conn);
          if (socket) link.send(socket.key, { t: 'close', tab: link.tab, conn });
        },
      });
    } as unknown as WebSocketConstructor;
  }

  /** Lets the host of `key` ask `minter` for fresh tokens; returns the function that stops it. */
  addMinter(key: string, minter: Minter): () => void {
    let set = this.minters.get(key);
    if (!set) this.minters.set(key, (set = new Set()));
    set.add(minter);
    return () => {
      set.delete(minter);
      if (!set.size) this.minters.delete(key);
    };
  }

  /** Calls `wake` when a new host is ready, so that clients reconnect at once instead of after their backoff; returns the function that stops it. */
  onHost(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  /** The host's current token for `key` (one refresh for all the user's tabs). */
  token(key: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const ask = this.nextId++;
      const timer = setTimeout(() => {
        this.asks.delete(ask);
        reject(new Error('the shared link did not answer'));
      }, TOKEN_ASK_TIMEOUT_MS);
      this.asks.set(ask, { resolve, reject, timer });
      this.send(key, { t: 'token', tab: this.tab, ask, key });
    });
  }

  message(message: HostMessage): void {
    switch (message.t) {
      case 'opened':
        return this.sockets.get(message.conn)?.socket.opened();
      case 'frame':
        return this.sockets.get(message.conn)?.socket.message(message.data);
      case 'closed': {
        const socket = this.sockets.get(message.conn);
        this.sockets.delete(message.conn);
        return socket?.socket.lost(message.code, message.reason);
      }
      case 'token': {
        const ask = this.asks.get(message.ask);
        if (!ask) return;
        this.asks.delete(message.ask);
        clearTimeout(ask.timer);
        if (message.token !== undefined) return ask.resolve(message.token);
        const error = new Error(message.error ?? 'no token');
        if (message.unauthorized) error.name = 'UnauthorizedError';
        return ask.reject(error);
      }
      case 'mint':
        return void this.mint(message.ask, message.key);
    }
  }

  hostChanged(key: string): void {
    for (const [conn, socket] of [...this.sockets]) {
      if (socket.key !== key) continue;
      if (socket.socket.readyState === VirtualSocket.CONNECTING) {
        // Not yet answered: the new host gets the request instead.
        this.send(key, { t: 'open', tab: this.tab, conn, key, url: socket.url, settings: socket.settings });
      } else {
        this.sockets.delete(conn);
        socket.socket.lost(LINK_LOST, 'the tab holding the shared connection went away');
      }
    }
    for (const wake of [...this.wakers]) wake();
  }

  failed(): void {
    // The worker could not start (blocked, or its script missing): the next mechanism, the sockets reconnect over it.
    this.transport?.close();
    this.transport = this.choose(this, this.tab);
    for (const [conn, socket] of [...this.sockets]) {
      this.sockets.delete(conn);
      socket.socket.lost(LINK_LOST, 'the shared worker failed');
    }
    for (const wake of [...this.wakers]) wake();
  }

  private async mint(ask: number, key: string): Promise<void> {
    const minter = [...(this.minters.get(key) ?? [])][0];
    let reply: TabMessage;
    try {
      if (!minter) throw new Error('no client of this user is left in the tab');
      reply = { t: 'minted', tab: this.tab, ask, token: await minter() };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      reply = { t: 'minted', tab: this.tab, ask, error: message, unauthorized: name === 'UnauthorizedError' };
    }
    this.send(key, reply);
  }

  private send(key: string | undefined, message: TabMessage): void {
    if (key === undefined) return;
    if (this.held) this.held.push([key, message]);
    else this.transport?.send(key, message);
  }
}

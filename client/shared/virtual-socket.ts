/** What a {@link VirtualSocket} needs from the tab's link. */
export interface SocketLink {
  /** Opens the socket at the host; returns its number. */
  open(socket: VirtualSocket, key: string, url: string): number;
  send(conn: number, data: string): void;
  close(conn: number): void;
}

type Listener = (event: unknown) => void;

/**
 * A WebSocket look-alike whose other end is the link host instead of the
 * server: the tab's client (its reconnecting socket) drives it as it would a
 * real one, so every behaviour of the client (states, resubscription with
 * stream positions, publishes sent again with their correlation IDs) holds
 * over the shared link too.
 */
export class VirtualSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = VirtualSocket.CONNECTING;
  binaryType = 'blob';
  readonly bufferedAmount = 0;
  readonly extensions = '';
  readonly protocol = '';
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly conn: number;

  constructor(
    readonly url: string,
    key: string,
    private readonly link: SocketLink,
  ) {
    this.conn = link.open(this, key, url);
  }

  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  send(data: string): void {
    if (this.readyState !== VirtualSocket.OPEN) throw new Error('the socket is not open');
    this.link.send(this.conn, data);
  }

  close(): void {
    if (this.readyState === VirtualSocket.CLOSED) return;
    this.readyState = VirtualSocket.CLOSED;
    this.link.close(this.conn);
  }

  /** The host opened it. */
  opened(): void {
    if (this.readyState !== VirtualSocket.CONNECTING) return;
    this.readyState = VirtualSocket.OPEN;
    this.emit('open', {});
  }

  /** A frame from the host. */
  message(data: string): void {
    if (this.readyState === VirtualSocket.OPEN) this.emit('message', { data });
  }

  /** The host closed it, or went away. */
  lost(code: number, reason: string): void {
    if (this.readyState === VirtualSocket.CLOSED) return;
    this.readyState = VirtualSocket.CLOSED;
    this.emit('close', { code, reason, wasClean: false });
  }

  private emit(type: 'open' | 'message' | 'close', init: object): void {
    const event = makeEvent(type, init);
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }
}

type EventConstructor = new (type: string, init: object) => object;

/**
 * A real Event where the platform has one: the reconnecting socket re-dispatches
 * each event through an EventTarget, which in browsers takes nothing else.
 */
function makeEvent(type: 'open' | 'message' | 'close', init: object): object {
  const scope = globalThis as unknown as Record<string, EventConstructor | undefined>;
  const Made = scope[type === 'message' ? 'MessageEvent' : type === 'close' ? 'CloseEvent' : 'Event'];
  return typeof Made === 'function' ? new Made(type, init) : { type, ...init };
}

/** The WebSocket surface the reconnecting socket uses, plus what the transport picker reads after a close. */
export interface HttpSocket extends EventTarget {
  readonly url: string;
  readyState: number;
  bufferedAmount: number;
  /** True while the server has opened the session but the stream has not delivered a byte: a buffering proxy if it stays so. */
  stalled: boolean;
  /** True once the server answered the open: the network reaches it over HTTP. */
  posted: boolean;
  send(frame: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket look-alike over plain HTTP, for networks that refuse the
 * upgrade: `POST /rtc/http` opens a session (the token in an
 * `Authorization: Bearer` header, never in the URL), frames arrive as
 * server-sent events on one streaming response (`http-stream`) or on long
 * polls (`long-poll`), and frames go out as POSTs, one at a time so they keep
 * their order. The reconnecting socket above it cannot tell it from a
 * WebSocket, so both share one command and event path.
 * @param stop Aborts the socket's requests when it ends; a test passes its own to watch its signal.
 */
export function httpSocket(url: string, poll: boolean, stop = new AbortController()): HttpSocket {
  const target = new URL(url);
  const token = target.searchParams.get('access_token');
  target.searchParams.delete('access_token');
  target.searchParams.set('transport', poll ? 'long-poll' : 'http-stream');
  target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
  const base = `${target.origin}${target.pathname.replace(/\/$/, '')}/http`;
  let key = '';
  let out: string[] = [];
  /** The last poll batch read whole: the next poll acknowledges it. */
  let ack = 0;
  let posting = false;

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(`${base}${key && `/${key}/`}${path}`, { signal: stop.signal, ...init });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response;
  };
  const emit = (type: string, fields: object): void => void socket.dispatchEvent(Object.assign(new Event(type), fields));
  const opened = (): void => {
    socket.stalled = false;
    socket.readyState = 1;
    emit('open', {});
  };
  const end = (code: number, reason: string): void => {
    if (socket.readyState > 2) return;
    socket.readyState = 3;
    stop.abort();
    emit('close', { code, reason, wasClean: false });
  };
  /** Handles the complete blocks of `text`; returns the rest. */
  const blocks = (text: string): string => {
    let cut;
    while (socket.readyState < 2 && (cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      if (block.startsWith('data: ')) emit('message', { data: block.slice(6) });
      else if (block.startsWith('id: ')) ack = +block.slice(4);
      else if (block.startsWith('event: close')) {
        const { code, reason } = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { code: number; reason: string };
        end(code, reason);
      }
    }
    return text;
  };
  /**
   * Reads one poll, or the stream. A poll is handled only once whole, and then acknowledged: one cut short is asked
   * for again. What a broken stream carried is unknown, so a stream that ends without a close ends this link.
   */
  const read = async (): Promise<void> => {
    if (poll) return void blocks(await (await request(`poll?ack=${ack}`)).text());
    const body = (await request('stream')).body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await body.read();
      if (done) throw new Error('the stream ended');
      if (socket.stalled) opened();
      text = blocks(text + decoder.decode(value, { stream: true }));
    }
  };
  const flush = async (): Promise<void> => {
    posting = true;
    while (out.length > 0 && socket.readyState === 1) {
      const body = out.join('\n');
      out = [];
      socket.bufferedAmount = body.length;
      // Without the socket's abort signal: a signal shared by thousands of POSTs would collect a listener for each.
      // What a POST still in flight at the end brings back is ignored.
      await request('send', { method: 'POST', headers: { 'content-type': 'text/plain' }, body, signal: undefined }).catch((error: Error) => end(1006, error.message));
    }
    socket.bufferedAmount = 0;
    posting = false;
  };

  const socket: HttpSocket = Object.assign(new EventTarget(), {
    url,
    readyState: 0,
    bufferedAmount: 0,
    stalled: false,
    posted: false,
    send(frame: string): void {
      out.push(frame);
      if (!posting) void flush();
    },
    close(code = 1000, reason = ''): void {
      // Not cancelled with the rest: the server should learn the session is over now rather than after its window.
      if (key && socket.readyState < 2) void request('close', { method: 'POST', keepalive: true, signal: undefined }).catch(() => {});
      end(code, reason);
    },
  });

  void (async () => {
    try {
      const opening = await request(target.search, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
      key = ((await opening.json()) as { key: string }).key;
      socket.posted = true;
      if (poll) opened();
      else socket.stalled = true;
      while (socket.readyState < 2) await read();
    } catch (error) {
      end(1006, String((error as Error).message ?? error));
    }
  })();
  return socket;
}

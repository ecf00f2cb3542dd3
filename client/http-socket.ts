/**
 * A WebSocket look-alike over plain HTTP, for networks that refuse the
 * upgrade: `POST /rtc/http` opens a session (the token in an
 * `Authorization: Bearer` header, never in the URL), frames arrive as
 * server-sent events on one streaming response (`http-stream`) or on long
 * polls (`long-poll`), and frames go out as POSTs, one at a time so they keep
 * their order. The reconnecting socket above it cannot tell it from a WebSocket.
 */
export class HttpSocket extends EventTarget {
  readyState = 0;
  bufferedAmount = 0;
  /** True while the server has opened the session but the stream has not delivered a byte: a buffering proxy if it stays so. */
  stalled = false;
  /** True once the server answered the open: the network reaches it over HTTP. */
  posted = false;
  private readonly stop = new AbortController();
  private readonly base: string;
  private key = '';
  private out: string[] = [];
  /** The last poll batch read whole: the next poll acknowledges it. */
  private ack = 0;
  private posting = false;

  constructor(
    readonly url: string,
    private readonly poll: boolean,
  ) {
    super();
    const target = new URL(url);
    const token = target.searchParams.get('access_token');
    target.searchParams.delete('access_token');
    target.searchParams.set('transport', poll ? 'long-poll' : 'http-stream');
    target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
    this.base = `${target.origin}${target.pathname.replace(/\/$/, '')}/http`;
    void this.run(token, target.search);
  }

  send(frame: string): void {
    this.out.push(frame);
    if (!this.posting) void this.flush();
  }

  close(code = 1000, reason = ''): void {
    // Not cancelled with the rest: the server should learn the session is over now rather than after its window.
    if (this.key && this.readyState < 2) void this.request('close', { method: 'POST', keepalive: true, signal: undefined }).catch(() => {});
    this.end(code, reason);
  }

  private async run(token: string | null, query: string): Promise<void> {
    try {
      const opened = await this.request(query, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      this.key = ((await opened.json()) as { key: string }).key;
      this.posted = true;
      this.stalled = !this.poll;
      if (this.poll) this.opened();
      while (this.readyState < 2) await this.read();
    } catch (error) {
      this.end(1006, String((error as Error).message ?? error));
    }
  }

  /**
   * Reads one poll, or the stream. A poll is handled only once whole, and then acknowledged: one cut short is asked
   * for again. What a broken stream carried is unknown, so a stream that ends without a close ends this link.
   */
  private async read(): Promise<void> {
    if (this.poll) return void this.blocks(await (await this.request(`poll?ack=${this.ack}`)).text());
    const body = (await this.request('stream')).body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await body.read();
      if (done) throw new Error('the stream ended');
      if (this.stalled) {
        this.stalled = false;
        this.opened();
      }
      text = this.blocks(text + decoder.decode(value, { stream: true }));
    }
  }

  /** Handles the complete blocks of `text`; returns the rest. */
  private blocks(text: string): string {
    let cut;
    while (this.readyState < 2 && (cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      if (block.startsWith('data: ')) this.emit('message', { data: block.slice(6) });
      else if (block.startsWith('id: ')) this.ack = +block.slice(4);
      else if (block.startsWith('event: close')) {
        const { code, reason } = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { code: number; reason: string };
        this.end(code, reason);
      }
    }
    return text;
  }

  private async flush(): Promise<void> {
    this.posting = true;
    while (this.out.length > 0 && this.readyState === 1) {
      const body = this.out.join('\n');
      this.out = [];
      this.bufferedAmount = body.length;
      // Without the socket's abort signal: a signal shared by thousands of POSTs would collect a listener for each.
      // What a POST still in flight at the end brings back is ignored.
      await this.request('send', { method: 'POST', headers: { 'content-type': 'text/plain' }, body, signal: undefined }).catch((error: Error) => this.end(1006, error.message));
    }
    this.bufferedAmount = 0;
    this.posting = false;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.base}${path[0] === '?' || !path ? '' : `/${this.key}/`}${path}`, { signal: this.stop.signal, ...init });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response;
  }

  private opened(): void {
    this.readyState = 1;
    this.emit('open', {});
  }

  private end(code: number, reason: string): void {
    if (this.readyState > 2) return;
    this.readyState = 3;
    this.stop.abort();
    this.emit('close', { code, reason, wasClean: false });
  }

  private emit(type: string, fields: object): void {
    this.dispatchEvent(Object.assign(new Event(type), fields));
  }
}

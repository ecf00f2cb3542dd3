import { command, frameFinder } from '../test/peer.test-util.js';

/** A raw peer on the HTTP transports: opens a session, then reads it by one stream or by long polls. */
export interface HttpPeer {
  key: string;
  /** Every parsed frame received so far. */
  received: any[];
  /** Resolves with the close event's code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** POSTs frames; resolves with the HTTP status. */
  send(...frames: unknown[]): Promise<number>;
  waitFor(predicate: (message: any) => boolean, timeoutMs?: number): Promise<any>;
  command(name: string, args?: unknown, id?: unknown): Promise<any>;
  /** Stops reading (aborts the stream or stops polling) without closing the session. */
  stopReading(): void;
  /** Starts reading again. */
  read(): void;
  close(): Promise<void>;
}

let nextId = 0;

/** Opens a session at `base` (http://host:port) with `token` in the Authorization header (none: jwt replace later); `announce` asks for the session id. */
export async function httpPeer(base: string, token: string | undefined, transport: 'http-stream' | 'long-poll' = 'http-stream', headers: Record<string, string> = {}, announce = false): Promise<HttpPeer> {
  const opened = await fetch(`${base}/rtc/http?transport=${transport}${announce ? '&session=1' : ''}`, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (opened.status !== 200) throw new Error(`open answered ${opened.status}: ${await opened.text()}`);
  const { key } = (await opened.json()) as { key: string };
  const received: any[] = [];
  const { find, notify } = frameFinder(received);
  let onClose: (value: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  let done = false;
  let ack = 0;
  let abort: AbortController | undefined;
  const consume = (text: string): void => {
    for (const block of text.split('\n\n')) {
      if (block.startsWith('event: close\ndata: ')) {
        done = true;
        onClose(JSON.parse(block.slice('event: close\ndata: '.length)));
      } else if (block.startsWith('data: ')) received.push(JSON.parse(block.slice(6)));
      else if (block.startsWith('id: ')) ack = Number(block.slice(4));
    }
    notify();
  };
  const readOnce = async (signal: AbortSignal): Promise<void> => {
    const response = await fetch(`${base}/rtc/http/${key}/${transport === 'long-poll' ? `poll?ack=${ack}` : 'stream'}`, { signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buffer += decoder.decode(value, { stream: true });
      const cut = buffer.lastIndexOf('\n\n');
      if (cut >= 0) {
        consume(buffer.slice(0, cut + 2));
        buffer = buffer.slice(cut + 2);
      }
    }
  };
  const read = (): void => {
    const controller = (abort = new AbortController());
    void (async () => {
      while (!done && !controller.signal.aborted) {
        await readOnce(controller.signal).catch(() => {});
        if (transport === 'http-stream') break;
      }
    })();
  };
  read();
  const peer: HttpPeer = {
    key,
    received,
    closed,
    send: async (...frames) =>
      (await fetch(`${base}/rtc/http/${key}/send`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: frames.map((f) => (typeof f === 'string' ? f : JSON.stringify(f))).join('\n') })).status,
    waitFor: (predicate, timeoutMs = 3_000) => find(predicate, timeoutMs),
    async command(name, args, id = `h${++nextId}`) {
      await peer.send(command(name, args, id));
      const response = await peer.waitFor((m) => m.type === 'command response' && JSON.stringify(m.data.request?.data?.correlation_id) === JSON.stringify(id));
      return response.data;
    },
    stopReading: () => abort?.abort(),
    read,
    async close() {
      done = true;
      abort?.abort();
      await fetch(`${base}/rtc/http/${key}/close`, { method: 'POST' });
    },
  };
  return peer;
}

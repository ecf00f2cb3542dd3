// Minimal Node-side peers for load generation: the RTC wire protocol spoken
// directly over `ws` (so the generator costs little and the server is what is
// measured), the raw relay's protocol, and socket.io-client. Each exposes the
// same small surface: subscribe, publish (resolving on acknowledgement when the
// protocol has one), onMessage (raw frame text or decoded socket.io data), close.
import { WebSocket } from 'ws';
import { io } from 'socket.io-client';

const OPEN_TIMEOUT_MS = 15_000;

function openWs(url, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: OPEN_TIMEOUT_MS });
    const fail = (error) => {
      ws.removeAllListeners('open');
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => {
      ws.off('error', fail);
      ws.on('error', () => {});
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** An RTC peer: token in the URL, commands correlated by id. */
export async function openRtc(wsUrl, token, options = {}) {
  const ws = await openWs(`${wsUrl}?access_token=${encodeURIComponent(token)}`, options);
  const pending = new Map();
  let nextId = 1;
  let onMessage = () => {};
  ws.on('message', (data) => {
    const text = data.toString();
    // Command responses are few next to events; only they need parsing here.
    if (text.startsWith('{"type":"command response"')) {
      const message = JSON.parse(text);
      // RTC echoes the whole request message; some servers echo only its data.
      const request = message.data?.request;
      const id = request?.data?.correlation_id ?? request?.correlation_id;
      const waiter = pending.get(id);
      if (waiter) {
        pending.delete(id);
        if (message.data.error) waiter.reject(new Error(`RTC error ${message.data.error.code}: ${message.data.error.info}`));
        else waiter.resolve(message.data.response);
      }
      return;
    }
    onMessage(text);
  });
  const closed = () => {
    for (const waiter of pending.values()) waiter.reject(new Error('connection closed'));
    pending.clear();
  };
  ws.on('close', closed);
  const command = (name, args) =>
    new Promise((resolve, reject) => {
      // ws drops a frame sent after the socket closed without a word: fail the command, or it would wait forever.
      if (ws.readyState !== ws.OPEN) return reject(new Error('connection closed'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'command', data: { command: name, arguments: args, correlation_id: id } }));
    });
  return {
    ws,
    // With a filter, the server sends only the events it admits (see docs/filters.md).
    subscribe: (channel, filter) => command('subscribe', { action: ['published'], resource: { type: 'channel', name: channel }, ...(filter ? { filter } : {}) }),
    unsubscribe: (channel) => command('unsubscribe', { action: ['published'], resource: { type: 'channel', name: channel } }),
    publish: (channel, eventName, payload) => command('publish', { channel, data: { eventName, payload } }),
    ping: () => command('ping'),
    set onMessage(fn) {
      onMessage = fn;
    },
    close: () => ws.terminate(),
  };
}

/** A peer of the raw relay (bench/servers/raw.mjs): no acknowledgement for publishes. */
export async function openRaw(wsUrl, _token, options = {}) {
  const ws = await openWs(wsUrl, options);
  let onMessage = () => {};
  let subscribed;
  ws.on('message', (data) => {
    const text = data.toString();
    if (text === '{"ok":true}') return subscribed?.();
    onMessage(text);
  });
  return {
    ws,
    subscribe: (channel) =>
      new Promise((resolve) => {
        subscribed = resolve;
        ws.send(JSON.stringify({ sub: channel }));
      }),
    publish: (channel, eventName, payload) => {
      ws.send(JSON.stringify({ pub: channel, data: { eventName, payload } }));
      return Promise.resolve();
    },
    ping: () => Promise.resolve(),
    set onMessage(fn) {
      onMessage = fn;
    },
    close: () => ws.terminate(),
  };
}

/** A socket.io-client peer, WebSocket transport only (no long-polling warm-up), reconnection off. */
export function openSocketIo(url, _token, { localAddress, ...ioOptions } = {}) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, timeout: OPEN_TIMEOUT_MS, localAddress, ...ioOptions });
    let onMessage = () => {};
    socket.on('message', (data) => onMessage(data));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
    socket.once('connect', () =>
      resolve({
        socket,
        subscribe: (room) => socket.timeout(OPEN_TIMEOUT_MS).emitWithAck('join', room),
        publish: (room, eventName, payload) => socket.timeout(OPEN_TIMEOUT_MS).emitWithAck('publish', { room, data: { eventName, payload } }),
        ping: () => Promise.resolve(),
        set onMessage(fn) {
          onMessage = fn;
        },
        close: () => socket.close(),
      }),
    );
  });
}

/** The opener for a system name. */
export const OPENERS = { rtm: openRtc, raw: openRaw, socketio: openSocketIo };

/** The seq field of a benchmark payload, from a raw frame (string) or decoded socket.io data. */
export function seqOf(message) {
  if (typeof message === 'string') {
    const at = message.indexOf('"seq":');
    return at < 0 ? -1 : Number.parseInt(message.slice(at + 6), 10);
  }
  return message?.payload?.seq ?? -1;
}

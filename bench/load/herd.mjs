// Reconnect-herd load process: `n` clients of one system with its SDK's
// default reconnect policy. Logs the wall-clock time of every connection
// attempt and of each client's first probe after the restart (its proof of
// being subscribed again).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { io } from 'socket.io-client';
import { createClient } from '../../dist/rtm.js';
import { serveParent } from '../lib/proc.mjs';

let attempts = [];
// This process's own event-loop stalls delay the attempts it logs; reported next to them.
const lag = monitorEventLoopDelay({ resolution: 5 });
let armedAt = Infinity;
let epoch = 0;
const resubscribedAt = new Map();
const clients = [];

function onProbe(index, payload) {
  if (payload?.epoch === epoch && !resubscribedAt.has(index)) resubscribedAt.set(index, Date.now());
}

/** Counts every WebSocket the rtm client constructs: each is one connection attempt. */
class CountingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    if (Date.now() >= armedAt) attempts.push(Date.now());
  }
}

async function setup({ system, url, token, n }) {
  for (let index = 0; index < n; index++) {
    if (system === 'rtm') {
      // Defaults except the transport: reconnect backoff is the SDK's own.
      const client = createClient({ url, token, WebSocket: CountingWebSocket });
      client.channel('herd').on('probe', (payload) => onProbe(index, payload));
      clients.push({ close: () => client.close() });
    } else {
      // socket.io-client defaults (long-polling first, then upgrade; reconnection 1-5 s, ±50 %).
      const socket = io(url);
      socket.io.on('reconnect_attempt', () => attempts.push(Date.now()));
      // socket.io does not restore rooms: the usual app code joins again on every connect.
      socket.on('connect', () => socket.emit('join', 'herd'));
      socket.on('message', (data) => data?.eventName === 'probe' && onProbe(index, data.payload));
      clients.push({ close: () => socket.close() });
    }
    // Spread the initial connects a little so setup is not itself a herd.
    if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return clients.length;
}

function arm({ nextEpoch }) {
  attempts = [];
  armedAt = Date.now();
  epoch = nextEpoch;
  resubscribedAt.clear();
  lag.reset();
  lag.enable();
  return armedAt;
}

function status() {
  return { resubscribed: resubscribedAt.size, attempts: attempts.length };
}

function report() {
  lag.disable();
  return { attempts, resubscribedAt: [...resubscribedAt.values()], loopLagMaxMs: lag.max / 1e6 };
}

function closeAll() {
  for (const client of clients) client.close();
  clients.length = 0;
  return true;
}

serveParent({ setup, arm, status, report, closeAll }, { pid: process.pid });

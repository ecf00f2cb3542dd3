// A handover of the shared connection, end to end in one process: real tab clients on virtual sockets, a real
// LinkHost (as the leader tab runs it), and a scripted server that decides exactly when each replay and each
// subscribe response goes out, so the interleaving that lost events in the browser is reproduced every time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient, type RtmClient } from '../client.js';
import type { RecoveryEvent } from '../subscriptions.js';
import { fakeJwt, startScriptedServer, type Peer, type ScriptedServer } from '../scripted-server.test-util.js';
import { LinkHost } from './host.js';
import { readSocketUrl } from './link-key.js';
import { LINK_LOST, type HostMessage, type TabMessage } from './messages.js';
import { VirtualSocket } from './virtual-socket.js';

/** Sends channel `c`'s event at `offset` (its payload the offset), as the server replays or streams it. */
const event = (peer: Peer, offset: number): void =>
  peer.send({
    type: 'event',
    data: { action: 'published', resource: { type: 'channel', name: 'c' }, modifier: { id: 'x' }, timestamp: new Date().toISOString(), data: { eventName: null, payload: offset }, offset, epoch: 'e' },
  });

/** A tab: its client, what its channel listener got, its recovery reports, and a gate on what it sends the host. */
interface Tab {
  client: RtmClient;
  got: unknown[];
  recoveries: RecoveryEvent[];
  /** Subscribe frames the host has handled from this tab since the last handover. */
  subscribes: number;
  /** While set, the tab's messages to the host wait (as if the tab were slow to learn of the new host). */
  held: TabMessage[] | undefined;
  /** While true, what the host sends the tab is lost (as what a leader that closes has not yet delivered). */
  deaf: boolean;
  release(): void;
}

let server: ScriptedServer;
let host: LinkHost;
const tabs = new Map<string, { sockets: Map<number, VirtualSocket>; tab: Tab }>();

beforeEach(async () => {
  // The host's own client connects with the platform's WebSocket, as in a SharedWorker or a leader tab.
  vi.stubGlobal('WebSocket', WebSocket);
  server = await startScriptedServer();
});

afterEach(async () => {
  for (const { tab } of tabs.values()) tab.client.close();
  tabs.clear();
  host.close();
  await server.close();
  vi.unstubAllGlobals();
});

/** A new host, as a newly elected leader starts one: it posts to the tabs' sockets asynchronously, like a BroadcastChannel. */
function newHost(): LinkHost {
  const made: LinkHost = new LinkHost({
    post: (id, message: HostMessage) =>
      queueMicrotask(() => {
        const tab = tabs.get(id);
        // Token requests do not arise: every tab's token is a string that stays valid.
        if (host !== made || !tab || tab.tab.deaf || !('conn' in message)) return;
        const socket = tab.sockets.get(message.conn);
        if (message.t === 'opened') socket?.opened();
        else if (message.t === 'frame') socket?.message(message.data);
        else if (message.t === 'closed') socket?.lost(message.code, message.reason);
      }),
  });
  return made;
}

function openTab(id: string): Tab {
  const sockets = new Map<number, VirtualSocket>();
  let next = 1;
  const deliver = (message: TabMessage): void => {
    if (tab.held) return void tab.held.push(message);
    queueMicrotask(() => {
      host.receive(message);
      if (message.t === 'frame' && message.data.includes('"subscribe"')) tab.subscribes++;
    });
  };
  function SharedSocket(url: string): VirtualSocket {
    return new VirtualSocket(url, readSocketUrl(url)!.link.key, {
      open: (socket, key, at) => {
        const conn = next++;
        sockets.set(conn, socket);
        deliver({ t: 'open', tab: id, conn, key, url: at, settings: {} });
        return conn;
      },
      send: (conn, data) => deliver({ t: 'frame', tab: id, conn, data }),
      close: (conn) => {
        sockets.delete(conn);
        deliver({ t: 'close', tab: id, conn });
      },
    });
  }
  const tab: Tab = {
    client: createClient({ url: server.url, token: fakeJwt(Math.floor(Date.now() / 1000) + 3600), WebSocket: SharedSocket as never, reconnect: { minDelay: 5, maxDelay: 20 } }),
    got: [],
    recoveries: [],
    subscribes: 0,
    held: undefined,
    deaf: false,
    release() {
      const held = tab.held ?? [];
      tab.held = undefined;
      for (const message of held) deliver(message);
    },
  };
  tab.client.channel('c').on((payload) => tab.got.push(payload));
  tab.client.on('recovery', (report) => tab.recoveries.push(report));
  tabs.set(id, { sockets, tab });
  return tab;
}

/** The leader goes away: its host stops, and every tab's socket on it is lost (what PageLink does on `hostChanged`). */
function handOver(): void {
  host.close();
  host = newHost();
  for (const { sockets, tab } of tabs.values()) {
    tab.subscribes = 0;
    for (const [conn, socket] of [...sockets]) {
      sockets.delete(conn);
      socket.lost(LINK_LOST, 'the tab holding the shared connection went away');
    }
  }
}

/** x's messages reach the new host, then y's once x's subscribe is in; then the first subscribe is answered. */
async function joinInTurn(x: Tab, y: Tab, answerFirst: () => void): Promise<void> {
  x.release();
  await server.until(() => x.subscribes === 1);
  y.release();
  await server.until(() => y.subscribes === 1);
  answerFirst();
}

/** Every tab got `replayed`, then the live event `live`, each once, in order, and was told it recovered: nothing dropped in silence. */
async function expectEveryTab(all: Tab[], replayed: number[], live: number): Promise<void> {
  await server.until(() => all.every((tab) => tab.recoveries.length === 1));
  // A live event after every answer: once every tab has it, anything before it that was coming has come.
  event(server.peers.at(-1)!, live);
  await server.until(() => all.every((tab) => tab.got.includes(live)));
  for (const tab of all) {
    expect(tab.got).toEqual([...replayed, live]);
    expect(tab.recoveries).toEqual([{ resource: { type: 'channel', name: 'c' }, recovered: true }]);
  }
}

describe('shared host handover', () => {
  it('a tab that joins while a subscribe sent for a tab further behind is under way gets the replay of that subscribe, not a position past it', async () => {
    host = newHost();
    // Before the handover every tab stands at offset 5.
    server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e', offset: 5 } : {} });
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(openTab) as [Tab, Tab, Tab, Tab];
    await server.until(() => [a, b, x, y].every((tab) => tab.client.channel('c').state === 'subscribed'));
    expect(server.commands('subscribe')).toHaveLength(1);

    // The new host's first subscribe (since 5) replays 6 to 8, and its answer is held back; the next one answers at once.
    let answerFirst!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    let subscribes = 0;
    server.reply = async (r) => {
      if (r.command !== 'subscribe') return { response: {} };
      if (++subscribes > 1) {
        // Apart from the first answer, as a browser takes each frame in a task of its own: the host handles that
        // answer before it sees this replay.
        await server.until(() => a.recoveries.length + b.recoveries.length > 0);
      }
      for (const offset of [6, 7, 8]) event(r.peer, offset);
      if (subscribes === 1) await firstAnswered;
      return { response: { epoch: 'e', offset: 8, recovered: true } };
    };
    // x and y hear of the new host late.
    x.held = [];
    y.held = [];
    const seen = server.peers.length;
    handOver();
    // Whichever of a and b subscribed first has 6 to 8 (the other joined the subscribe under way, and waits for its answer).
    await server.until(() => a.got.length === 3 || b.got.length === 3);
    // x joins behind what the subscription has delivered: the host subscribes again, since 5, for it; and y joins at 5
    // while that subscribe is under way.
    await joinInTurn(x, y, answerFirst);
    expect(server.peers.length).toBe(seen + 1);
    await expectEveryTab([a, b, x, y], [6, 7, 8], 9);
  });

  it('a tab that joins further behind than a subscribe under way gets the older events of the next replay, though newer ones reach it first', async () => {
    host = newHost();
    server.reply = (r) => ({ response: r.command === 'subscribe' ? { epoch: 'e', offset: 13 } : {} });
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(openTab) as [Tab, Tab, Tab, Tab];
    await server.until(() => [a, b, x, y].every((tab) => tab.client.channel('c').state === 'subscribed'));
    // The leader closes having sent 14 to a and b but not to x and y: the tabs come back at 14 and at 13.
    x.deaf = y.deaf = true;
    event(server.peers.at(-1)!, 14);
    await server.until(() => a.got.length === 1 && b.got.length === 1);

    // The new host's first subscribe (since 14) waits until x and y have joined, then replays 15 and 16; the next
    // one (since 13, for x) replays 14 to 16. y joins after that one was sent, at 13: no newer subscribe is needed.
    let answerFirst!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    server.reply = async (r) => {
      if (r.command !== 'subscribe') return { response: {} };
      const since = r.arguments.since.offset as number;
      if (since === 14) await firstAnswered;
      for (let offset = since + 1; offset <= 16; offset++) event(r.peer, offset);
      return { response: { epoch: 'e', offset: 16, recovered: true } };
    };
    x.held = [];
    y.held = [];
    handOver();
    x.deaf = y.deaf = false;
    await server.until(() => a.subscribes === 1 && b.subscribes === 1);
    await joinInTurn(x, y, answerFirst);
    await expectEveryTab([a, b, x, y], [14, 15, 16], 17);
  });
});

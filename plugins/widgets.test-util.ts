// Shared setup of the widgets' unit tests: happy-dom gives them a DOM, the client's scripted server (a real `ws`
// server) answers the page connection, and `ws` stands in for the browser's WebSocket. One page connection per
// file (it is a page-wide singleton), so each test uses its own channel.
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { fakeJwt, startScriptedServer, type ScriptedServer } from '../client/scripted-server.test-util.js';
import { configure } from './connection.js';

/** The token's identity, so that the modifier `page-user` marks this page's own messages. */
export const PAGE_USER = 'page-user';

/** Starts the scripted server and configures the page connection against it. */
export function usePageConnection(): { server: () => ScriptedServer; push: (channel: string, payload: unknown, eventName?: string | null, modifier?: string) => void } {
  let server: ScriptedServer;
  const original = globalThis.WebSocket;
  beforeAll(async () => {
    server = await startScriptedServer();
    globalThis.WebSocket = WebSocket as never;
    configure({ url: server.url, token: fakeJwt(Math.floor(Date.now() / 1000) + 3600, PAGE_USER) });
  });
  afterAll(async () => {
    globalThis.WebSocket = original;
    await server.close();
  });
  const push = (channel: string, payload: unknown, eventName: string | null = null, modifier = 'someone-else'): void => {
    for (const peer of server.peers) {
      peer.send({
        type: 'event',
        data: { action: 'published', resource: { type: 'channel', name: channel }, modifier: { id: modifier }, timestamp: new Date().toISOString(), data: { eventName, payload } },
      });
    }
  };
  return { server: () => server, push };
}

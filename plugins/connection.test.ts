// The page connection every widget shares: configure() is idempotent for the same settings and refuses others,
// checks its arguments, and gets tokens from a tokenUrl (JSON or text; 401/403 stop the client, other failures are
// retried). Each test loads a fresh copy of the module, since the connection is page-wide state.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { RtmClient } from '../client/index.js';
import { fakeJwt, startScriptedServer, type ScriptedServer } from '../client/scripted-server.test-util.js';

type ConnectionModule = typeof import('./connection.js');

let server: ScriptedServer;
let tokens: Server;
let tokenBase: string;
/** What the token endpoint answers next: status and body. */
let answer: { status: number; body: string };
const asked: IncomingHttpHeaders[] = [];
const original = globalThis.WebSocket;

beforeAll(async () => {
  server = await startScriptedServer();
  globalThis.WebSocket = WebSocket as never;
  tokens = createServer((request, response) => {
    asked.push(request.headers);
    response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
  }).listen(0, '127.0.0.1');
  await once(tokens, 'listening');
  tokenBase = `http://127.0.0.1:${(tokens.address() as { port: number }).port}`;
});
afterAll(async () => {
  globalThis.WebSocket = original;
  tokens.close();
  await server.close();
});

let connection: ConnectionModule;
let client: RtmClient | undefined;
beforeEach(async () => {
  vi.resetModules();
  connection = await import('./connection.js');
  asked.length = 0;
  server.attempts = 0;
});
afterEach(() => {
  client?.close();
  client = undefined;
});

const token = (sub = 'page-user') => fakeJwt(Math.floor(Date.now() / 1000) + 3600, sub);
const errorsOf = (c: RtmClient) => {
  const errors: { code: unknown; message: string }[] = [];
  // The client says "could not obtain a token"; what the endpoint answered is the cause.
  c.on('error', (error) => errors.push({ code: error.code, message: `${error.message}: ${String((error.cause as Error | undefined)?.message)}` }));
  return errors;
};

describe('configure()', () => {
  it('returns the same client for the same settings, and hands it to pageClient() callers that waited', async () => {
    const waiting = connection.pageClient();
    expect(connection.configured()).toBe(false);
    client = connection.configure({ url: server.url, token: () => Promise.resolve(token()) });
    expect(connection.configured()).toBe(true);
    expect(await waiting).toBe(client);
    // Another token function is the same setting: widgets configured by several scripts share the connection.
    expect(connection.configure({ url: server.url, token: async () => token() })).toBe(client);
    expect(await connection.pageClient()).toBe(client);
    await client.ready();
    expect(server.attempts).toBe(1);
  });

  it('refuses other settings with bad_argument and keeps the first connection', async () => {
    client = connection.configure({ url: server.url, token: token() });
    for (const other of [
      { url: server.url.replace('/rtc', '/other'), token: token() },
      { url: server.url, token: token('someone-else') },
      { url: server.url, tokenUrl: `${tokenBase}/token` },
    ]) {
      expect(() => connection.configure(other)).toThrow(expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('already configured') }));
    }
    expect(await connection.pageClient()).toBe(client);
  });

  it('checks its arguments, and configures nothing when they are wrong', () => {
    for (const [config, wrong] of [
      [undefined, 'url: missing'],
      [{}, 'url: missing'],
      [{ url: '' }, 'url: missing'],
      [{ url: server.url }, 'token: missing'],
      [{ url: server.url, token: 42 }, 'token: 42'],
      [{ url: server.url, tokenUrl: 7 }, 'tokenUrl: 7'],
      [{ url: 7, token: 'x' }, 'url: 7'],
    ] as const) {
      expect(() => connection.configure(config as never)).toThrow(expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining(wrong) }));
    }
    expect(() => connection.configure({ url: server.url, token: 'x', shared: true })).toThrow(expect.objectContaining({ code: 'bad_argument', message: expect.stringContaining('shared: needs rtm-shared.iife.min.js or enableShared()') }));
    expect(connection.configured()).toBe(false);
  });

  it('with enableShared, passes shared: true to the shared factory, with an http URL turned into ws', async () => {
    const { createClient } = await import('../client/index.js');
    const seen: unknown[] = [];
    connection.enableShared(({ shared, ...options }) => {
      seen.push({ url: options.url, shared });
      return createClient(options);
    });
    client = connection.configure({ url: server.url.replace('ws:', 'http:'), token: token(), shared: true });
    expect(seen).toEqual([{ url: server.url, shared: true }]);
    await client.ready();
  });

  it('notes the sub of the page token, decoded as UTF-8, to tell the page its own messages', async () => {
    client = connection.configure({ url: server.url, token: token('MÜLLER') });
    expect(connection.ownSub()).toBe('MÜLLER');
  });
});

describe('tokenUrl', () => {
  it('takes the token from a JSON answer {"token"} and asks without caching', async () => {
    const jwt = token('json-user');
    answer = { status: 200, body: JSON.stringify({ token: jwt }) };
    client = connection.configure({ url: server.url, tokenUrl: `${tokenBase}/token` });
    await client.ready();
    expect(server.peers.at(-1)!.token).toBe(jwt);
    expect(connection.ownSub()).toBe('json-user');
    expect(asked[0]).toMatchObject({ 'cache-control': 'no-cache' });
  });

  it('takes a plain-text answer as the token, trimmed', async () => {
    const jwt = token('text-user');
    answer = { status: 200, body: `\n${jwt}\n` };
    client = connection.configure({ url: server.url, tokenUrl: `${tokenBase}/token` });
    await client.ready();
    expect(server.peers.at(-1)!.token).toBe(jwt);
  });

  for (const status of [401, 403]) {
    it(`stops the client on ${status} (the user is logged out), without ever opening a socket`, async () => {
      answer = { status, body: 'no' };
      client = connection.configure({ url: server.url, tokenUrl: `${tokenBase}/token` });
      const errors = errorsOf(client);
      await expect(client.ready()).rejects.toMatchObject({ code: 'unauthorized' });
      expect(client.state).toBe('closed');
      expect(errors).toContainEqual(expect.objectContaining({ code: 'unauthorized', message: expect.stringContaining(`tokenUrl: ${status}`) }));
      expect(server.attempts).toBe(0);
    });
  }

  it('reports a 500 or an answer without a token as a token error and asks again, then connects', async () => {
    answer = { status: 500, body: 'down' };
    client = connection.configure({ url: server.url, tokenUrl: `${tokenBase}/token` });
    const errors = errorsOf(client);
    await server.until(() => errors.length === 1);
    expect(errors[0]).toEqual({ code: 'token', message: expect.stringContaining('tokenUrl: 500') });
    answer = { status: 200, body: '{"jwt": "misnamed"}' };
    await server.until(() => errors.length === 2, 10_000);
    expect(errors[1]).toEqual({ code: 'token', message: expect.stringContaining('tokenUrl: no "token"') });
    const jwt = token();
    answer = { status: 200, body: JSON.stringify({ token: jwt }) };
    await client.ready({ timeout: 20_000 });
    expect(server.peers.at(-1)!.token).toBe(jwt);
    expect(asked.length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

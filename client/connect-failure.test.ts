// A connection that never opens says why: the state reason names what happened, and one `connect` error per cause
// (not per retry) names the URL, without its token, and the cause.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type ClientOptions, type RtmClient } from './client.js';
import type { RtmError } from './errors.js';
import { nextState, sleep } from './scripted-server.test-util.js';
import { useScriptedServer } from './test-setup.test-util.js';

const { ctx, connect } = useScriptedServer();
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A free port nobody listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createTcpServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP server that answers every WebSocket upgrade with 404, as a wrong path on a real server does. */
async function notFoundServer(): Promise<number> {
  const server: Server = createServer();
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** A TCP server that accepts connections and never answers: the WebSocket handshake hangs. */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    // The client gives up on the handshake by resetting the connection: that is expected, not an error to throw.
    socket.on('error', () => {});
    sockets.push(socket);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/**
 * A client of `url` that records its `connect` errors and state reasons; it retries every 20-40 ms. WebSocket only
 * unless told: the HTTP fallbacks fail in their own words, which would be other causes (see the last test).
 */
function watched(url: string, options: Partial<ClientOptions> = {}): { client: RtmClient; errors: RtmError[]; reasons: string[] } {
  const client = createClient({ url, token: 'secret-token', WebSocket, reconnect: { minDelay: 20, maxDelay: 40 }, transports: ['websocket'], ...options });
  ctx.clients.push(client);
  const errors: RtmError[] = [];
  const reasons: string[] = [];
  client.on('error', (error) => errors.push(error));
  client.on('state', ({ state, reason }) => reasons.push(`${state}: ${reason}`));
  return { client, errors, reasons };
}

describe('a connection that never opens', () => {
  it('wrong port: reason "connect failed", one connect error naming the URL without its token, however many retries', async () => {
    const port = await deadPort();
    const { errors, reasons } = watched(`ws://127.0.0.1:${port}/rtc?access_token=leaked`);
    await sleep(400);
    expect(reasons[0]).toBe('connecting: connect');
    expect(reasons[1]).toMatch(/^reconnecting: connect failed/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'connect' });
    expect(errors[0]!.info).toMatch(new RegExp(`^cannot connect to ws://127\\.0\\.0\\.1:${port}/rtc: connect failed \\(.*ECONNREFUSED`));
    expect(errors[0]!.info).not.toContain('leaked');
  });

  it('a path the server answers with 404: reason "connect failed", the cause names the 404, reported once', async () => {
    const port = await notFoundServer();
    const { errors, reasons } = watched(`ws://127.0.0.1:${port}/wrong`);
    await sleep(400);
    expect(reasons[1]).toMatch(/^reconnecting: connect failed \(.*404/);
    expect(errors.map((e) => e.code)).toEqual(['connect']);
    expect(errors[0]!.info).toContain('404');
  });

  it('a handshake that never completes: reason "handshake timeout", reported once', async () => {
    const port = await silentServer();
    const { errors, reasons } = watched(`ws://127.0.0.1:${port}/rtc`, { connectTimeout: 100 });
    await sleep(600);
    expect(reasons[1]).toBe('reconnecting: handshake timeout');
    expect(errors.map((e) => e.info)).toEqual([`cannot connect to ws://127.0.0.1:${port}/rtc: handshake timeout`]);
  });

  it('reports again when the cause changes, and debug logs every attempt’s outcome', async () => {
    ctx.server.refuse = true;
    const lines: string[] = [];
    const client = connect({ transports: ['websocket'], debug: (event, detail) => lines.push(`${event} ${detail}`) });
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    await ctx.server.until(() => ctx.server.attempts >= 3);
    const port = new URL(ctx.server.url).port;
    await ctx.server.close();
    await sleep(300);
    expect(errors.map((e) => e.code)).toEqual(['connect', 'connect']);
    expect(errors[0]!.info).toContain('503');
    expect(errors[1]!.info).toContain('ECONNREFUSED');
    expect(lines.filter((line) => line.startsWith('attempt connect failed')).length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).toContain(`127.0.0.1:${port}`);
    // The afterEach hook closes the server again: harmless.
  });

  it('after a successful open, the next failure is reported again', async () => {
    ctx.server.refuse = true;
    const client = connect({ transports: ['websocket'] });
    const errors: RtmError[] = [];
    client.on('error', (error) => errors.push(error));
    await ctx.server.until(() => ctx.server.attempts >= 2);
    ctx.server.refuse = false;
    await nextState(client, 'open');
    ctx.server.refuse = true;
    ctx.server.peers.at(-1)!.kill();
    const attempts = ctx.server.attempts;
    await ctx.server.until(() => ctx.server.attempts >= attempts + 2);
    expect(errors.map((e) => e.code)).toEqual(['connect', 'connect']);
  });

  it('with every transport, each transport’s failure is reported once, however many rounds of retries', async () => {
    const port = await deadPort();
    const { errors, reasons } = watched(`ws://127.0.0.1:${port}/rtc`, { transports: undefined });
    await sleep(800);
    expect(reasons[1]).toMatch(/^reconnecting: connect failed/);
    const causes = errors.map((e) => e.info);
    expect(errors.every((e) => e.code === 'connect')).toBe(true);
    expect(new Set(causes).size).toBe(causes.length);
    expect(causes.length).toBeGreaterThanOrEqual(1);
    expect(causes.length).toBeLessThanOrEqual(3);
  });
});

// Sockets the server stops serving give their descriptors back, even when the peer never closes its side:
// idle connections that never send a request, and refused upgrades (404, 403, 429). Counted in the real
// server process's /proc/<pid>/fd, while every client socket stays open.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET } from '../test/peer.test-util.js';

const dir = fileURLToPath(new URL('../node_modules/.cache/rtm-descriptors-test/', import.meta.url));
const bin = `${dir}rtm-server.mjs`;

let child: ChildProcess;
let port: number;
const clients: Socket[] = [];

const descriptors = (): number => readdirSync(`/proc/${child.pid}/fd`).length;

/** Opens a raw TCP connection that never closes its side (a FIN from the server does not end it), sends `request` if any, and collects what comes back. */
function rawClient(request?: string): { socket: Socket; answer: () => string; ended: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  clients.push(socket);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  if (request !== undefined) socket.write(request);
  return { socket, answer: () => answer, ended };
}

const upgrade = (path: string, headers: Record<string, string> = {}): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

describe.skipIf(!existsSync('/proc/self/fd'))('file descriptors', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await build({ entryPoints: [fileURLToPath(new URL('../cli.ts', import.meta.url))], outfile: bin, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
    const args = ['--port', '0', '--idle-timeout', '1', '--ip-connections', '1', '--trust-proxy', 'loopback', '--origins', 'https://app.example.com', '--log-level', 'error'];
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^RTM_/.test(name)));
    child = spawn(process.execPath, [bin, ...args], { env: { ...env, RTM_JWT_SECRET: SECRET, RTM_API_KEY: 'key-0123456789' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`rtm-server exited with ${code}: ${out}`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
    });
  });

  afterAll(() => {
    for (const socket of clients) socket.destroy();
    child?.kill('SIGKILL');
  });

  it('return to the baseline after 200 idle and 200 refused sockets whose peers never close', async () => {
    // Warm up whatever the server opens lazily on its first request, then take the baseline.
    const warm = rawClient('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await warm.ended;
    warm.socket.destroy();
    await new Promise((settle) => setTimeout(settle, 300));
    const baseline = descriptors();

    const idle = Array.from({ length: 200 }, () => rawClient());
    const refused = [
      ...Array.from({ length: 70 }, () => [rawClient(upgrade('/no-such-endpoint')), '404'] as const),
      ...Array.from({ length: 65 }, () => [rawClient(upgrade('/rtc', { Origin: 'https://evil.example.com' })), '403'] as const),
      // --ip-connections 1: one attempt from this (proxied) client passes the rate, the next ones are refused.
      ...Array.from({ length: 65 }, () => [rawClient(upgrade('/no-such-endpoint', { 'X-Forwarded-For': '203.0.113.9' })), '429|404'] as const),
    ];
    await expect.poll(() => descriptors(), { timeout: 5_000 }).toBeGreaterThanOrEqual(baseline + 300);

    // Every peer is told why before its socket goes: 408 for the idle ones, the refusal for the others.
    await Promise.all([...idle, ...refused.map(([client]) => client)].map((client) => client.ended));
    for (const client of idle) expect(client.answer()).toMatch(/^HTTP\/1\.1 408 /);
    for (const [client, status] of refused) expect(client.answer()).toMatch(new RegExp(`^HTTP/1\\.1 (${status}) `));
    expect(refused.filter(([client]) => client.answer().startsWith('HTTP/1.1 429')).length).toBeGreaterThanOrEqual(64);

    // Our side of all 400 stays open; the server's descriptors must come back anyway.
    expect(clients.filter((socket) => !socket.destroyed).length).toBeGreaterThanOrEqual(400);
    await expect.poll(descriptors, { timeout: 15_000, interval: 200 }).toBeLessThanOrEqual(baseline);

    // And it still serves.
    const health = rawClient('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await health.ended;
    expect(health.answer()).toMatch(/^HTTP\/1\.1 200 /);
  }, 40_000);
});

// What plain HTTP exposes: static files with safe headers and nothing outside public/, only the browser
// bundles under /dist/, /metrics behind an optional bearer token, and no error log for a client's own hang-up.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startServer } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
let root: string;
const lines: Array<{ level: string; event: string }> = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rtm-http-'));
  const pub = join(root, 'public');
  const dist = join(root, 'dist');
  mkdirSync(pub);
  mkdirSync(dist);
  writeFileSync(join(root, 'outside.txt'), 'private');
  writeFileSync(join(pub, 'page.html'), '<!doctype html><script src="/dist/rtm.iife.min.js"></script><script>window.x = 1;</script>');
  writeFileSync(join(pub, 'style.css'), 'body {}');
  symlinkSync(join(root, 'outside.txt'), join(pub, 'leak.txt'));
  symlinkSync(root, join(pub, 'up'));
  mkdirSync(join(dist, 'demo'));
  mkdirSync(join(dist, 'chunks'));
  for (const file of ['rtm.js', 'rtm.js.map', 'rtm-plugins.js', 'rtm-react.js', 'rtm.iife.js', 'rtm.iife.min.js', 'rtm.iife.min.js.map', 'demo/react-chat.js', 'server.js', 'server.js.map', 'rtm-server.js', 'rtm-server.js.map', 'chunks/server-x.js']) {
    writeFileSync(join(dist, file), `// ${file}`);
  }
  const record = (level: string) => (event: string) => void lines.push({ level, event });
  server = await startServer({ publicDir: pub, distDir: dist, metricsToken: 'scrape-0123456789', logger: { info: record('info'), warn: record('warn'), error: record('error') } });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('static files', () => {
  it('come with nosniff, a CSP that pins the inline scripts by hash, and no framing', async () => {
    const page = await fetch(`${server.url}/page.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(csp).toContain("object-src 'none'");
    const css = await fetch(`${server.url}/style.css`);
    expect(css.headers.get('x-content-type-options')).toBe('nosniff');
    expect(css.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('never follow a symlink out of public/', async () => {
    expect((await fetch(`${server.url}/leak.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}/up/outside.txt`)).status).toBe(404);
  });

  it('/dist/ serves the browser bundles and their maps, not the server bundle or its maps', async () => {
    for (const file of ['rtm.js', 'rtm.js.map', 'rtm-plugins.js', 'rtm-react.js', 'rtm.iife.js', 'rtm.iife.min.js', 'rtm.iife.min.js.map', 'demo/react-chat.js']) expect((await fetch(`${server.url}/dist/${file}`)).status, file).toBe(200);
    for (const file of ['server.js', 'server.js.map', 'rtm-server.js', 'rtm-server.js.map', 'chunks/server-x.js', 'types/server-mock/index.d.ts']) expect((await fetch(`${server.url}/dist/${file}`)).status, file).toBe(404);
  });
});

describe('/metrics with a metrics token', () => {
  it('answers 401 without the bearer token and the metrics with it', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': API_KEY } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('rtm_connections');
  });
});

describe('a client that hangs up mid-body', () => {
  it('is logged below error', async () => {
    const socket = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /api/broadcast HTTP/1.1\r\nHost: x\r\nx-api-key: ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"channel":`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await expect.poll(() => lines.some((line) => line.event === 'http_aborted')).toBe(true);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

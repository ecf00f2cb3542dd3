// The command line: settings from flags, environment and config file, --help, and the real binary's lifecycle.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../auth/tokens.js';
import { helpText, readInvocation } from './cli.js';
import { checkOptions } from './check.js';
import { SECRET, openPeer } from '../test/peer.test-util.js';
import { ConfigError } from '../errors.js';
import { loadDevKeys } from './dev-keys.js';

const files = (content: Record<string, unknown>) => (path: string) => {
  if (path !== 'rtm.json') throw new Error('ENOENT');
  return JSON.stringify(content);
};

describe('reading settings', () => {
  it('takes a flag over the environment over the config file', () => {
    const file = files({ port: 1, maxSubscriptions: 10, origins: ['https://a.example'], legacy: true, apiKeys: { oracle: 'k-oracle' } });
    const env = { RTM_CONFIG: 'rtm.json', PORT: '2', RTM_MAX_SUBSCRIPTIONS: '20', RTM_TOKEN_REMINDER: '30' };
    const invocation = readInvocation(['--port', '3', '--no-legacy', '--origins', 'https://b.example, https://c.example', '--grace', '7'], env, file);
    expect(invocation).toEqual({
      command: 'serve',
      options: {
        port: 3,
        legacy: false,
        origins: ['https://b.example', 'https://c.example'],
        timing: { reminder: 30, grace: 7 },
        limits: { maxSubscriptions: 20 },
        apiKeys: { oracle: 'k-oracle' },
      },
    });
  });

  it('reads history and de-duplication settings, per-pattern rules included, from flags and the config file', () => {
    const file = files({ history: ['room:*=100/60', 'ds:*=0'], historyTtl: 30, dedupMax: 500 });
    const invocation = readInvocation(['--config', 'rtm.json', '--history-size', '50', '--history-memory', '2097152', '--dedup-window', '60'], {}, file);
    expect(invocation).toEqual({
      command: 'serve',
      options: {
        history: { size: 50, ttl: 30, maxBytes: 2097152, rules: [{ pattern: 'room:*', size: 100, ttl: 60 }, { pattern: 'ds:*', size: 0 }] },
        dedup: { window: 60, maxEntries: 500 },
      },
    });
    expect(() => readInvocation(['--history', 'room:*=lots'], {})).toThrow(/history rule "room:\*=lots" must look like/);
  });

  it('reads the Redis URL from --redis, RTM_REDIS_URL or the config file; without it the server stays in memory', () => {
    expect(readInvocation(['--redis', 'redis://127.0.0.1:6380'], { RTM_REDIS_URL: 'redis://other:1' })).toEqual({ command: 'serve', options: { redis: 'redis://127.0.0.1:6380' } });
    expect(readInvocation([], { RTM_REDIS_URL: 'rediss://:pw@cache:6379/2' })).toEqual({ command: 'serve', options: { redis: 'rediss://:pw@cache:6379/2' } });
    expect(readInvocation(['--config', 'rtm.json'], {}, files({ redis: 'redis://cache:6379' }))).toEqual({ command: 'serve', options: { redis: 'redis://cache:6379' } });
    expect(readInvocation([], {})).toEqual({ command: 'serve', options: {} });
  });

  it('reads the basic flags and variables (--port, --dev, HOST, RTM_JWT_SECRET, RTM_API_KEY) and the token and help commands', () => {
    const invocation = readInvocation(['--port', '0', '--dev'], { RTM_JWT_SECRET: SECRET, RTM_API_KEY: 'key', HOST: '0.0.0.0' });
    expect(invocation).toEqual({ command: 'serve', options: { port: 0, dev: true, secret: SECRET, apiKey: 'key', host: '0.0.0.0' } });
    expect(readInvocation(['token', '--sub', 'alice', '--ttl', '60'], { RTM_JWT_SECRET: SECRET })).toEqual({ command: 'token', secret: SECRET, sub: 'alice', ttl: 60 });
    expect(readInvocation(['--help'], {})).toEqual({ command: 'help' });
  });

  it.each([
    [['--port', 'eighty'], {}, /--port must be a whole number/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['serve'], {}, /unknown command "serve"/],
    [[], { RTM_DEV: 'maybe' }, /RTM_DEV must be true or false/],
    [[], { RTM_CONFIG: 'missing.json' }, /cannot read config file missing.json/],
    [['--config', 'rtm.json'], {}, /unknown setting\(s\) "maxSubscription"/],
    [['token', '--sub', 'a'], {}, /needs the server secret/],
    [['token'], { RTM_JWT_SECRET: SECRET }, /needs --sub/],
  ])('refuses %j %j with a clear message', (argv, env, message) => {
    expect(() => readInvocation(argv, env, files({ maxSubscription: 1 }))).toThrow(ConfigError);
    expect(() => readInvocation(argv, env, files({ maxSubscription: 1 }))).toThrow(message);
  });

  it.each<[string[], Record<string, string>, RegExp, Record<string, unknown>?]>([
    [[], { RTM_JWT_SECRET: '' }, /RTM_JWT_SECRET is empty/],
    [[], { RTM_JWT_SECRET: '   ' }, /RTM_JWT_SECRET is empty/],
    [[], { RTM_API_KEY: '' }, /RTM_API_KEY is empty/],
    [[], { RTM_JWKS: '\t' }, /RTM_JWKS is empty/],
    [[], { RTM_METRICS_TOKEN: '' }, /RTM_METRICS_TOKEN is empty/],
    [['--secret', ' '], {}, /--secret is empty/],
    [['--config', 'rtm.json'], {}, /"secret" in rtm.json is empty/, { secret: '' }],
    [['--config', 'rtm.json'], {}, /API key "default2" must be a non-empty string/, { apiKeys: { default2: ' ' } }],
  ])('an empty or blank credential %j %j is a configuration error, never development mode', (argv, env, message, file = {}) => {
    const read = () => {
      const invocation = readInvocation(argv, env, files(file));
      // The JSON config's apiKeys are checked where every option is: at createServer().
      if (invocation.command === 'serve') checkOptions(invocation.options);
    };
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it.each(['https://app.example.com/', 'https://app.example.com/path', 'app.example.com', '*'])('refuses the Origin %j: an Origin is https://host[:port], without a path', (origin) => {
    const options = readInvocation(['--origins', origin], {});
    expect(options.command).toBe('serve');
    if (options.command === 'serve') expect(() => checkOptions(options.options)).toThrow(/must look like https:\/\/host\[:port\], without a path/);
    expect(() => checkOptions({ origins: ['https://app.example.com:8443', 'http://localhost:8080'] })).not.toThrow();
  });

  it('reads --trust-proxy as a list of proxy addresses; a bare boolean is refused', () => {
    expect(readInvocation(['--trust-proxy', 'loopback, 10.0.0.0/8'], {})).toEqual({ command: 'serve', options: { trustProxy: ['loopback', '10.0.0.0/8'] } });
    expect(() => checkOptions({ trustProxy: true as never })).toThrow(/must list the proxy addresses/);
  });

  it('documents every flag and variable in --help', () => {
    const help = helpText();
    for (const flag of ['--port', '--host', '--secret', '--jwks', '--issuer', '--audience', '--clock-tolerance', '--api-key', '--dev', '--reminder', '--grace', '--auth-timeout', '--max-payload', '--max-depth', '--max-subscriptions', '--rate-burst', '--rate', '--abuse-limit', '--ip-connections', '--max-connections-per-ip', '--max-connections-per-user', '--idle-timeout', '--metrics-token', '--legacy-channels', '--max-buffered', '--heartbeat', '--origins', '--channels', '--resources', '--[no-]legacy', '--trust-proxy', '--log-level', '--log-payloads', '--message-log', '--config']) {
      expect(help).toContain(flag);
    }
    for (const env of ['PORT', 'HOST', 'RTM_JWT_SECRET', 'RTM_API_KEY', 'RTM_DEV', 'RTM_TOKEN_REMINDER', 'RTM_CONFIG']) expect(help).toContain(env);
    for (const code of ['4001', '4002', '4003', '4004']) expect(help).toContain(code);
  });

  it('has every setting of --help in the configuration list of docs/server.md, with the same variable', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/server.md', import.meta.url)), 'utf8');
    const rows = [...helpText().matchAll(/^ {2}(--\S+)\s.*?\s(RTM_\w+|PORT|HOST)\s/gm)];
    expect(rows.length).toBeGreaterThan(25);
    for (const [, flag, env] of rows) expect(doc, flag).toMatch(new RegExp(`^- \`${flag!.replace(/[[\]]/g, '\\$&')}[^\`]*\` · \`${env}\`:`, 'm'));
  });
});

describe('development keys', () => {
  it('are generated once, kept in the file (owner-only), reused, and replaced only when asked', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rtm-dev-keys-')), 'nested', 'keys.json');
    const first = loadDevKeys(file, false);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadDevKeys(file, false)).toEqual(first);
    const fresh = loadDevKeys(file, true);
    expect(fresh.secret).not.toBe(first.secret);
    expect(loadDevKeys(file, false)).toEqual(fresh);
  });

  it('never overwrites a file that holds something else', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rtm-dev-keys-')), 'package.json');
    writeFileSync(file, '{"name": "mine"}');
    expect(() => loadDevKeys(file, false)).toThrow(/holds no dev keys: pass --dev-fresh to replace it/);
    expect(readFileSync(file, 'utf8')).toBe('{"name": "mine"}');
  });
});

describe('the rtm-server binary', () => {
  const bin = fileURLToPath(new URL('../../node_modules/.cache/rtm-cli-test/rtm-server.mjs', import.meta.url));
  beforeAll(async () => {
    mkdirSync(fileURLToPath(new URL('../../node_modules/.cache/rtm-cli-test', import.meta.url)), { recursive: true });
    await build({ entryPoints: [fileURLToPath(new URL('../cli.ts', import.meta.url))], outfile: bin, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  });

  const run = (args: string[], env: Record<string, string> = {}) => {
    // The test's own environment must not leak a secret or key into the child (an empty one would be an error).
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^RTM_/.test(name)));
    const child = spawn(process.execPath, [bin, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  };

  it('prints --help and exits 0; a bad setting exits 1 with the reason', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toContain('--max-subscriptions');
    const bad = run(['--max-depth', 'deep']);
    expect(await bad.exited).toBe(1);
    expect(bad.err()).toMatch(/^rtm-server: --max-depth must be a whole number/);
  });

  it('refuses to start with an empty secret (an unset variable in an env file) instead of falling into development mode', async () => {
    const empty = run(['--port', '0'], { RTM_JWT_SECRET: '', RTM_API_KEY: 'k' });
    expect(await empty.exited).toBe(1);
    expect(empty.err()).toMatch(/^rtm-server: RTM_JWT_SECRET is empty/);
    expect(empty.out()).not.toContain('listening');
  });

  it('signs a token with `token --sub`', async () => {
    const token = run(['token', '--sub', 'alice', '--ttl', '60'], { RTM_JWT_SECRET: SECRET });
    expect(await token.exited).toBe(0);
    expect(await createAuth(SECRET).verify(token.out().trim())).toMatchObject({ sub: 'alice' });
  });

  it('in development mode keeps its generated secret and API key across a restart, and says where', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rtm-dev-keys-')), 'keys.json');
    const start = async (...extra: string[]) => {
      const server = run(['--port', '0', '--log-level', 'warn', '--dev-keys', file, ...extra]);
      await expect.poll(() => /RTM_API_KEY=\S+/.test(server.out()), { timeout: 5_000 }).toBe(true);
      server.child.kill('SIGTERM');
      // Its exit code is the SIGTERM test's concern, below.
      await server.exited;
      return { secret: /RTM_JWT_SECRET=(\S+)/.exec(server.out())![1], apiKey: /RTM_API_KEY=(\S+)/.exec(server.out())![1], out: server.out() };
    };
    const first = await start();
    expect(first.out).toContain(`Kept in ${file} across restarts`);
    expect(await start()).toMatchObject({ secret: first.secret, apiKey: first.apiKey });
    const fresh = await start('--dev-fresh');
    expect(fresh.secret).not.toBe(first.secret);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ secret: fresh.secret, apiKey: fresh.apiKey });
  });

  it('starts, prints the listening line, and on SIGTERM closes clients with 1001 and exits 0', async () => {
    const server = run(['--port', '0', '--dev', '--log-level', 'warn'], { RTM_JWT_SECRET: SECRET, RTM_API_KEY: 'k' });
    await expect.poll(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out()), { timeout: 5_000 }).toBeTruthy();
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out())![1]!;
    const token = await createAuth(SECRET).sign('alice', 60);
    const peer = await openPeer(`${url.replace('http', 'ws')}/rtc?access_token=${token}`);
    expect((await peer.command('ping')).response.pong).toBe(true);
    server.child.kill('SIGTERM');
    expect((await peer.closed).code).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(server.out()).not.toContain(token);
  });
});

// Logs, the message log file and graceful shutdown.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from './log.js';
import { LEGACY_ON, API_KEY, channelArgs, openPeer, post, rtcPeer, startServer } from '../test/peer.test-util.js';

function capture(level = 'info') {
  const lines: string[] = [];
  return { lines, logger: jsonLogger((line) => lines.push(line), level), events: () => lines.map((l) => JSON.parse(l)) };
}

describe('structured logs', () => {
  it('log connect, disconnect, auth failures and broadcasts with user, IP and Origin, and never a token or key', async () => {
    const log = capture();
    const server = await startServer({ logger: log.logger });
    const token = await server.auth.sign('alice', 3600);
    const peer = await openPeer(`${server.ws}/rtc?access_token=${token}`, { origin: 'https://app.example.com' });
    await peer.command('subscribe', channelArgs('news'));
    await peer.command('jwt replace', { token: await server.auth.sign('mallory', 60) });
    await post(server, '/api/broadcast', { channel: 'news', eventName: 'flash', payload: { secret: 'payload-text' } });
    await post(server, '/api/broadcast', { channel: 'news', payload: 1 }, { 'x-api-key': 'wrong-key-value' });
    const at = token.length - 10; // inside the signature, clear of the last character's padding bits
    const forged = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    const bad = await openPeer(`${server.ws}/rtc?access_token=${forged}`, { origin: 'https://app.example.com' });
    await bad.closed;
    await peer.close();
    await server.close();

    const events = log.events();
    const find = (event: string) => events.filter((e) => e.event === event);
    expect(find('connect')[0]).toMatchObject({ level: 'info', user: 'alice', ip: '127.0.0.1', origin: 'https://app.example.com', time: expect.any(String) });
    expect(find('disconnect').find((e) => e.user === 'alice')).toMatchObject({ ip: '127.0.0.1', origin: 'https://app.example.com', code: 1005 });
    expect(find('auth_failed').map((e) => e.reason)).toEqual(['jwt replace for another subject', 'token signature is invalid']);
    expect(find('auth_failed')[1]).toMatchObject({ level: 'warn', ip: '127.0.0.1', origin: 'https://app.example.com' });
    expect(find('broadcast')[0]).toMatchObject({ channel: 'news', eventName: 'flash', recipients: 1, key: 'default', ip: '127.0.0.1' });
    expect(find('api_key_rejected')).toHaveLength(1);
    const all = log.lines.join('\n');
    for (const secret of [token, forged, token.split('.')[2]!, API_KEY, 'wrong-key-value', server.secret, 'payload-text']) expect(all).not.toContain(secret);
  });

  it('include payloads only with logPayloads', async () => {
    const log = capture();
    const server = await startServer({ logger: log.logger, logPayloads: true });
    await post(server, '/api/broadcast', { channel: 'news', eventName: 'flash', payload: { n: 'visible' } });
    await server.close();
    expect(log.events().find((e) => e.event === 'broadcast')).toMatchObject({ payload: { n: 'visible' } });
  });

  it('redact token-like fields wherever a caller puts them, and honour the level', () => {
    const log = capture('warn');
    log.logger.info('hidden', { a: 1 });
    log.logger.warn('x', { token: 't1', access_token: 't2', apiKey: 'k', nested: { token: 't3', secret: 's', access_token: 't5', apiKey: 'k3' }, headers: { authorization: 'Bearer t4', 'x-api-key': 'k2', cookie: 'c1' } });
    expect(log.lines).toHaveLength(1);
    for (const value of ['t1', 't2', 't3', 't4', 't5', 'k2', 'k3', 'c1', '"s"']) expect(log.lines[0]).not.toContain(value);
    expect(log.events()[0]).toMatchObject({ event: 'x', token: '[redacted]', nested: { token: '[redacted]', secret: '[redacted]' } });
  });
});

describe('message log file', () => {
  it('appends one JSON line per channel message: ts, source, channel, eventName, status, error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rtm-log-')), 'nested', 'messages.jsonl');
    const server = await startServer({ messageLog: file });
    const peer = await rtcPeer(server, 'alice');
    await peer.command('publish', { channel: 'room', data: { eventName: 'chat', payload: 'hi' } });
    await peer.command('publish', { channel: 'user:bob', data: { eventName: 'sneak', payload: 1 } });
    await post(server, '/api/broadcast', { channel: 'news', event_name: 'flash', payload: 1 });
    await post(server, '/api/broadcast', { channel: 'bad\tchannel', eventName: 'oops', payload: 1 });
    await peer.close();
    await server.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ts: expect.any(String), source: 'alice', channel: 'room', eventName: 'chat', status: 'sent', recipients: 0 },
      { ts: expect.any(String), source: 'alice', channel: 'user:bob', eventName: 'sneak', status: 'rejected', error: { code: 2, info: expect.any(String) } },
      { ts: expect.any(String), source: 'api:default', channel: 'news', eventName: 'flash', status: 'sent', recipients: 0 },
      { ts: expect.any(String), source: 'api:default', channel: 'bad\tchannel', eventName: 'oops', status: 'rejected', error: { code: 1001, info: expect.any(String) } },
    ]);
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, closes RTC clients with 1001 and legacy ones with 1012, and finishes even if a client never answers (it is cut off)', async () => {
    const server = await startServer(LEGACY_ON);
    const rtc = await rtcPeer(server);
    const legacy = await openPeer(`${server.ws}/`);
    const stuck = await rtcPeer(server, 'stuck');
    stuck.ws.pause(); // reads nothing more, so never answers the close
    const closing = server.close();
    expect((await rtc.closed).code).toBe(1001);
    // 1012, not 1001: the original APEX RTM Listener plug-in gives up on 1000/1001 and reconnects after 3 s on anything else.
    expect((await legacy.closed).code).toBe(1012);
    await expect(openPeer(`${server.ws}/rtc`)).rejects.toThrow(/503/);
    await closing;
    // The server's side is gone: once the stuck client reads again it finds the close frame and the end of the stream.
    stuck.ws.resume();
    expect((await stuck.closed).code).toBe(1001);
  });

  it('answers /readyz 503 and refuses upgrades with 503 while draining', async () => {
    const server = await startServer();
    const stuck = await rtcPeer(server);
    stuck.ws.pause();
    const closing = server.close();
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'stopping' });
    await expect(openPeer(`${server.ws}/rtc`)).rejects.toThrow(/503/);
    await closing;
    await expect(fetch(`${server.url}/readyz`)).rejects.toThrow();
  });
});

// The REST API contracts other parts build on: /api/broadcast, /api/users/<id>/messages, /api/events, health, metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, channelArgs, metric, post, rtcPeer, startServer } from '../test/peer.test-util.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  server = await startServer({ apiKeys: { oracle: 'oracle-key-0123456789' }, resources: ['ds:orders', 'fs'] });
});
afterAll(() => server.close());

const errorOf = async (response: Response) => ({ status: response.status, body: await response.json() });
const expectError = async (response: Response, status: number, code: number) =>
  expect(await errorOf(response)).toEqual({ status, body: { error: { code, info: expect.any(String) } } });

describe('POST /api/events', () => {
  it('emits RTC events to subscribers whose actions include the action or all, and answers 200 with the count', async () => {
    const created = await rtcPeer(server, 'a');
    const all = await rtcPeer(server, 'b');
    await created.command('subscribe', { action: ['created'], resource: { type: 'ds', name: 'orders' } });
    await all.command('subscribe', { action: ['all'], resource: { type: 'ds', name: 'orders' } });
    const response = await post(server, '/api/events', { resource: { type: 'ds', name: 'orders' }, action: 'updated', data: [{ id: 'o-1' }], modifier: { id: 'ums:42' } });
    expect(await response.json()).toEqual({ ok: true, resource: { type: 'ds', name: 'orders' }, action: 'updated', recipients: 1 });
    expect((await all.waitFor((m) => m.type === 'event')).data).toMatchObject({ action: 'updated', modifier: { id: 'ums:42' }, data: [{ id: 'o-1' }] });
    const second = await post(server, '/api/events', { resource: { type: 'ds', name: 'orders' }, action: 'created', data: [{ id: 'o-2' }] }, { 'x-api-key': 'oracle-key-0123456789' });
    expect((await second.json()).recipients).toBe(2);
    for (const peer of [created, all]) expect((await peer.waitFor((m) => m.type === 'event' && m.data.action === 'created')).data.modifier).toEqual({ id: 'api:oracle' });
    await Promise.all([created.close(), all.close()]);
  });

  it('answers bad requests with {error: {code, info}} and the right status', async () => {
    const ok = { resource: { type: 'ds', name: 'orders' }, action: 'created', data: [] };
    await expectError(await post(server, '/api/events', ok, { 'x-api-key': 'wrong' }), 401, 2);
    await expectError(await post(server, '/api/events', ok, {}), 401, 2);
    await expectError(await post(server, '/api/events', '[1]'), 400, 4);
    await expectError(await post(server, '/api/events', { ...ok, resource: 'ds:orders' }), 400, 4);
    await expectError(await post(server, '/api/events', { ...ok, resource: { type: 'channel', name: 'x' } }), 400, 1000);
    await expectError(await post(server, '/api/events', { ...ok, resource: { type: 'sql', name: 'orders' } }), 404, 1000);
    await expectError(await post(server, '/api/events', { ...ok, resource: { type: 'ds', name: 'customers' } }), 404, 1001);
    await expectError(await post(server, '/api/events', { ...ok, action: 'all' }), 400, 1002);
    await expectError(await post(server, '/api/events', { ...ok, action: 'published' }), 400, 1002);
    await expectError(await post(server, '/api/events', { ...ok, modifier: 'me' }), 400, 4);
    await expectError(await post(server, '/api/events', { ...ok, data: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) }), 400, 4);
    const get = await fetch(`${server.url}/api/events`);
    expect(get.headers.get('allow')).toBe('POST');
    await expectError(get, 405, 6);
  });
});

describe('POST /api/users/<id>/messages', () => {
  it('publishes {eventName, payload} on user:<id>, with either spelling', async () => {
    const alice = await rtcPeer(server, 'alice@example.com');
    await alice.command('subscribe', channelArgs('user:alice@example.com'));
    const response = await post(server, '/api/users/alice%40example.com/messages', { event_name: 'invoice', payload: { total: 12 } });
    expect(await response.json()).toEqual({ ok: true, channel: 'user:alice@example.com', eventName: 'invoice', recipients: 1 });
    expect((await alice.waitFor((m) => m.type === 'event')).data).toMatchObject({
      resource: { type: 'channel', name: 'user:alice@example.com' },
      modifier: { id: 'api:default' },
      data: { eventName: 'invoice', payload: { total: 12 } },
    });
    await alice.close();
  });

  it('answers bad requests with {error: {code, info}} and the right status', async () => {
    await expectError(await post(server, '/api/users/alice/messages', { eventName: 'x' }, { 'x-api-key': 'nope' }), 401, 2);
    await expectError(await post(server, '/api/users/alice/messages', { eventName: 5 }), 400, 4);
    await expectError(await post(server, '/api/users/alice/messages', 'nope'), 400, 4);
    await expectError(await post(server, `/api/users/${'a'.repeat(300)}/messages`, { eventName: 'x' }), 400, 1001);
    await expectError(await post(server, '/api/users/a/b/messages', { eventName: 'x' }), 404, 6);
    await expectError(await fetch(`${server.url}/api/users/alice/messages`), 405, 6);
  });
});

describe('POST /api/broadcast', () => {
  it('answers a broadcast with {ok, channel, eventName, recipients}, takes the key as a Bearer token too, and answers 413 for bodies over 64 KiB', async () => {
    expect(await (await post(server, '/api/broadcast', { channel: 'news', eventName: null, payload: 1 })).json()).toEqual({ ok: true, channel: 'news', eventName: null, recipients: 0 });
    expect((await post(server, '/api/broadcast', { channel: 'news', payload: 1 }, { authorization: `Bearer ${API_KEY}` })).status).toBe(200);
    await expectError(await post(server, '/api/broadcast', { channel: 'news', payload: 'x'.repeat(70 * 1024) }), 413, 4);
  });

  it('answers 503 when the server has no API key at all', async () => {
    const keyless = await startServer({ apiKey: undefined, dev: false });
    await expectError(await post(keyless, '/api/broadcast', { channel: 'news', payload: 1 }), 503, 1);
    await keyless.close();
  });
});

describe('operations endpoints', () => {
  it('serves /healthz, /readyz and /metrics, and 404 JSON for unknown API paths', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    await expectError(await fetch(`${server.url}/api/nothing`), 404, 6);
    await expectError(await fetch(`${server.url}/rtc`), 426, 4);
    const peer = await rtcPeer(server);
    await peer.command('subscribe', channelArgs('m'));
    await peer.command('teleport');
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(metric(text, 'rtm_connections', '{endpoint="rtc",transport="websocket"}')).toBe(1);
    expect(metric(text, 'rtm_subscriptions')).toBe(1);
    expect(metric(text, 'rtm_messages_in_total', '{transport="websocket"}')).toBeGreaterThanOrEqual(2);
    expect(metric(text, 'rtm_messages_out_total', '{transport="websocket"}')).toBeGreaterThanOrEqual(2);
    expect(metric(text, 'rtm_errors_total', '{code="6"}')).toBe(1);
    expect(metric(text, 'rtm_broadcasts_total', '{source="rest"}')).toBeGreaterThan(0);
    expect(text).toContain('rtm_slow_consumers_total 0');
    await peer.close();
    await expect.poll(async () => metric(await (await fetch(`${server.url}/metrics`)).text(), 'rtm_subscriptions')).toBe(0);
  });

  it('serves the dev token endpoint only in development mode', async () => {
    expect((await fetch(`${server.url}/api/dev/token?sub=x`)).status).toBe(404);
    const dev = await startServer({ dev: true });
    const { token, sub } = await (await fetch(`${dev.url}/api/dev/token?sub=x&ttl=60`)).json();
    expect(sub).toBe('x');
    expect((await dev.auth.verify(token)).sub).toBe('x');
    await dev.close();
  });
});

// Stands in for the SDK's e2e/teardowns.ts, which sets up a Jexia project through its management API. Here the
// project is rtm-server plus the login stub, which also serves the two REST APIs the stories use besides RTC:
// dataset records (insert/update/delete, kept in memory, each change pushed to watchers with POST /api/events)
// and channel history (getLog, read from rtm-server's own history by a subscribe with `since`).
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { echoedCommand } from '../../../protocol/index.js';
import { createServer, silentLogger, type RtmServer } from '../../../server-mock/index.js';
import { authStub, socketSpy, type AuthStub } from '../../jexia-sdk.test-util.js';
import { sdk } from '../sdk.js';

const SECRET = 'story-secret-0123456789abcdef-01234';
const API_KEY = 'story-api-key-0123456789';
/** The API key's id: Jexia's are UUIDs, and stored channel messages name their sender by it. */
const SENDER = randomUUID();

export const dom = sdk.dataOperations();
let spy: ReturnType<typeof socketSpy> | undefined;
export const rtm = sdk.realTime((url: string) => spy!.build(url) as never);

let server: RtmServer | undefined;
let stub: AuthStub | undefined;
let client: ReturnType<typeof sdk.jexiaClient> | undefined;
const records = new Map<string, Map<string, Record<string, unknown>>>();

/** The channels that exist: the stories' own, and the one created without a policy. */
const CHANNELS = ['my_channel', 'channel_with_no_policy'];

/** What the stories' `management` object is asked for; channels are configured on the server, so this only names them. */
export const management = {
  createChannel: async (name: string) => ({ id: name, name }),
  deleteChannel: async (_id: string) => {},
};

async function start(): Promise<void> {
  server = createServer({ port: 0, secret: SECRET, apiKey: API_KEY, logger: silentLogger, channels: CHANNELS });
  await server.listen();
  const rtmServer = server;
  // The API key's policy: its channel and every dataset, not channel_with_no_policy.
  stub = await authStub(rtmServer, { sub: SENDER, rights: { subscribe: ['my_channel', 'ds:*'], publish: ['my_channel'] }, rest: (method, url, body) => rest(rtmServer, method, url, body) });
  spy = socketSpy(rtmServer.url.replace(/^http/, 'ws'));
  client = sdk.jexiaClient();
  await client.init({ projectURL: stub.url, key: 'story-key', secret: 'story-secret' }, dom, rtm);
}

export const init = async (datasetName = 'test_dataset', _fields: unknown[] = [], _loadRtc = false): Promise<void> => {
  records.set(datasetName, new Map());
  await start();
};

export const initWithChannel = async (_channelName: string, _loadRtc = false): Promise<void> => start();

export const cleaning = async (): Promise<void> => {
  await client?.terminate().catch(() => {});
  spy?.closeAll();
  await stub?.close();
  await server?.close();
};

async function rest(rtmServer: RtmServer, method: string, url: string, body: unknown): Promise<unknown> {
  const { pathname, searchParams } = new URL(url, 'http://stub');
  const [, kind, name] = pathname.split('/');
  const cond = searchParams.has('cond') ? (JSON.parse(searchParams.get('cond')!) as unknown[]) : undefined;
  if (kind === 'channel' && method === 'GET') return history(rtmServer, name!, cond);
  const set = kind === 'ds' ? records.get(name!) : undefined;
  if (!set) return undefined;
  const now = new Date().toISOString();
  if (method === 'POST') {
    const created = (body as Array<Record<string, unknown>>).map((fields) => ({ id: randomUUID(), created_at: now, updated_at: now, ...fields }));
    for (const record of created) set.set(record.id, record);
    await emit(rtmServer, name!, 'created', created);
    return created;
  }
  const matched = [...set.values()].filter((record) => matches(record, cond));
  if (method === 'PATCH') {
    for (const record of matched) Object.assign(record, body, { updated_at: now });
    await emit(rtmServer, name!, 'updated', matched);
    return matched;
  }
  if (method === 'DELETE') {
    for (const record of matched) set.delete(record.id as string);
    await emit(rtmServer, name!, 'deleted', matched);
    return matched;
  }
  return undefined;
}

/** A filter of the SDK's form `[{field}, "=", value]` (the only one the stories use); none matches everything. */
function matches(record: Record<string, unknown>, cond: unknown[] | undefined): boolean {
  if (!cond) return true;
  const [{ field } = {} as { field?: string }, operator, value] = cond as [{ field?: string }, string, unknown];
  return operator === '=' && field !== undefined && JSON.stringify(record[field]) === JSON.stringify(value);
}

async function emit(rtmServer: RtmServer, dataset: string, action: string, changed: Array<Record<string, unknown>>): Promise<void> {
  const response = await fetch(`${rtmServer.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({ resource: { type: 'ds', name: dataset }, action, data: changed.map(({ id }) => ({ id })), modifier: { id: `apk:${SENDER}` } }),
  });
  if (!response.ok) throw new Error(`POST /api/events answered ${response.status}`);
}

/** A channel's messages as Jexia stores them, replayed from rtm-server's history. */
async function history(rtmServer: RtmServer, channel: string, cond: unknown[] | undefined): Promise<unknown> {
  const ws = new WebSocket(`${rtmServer.url.replace(/^http/, 'ws')}/rtc?access_token=${await rtmServer.auth.sign('history-reader', 60)}`);
  const frames: any[] = [];
  const waiting = new Map<string, (data: any) => void>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (frame.type === 'event') frames.push(frame.data);
    if (frame.type === 'command response') waiting.get(echoedCommand(frame.data.request)?.correlation_id as string)?.(frame.data);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const command = (id: string, args: unknown) =>
    new Promise<any>((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ type: 'command', data: { command: 'subscribe', correlation_id: id, arguments: args } }));
    });
  try {
    const resource = { type: 'channel', name: channel };
    const { response: position } = await command('position', { action: ['published'], resource, positions: true });
    const { response: replay } = await command('replay', { action: ['published'], resource, since: { epoch: position.epoch, offset: 0 } });
    if (!replay.recovered) throw new Error(`history of ${channel} is gone: ${replay.info}`);
    return frames
      .map((event) => ({ id: randomUUID(), sender_id: event.modifier.id, sender_type: 'apk', created_at: event.timestamp, updated_at: event.timestamp, data: event.data }))
      .filter((message) => matches(message, cond));
  } finally {
    ws.close();
  }
}

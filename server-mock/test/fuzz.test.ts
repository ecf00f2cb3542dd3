// Property-based fuzzing: random frames never crash the server, never get an internal error, always get exactly one
// answer each, and leave memory where it was.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { metric, post, rtcPeer, startServer } from './peer.test-util.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAndBuffers = (): number => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;

beforeAll(async () => {
  // Rate limits off the table: the subject is input handling, and 10,000 frames arrive as fast as the socket allows.
  server = await startServer({ limits: { rateBurst: 1_000_000, ratePerSecond: 1_000_000 } });
});
afterAll(() => server.close());

// Mostly well-formed, so the generators reach the command handlers and not only the parser; every field can go wrong.
const sometimes = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) => fc.oneof({ weight: 8, arbitrary: usual }, { weight: 1, arbitrary: odd });
const anyJson = (maxDepth: number) => fc.jsonValue({ maxDepth });
const name = sometimes(fc.constantFrom('a', 'news', 'ds', 'user:fuzzer', 'user:other', 'room:1'), fc.oneof(fc.constantFrom('', 'x'.repeat(256), 'caf\u00e9', 'a b'), fc.string({ maxLength: 20 })));
const resource = sometimes(fc.record({ type: sometimes(fc.constantFrom('channel', 'ds', 'fs'), fc.constantFrom('nope', '', 'CHANNEL')), name }), anyJson(3));
const action = sometimes(
  fc.array(sometimes(fc.constantFrom('published', 'publish', 'created', 'updated', 'deleted', 'all'), fc.oneof(fc.constant('x'), anyJson(1))), { minLength: 1, maxLength: 4 }),
  anyJson(2),
);
const argumentsFor = (command: string) => {
  switch (command) {
    case 'subscribe':
    case 'unsubscribe':
      return sometimes(fc.record({ action, resource }), anyJson(4));
    case 'publish':
      return sometimes(fc.record({ channel: sometimes(name, anyJson(2)), data: sometimes(anyJson(4), anyJson(40)) }), anyJson(4));
    case 'jwt replace':
      return sometimes(fc.record({ token: sometimes(fc.string({ maxLength: 60 }), anyJson(2)) }), anyJson(2));
    default:
      return anyJson(4);
  }
};
const commandData = sometimes(fc.constantFrom('subscribe', 'unsubscribe', 'publish', 'jwt replace', 'ping'), fc.string({ maxLength: 20 })).chain((command) =>
  fc.record({ command: sometimes(fc.constant(command), anyJson(2)), correlation_id: anyJson(6), arguments: argumentsFor(command) }, { requiredKeys: ['command'] }),
);
const commandFrame = fc.record({
  type: sometimes(fc.constant('command'), fc.oneof(fc.constantFrom('event', 'notification', 'command response', ''), anyJson(2))),
  data: sometimes(commandData, anyJson(4)),
});
const frame = fc.oneof(
  { weight: 6, arbitrary: commandFrame.map((f) => JSON.stringify(f)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 50 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.nat({ max: 60 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
);

/** Codes a client may legitimately get for bad input; 1 (internal error) is not among them. */
const INPUT_ERRORS = new Set([2, 3, 4, 5, 6, 7, 1000, 1001, 1002]);

describe('fuzzing', () => {
  it('answers ≥10,000 random frames one each, never with an internal error, and memory stays flat', async () => {
    const token = await server.auth.sign('fuzzer', 3600);
    const ws = new WebSocket(`${server.ws}/rtc?access_token=${token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let answers = 0;
    const bad: string[] = [];
    const seen = new Map<number | 'ok', number>();
    let wake = (): void => {};
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type !== 'command response') return;
      answers += 1;
      const code = message.data.error?.code;
      seen.set(code ?? 'ok', (seen.get(code ?? 'ok') ?? 0) + 1);
      if (code !== undefined && !INPUT_ERRORS.has(code)) bad.push(data.toString().slice(0, 300));
      wake();
    });
    let sent = 0;
    const sendBatch = async (frames: string[]): Promise<void> => {
      for (const text of frames) ws.send(text);
      sent += frames.length;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${answers} answers for ${sent} frames`)), 5_000);
        wake = () => {
          if (answers < sent) return;
          clearTimeout(timer);
          resolve();
        };
        wake();
      });
    };

    const run = (numRuns: number) =>
      fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 40, maxLength: 40 }), async (frames) => {
          await sendBatch(frames);
          expect(answers).toBe(sent);
          expect(bad).toEqual([]);
        }),
        { numRuns },
      );
    await run(50); // warm-up: JIT, pools, first allocations, fast-check's own state
    const warmUp = sent;
    gc();
    const before = heapAndBuffers();
    await run(250);
    expect(sent - warmUp).toBeGreaterThanOrEqual(10_000);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    // The generators reach the real command paths, not just the parser: successes and every kind of refusal occur.
    for (const outcome of ['ok', 2, 3, 4, 5, 6, 1000, 1001, 1002] as const) expect(seen.get(outcome), String(outcome)).toBeGreaterThan(20);

    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    await expect.poll(async () => metric(await (await fetch(`${server.url}/metrics`)).text(), 'rtm_connections', '{endpoint="rtc",transport="websocket"}')).toBe(0);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(after, 'rtm_subscriptions')).toBe(0);
    expect(metric(after, 'rtm_topics')).toBe(0);
    gc();
    const growth = heapAndBuffers() - before;
    // About 2 MB of test-side state (fast-check, expect) is normal; keeping every frame received would add 2.5 MB more.
    expect(growth).toBeLessThan(4 * 1024 * 1024);

    const peer = await rtcPeer(server, 'after');
    expect((await peer.command('ping')).response.pong).toBe(true);
    await peer.close();
  }, 60_000);

  it('before authentication, answers 2,000 random frames one each and never lets one through', async () => {
    const ws = new WebSocket(`${server.ws}/rtc`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const codes: Array<number | 'ok'> = [];
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      codes.push(message.data.error?.code ?? 'ok');
    });
    const frames = fc.sample(frame, { numRuns: 2_000, seed: 42 });
    for (const text of frames) ws.send(text);
    await expect.poll(() => codes.length, { timeout: 10_000 }).toBe(frames.length);
    expect(codes.filter((code) => code === 'ok' || code === 1)).toEqual([]);
    expect(new Set(codes)).toEqual(new Set([3, 4, 5]));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('answers 1,000 random REST bodies with 2xx or a JSON {error} 4xx, never 5xx', async () => {
    const body = fc.oneof(
      fc.record({ resource: fc.oneof(fc.record({ type: fc.constantFrom('ds', 'fs', 'channel', 'x'), name }), fc.jsonValue({ maxDepth: 2 })), action: fc.oneof(fc.constantFrom('created', 'updated', 'deleted', 'all'), fc.jsonValue({ maxDepth: 1 })), data: fc.jsonValue({ maxDepth: 5 }), modifier: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((b) => ['/api/events', JSON.stringify(b)] as const),
      fc.record({ channel: name, eventName: fc.jsonValue({ maxDepth: 1 }), event_name: fc.jsonValue({ maxDepth: 1 }), payload: fc.jsonValue({ maxDepth: 40 }) }, { requiredKeys: [] }).map((b) => ['/api/broadcast', JSON.stringify(b)] as const),
      fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 100 })).map(([id, text]) => [`/api/users/${encodeURIComponent(id)}/messages`, text] as const),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([path, text]) => {
        const response = await post(server, path, text);
        const json = await response.json();
        if (response.status >= 300) {
          expect(response.status).toBeLessThan(500);
          expect(json).toEqual({ error: { code: expect.any(Number), info: expect.any(String) } });
        } else expect(json.ok).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  }, 30_000);
});

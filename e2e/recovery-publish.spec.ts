import { expect, test } from '@playwright/test';
import { startProxy } from './client-proxy.js';
import { FAST, TRANSPORTS, openRecoveryPage, received, unique } from './sdk-page.js';
import { startServer } from './server.js';

// A publish whose acknowledgement is lost with the link is re-sent on the next link with the same
// correlation_id; the server recognises the repeat, acknowledges it, and does not publish it again.

for (const transport of TRANSPORTS) {
test(`${transport}: a publisher whose link drops right after sending (acknowledgement lost) retries, and the message appears once`, async ({ browser }) => {
  const server = await startServer();
  const relay = await startProxy(server.port);
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const channel = unique('ack-lost');
    const [readerPage, writerPage] = await Promise.all(contexts.map((context) => context.newPage()));
    await openRecoveryPage(readerPage!, server.url, { sub: 'reader', channels: [channel] });
    await openRecoveryPage(writerPage!, server.url, { ws: `ws://127.0.0.1:${relay.port}`, sub: 'writer', clientOptions: { transports: [transport] } });
    expect(await writerPage!.evaluate(() => (window as any).rtm.transport)).toBe(transport);

    // From now on nothing the server says reaches the writer over this link: the acknowledgement will be lost.
    relay.muteDownstream();
    const outcome = writerPage!.evaluate((name) => (window as any).rtm.channel(name).publish('n', 'once').then(() => 'acknowledged', (e: { code: unknown }) => `rejected ${String(e.code)}`), channel);
    // The server accepted and published it...
    await expect.poll(() => received(readerPage!, channel), FAST).toEqual(['once']);
    expect(await writerPage!.evaluate(() => (window as any).rtm.stats().pending)).toBe(1);
    // ...and the link drops before the writer heard back.
    relay.cut();
    expect(await outcome).toBe('acknowledged');

    const sends = await writerPage!.evaluate(() =>
      (window as any).log.filter((line: string) => line.startsWith('send ') && line.includes('"command":"publish"')).map((line: string) => JSON.parse(line.slice('send '.length)).data.correlation_id),
    );
    // Long-polling may not even lose the link: the browser repeats a poll whose connection broke, and the server
    // answers it with the same batch, acknowledgement included. Otherwise the publish is sent again, with the same ID.
    if (transport === 'long-poll') expect(sends.length).toBeGreaterThanOrEqual(1);
    else expect(sends).toHaveLength(2);
    expect(sends.every((id: unknown) => JSON.stringify(id) === JSON.stringify(sends[0]))).toBe(true);

    // A later message arrives after it: had the repeat been published, it would be in between.
    await writerPage!.evaluate((name) => (window as any).rtm.channel(name).publish('n', 'after'), channel);
    await expect.poll(() => received(readerPage!, channel), FAST).toEqual(['once', 'after']);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const repeats = Number(/^rtm_publish_repeats_total (\d+)$/m.exec(metrics)?.[1]);
    // Over WebSocket every repeat the server saw is one the client sent again. An HTTP transport may also re-send a
    // POST whose connection broke under it (the client cannot know whether it arrived); the server must then
    // recognise that repeat too, which the single 'once' above proves.
    if (transport === 'websocket') expect(repeats).toBe(sends.length - 1);
    else expect(repeats).toBeGreaterThanOrEqual(sends.length - 1);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await relay.close();
    await server.stop();
  }
});
}

import { expect, test } from '@playwright/test';
import { base, defineDAs, openWidgetPage, pageLog, restBroadcast, settled, unique } from './widgets-page.js';

// The APEX form, on a page with a stand-in for the apex.* namespace that
// runs DAs the way da.js does (fn.call(context), Wait for Result, Stop
// Execution On Error).

test('ten DA firings on one page open exactly one WebSocket, and re-firing a Listener does not duplicate it', async ({ browser }) => {
  const channel = unique('ten');
  const { page, sockets } = await openWidgetPage(browser, `<input id="P10_MESSAGE" value="x"><button id="SEND">Send</button><ul id="got"></ul>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    channel,
    `
    const listener = { javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute03: 'ping', attribute04: 'got-ping' };
    // The Listener DA fires on page load and again on each "relisten" event (e.g. after a partial page refresh).
    dynamicAction({ when: { event: 'ready' }, actionList: [listener] });
    dynamicAction({ when: { event: 'relisten' }, actionList: [listener] });
    dynamicAction({ when: { event: 'got-ping' }, actionList: [{ javascriptFunction() { log.push('got ' + this.data.payload.n); } }] });
    dynamicAction({ when: { event: 'click', selector: '#SEND' }, actionList: [{ javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute02: '/rtc', attribute03: channel, attribute04: 'sent', attribute07: 'SOCKET', attribute08: 'P10_MESSAGE' }] });
    dynamicAction({ when: { event: 'rtm-sent', selector: '#SEND' }, actionList: [{ javascriptFunction() { log.push('sent'); } }] });
  `,
  );
  // 1 (load) + 2 Listener firings + 7 Broadcast firings = 10.
  await page.evaluate(() => {
    apex.event.trigger(document, 'relisten');
    apex.event.trigger(document, 'relisten');
  });
  for (let i = 0; i < 7; i++) await page.click('#SEND');
  await expect.poll(async () => (await pageLog(page)).filter((entry) => entry === 'sent').length).toBe(7);
  await settled(page);
  await restBroadcast(channel, 'ping', { n: 1 });
  await expect.poll(() => pageLog(page)).toContain('got 1');
  await settled(page);
  expect((await pageLog(page)).filter((entry) => entry.startsWith('got'))).toEqual(['got 1']);
  expect(sockets).toHaveLength(1);
  await page.context().close();
});

test('Wait for Result resumes the chain on acknowledgement and stops it on error', async ({ browser }) => {
  const channel = unique('wait');
  const { page } = await openWidgetPage(browser, `<button id="OK">ok</button><button id="BAD">bad</button><button id="BAD_GO_ON">bad, go on</button>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    channel,
    `
    const broadcast = (target) => ({ javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute02: '/rtc', attribute03: target, attribute04: 'ping', attribute06: 'RAISE', attribute07: 'SOCKET', attribute09: '{"a":1}', waitForResult: true, stopExecutionOnError: true });
    const mark = (text) => ({ javascriptFunction() { log.push(text); } });
    dynamicAction({ when: { event: 'click', selector: '#OK' }, actionList: [broadcast(channel), mark('after ok')] });
    // ALICE may not publish to BOB's private channel: the server refuses.
    dynamicAction({ when: { event: 'click', selector: '#BAD' }, actionList: [broadcast('user:BOB'), mark('after bad')] });
    dynamicAction({ when: { event: 'click', selector: '#BAD_GO_ON' }, actionList: [{ ...broadcast('user:BOB'), stopExecutionOnError: false }, mark('after bad, go on')] });
    dynamicAction({ when: { event: 'rtm-sent', selector: 'button' }, actionList: [mark('sent')] });
    dynamicAction({ when: { event: 'rtm-send-error', selector: 'button' }, actionList: [{ javascriptFunction() { log.push('error ' + this.data.error.code); } }] });
  `,
  );
  await page.click('#OK');
  // The next action ran only after the acknowledgement.
  await expect.poll(() => pageLog(page)).toEqual(['sent', 'after ok']);

  await page.click('#BAD');
  await expect.poll(() => pageLog(page)).toEqual(['sent', 'after ok', 'error 2']);
  await page.click('#BAD_GO_ON');
  await expect.poll(() => pageLog(page)).toEqual(['sent', 'after ok', 'error 2', 'error 2', 'after bad, go on']);
  // By now the #BAD chain has long been settled: its next action never ran.
  expect(await pageLog(page)).not.toContain('after bad');
  await page.context().close();
});

test('Wait for Result treats a missing acknowledgement as an error once the timeout passes', async ({ browser }) => {
  const channel = unique('timeout');
  const { page } = await openWidgetPage(browser, `<button id="STOP">stop</button><button id="GO_ON">go on</button>`, { apexUser: 'ALICE' });
  // Between the page and the real server, drop the server's answers to publish: the acknowledgement never comes.
  await page.routeWebSocket(/\/rtc/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((frame) => {
      const { type, data } = JSON.parse(String(frame));
      const request = data?.request?.data ?? data?.request;
      if (type === 'command response' && request?.command === 'publish') return;
      ws.send(frame);
    });
  });
  await defineDAs(
    page,
    channel,
    `
    const broadcast = (stop) => ({ javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute02: '/rtc', attribute03: channel, attribute04: 'ping', attribute06: 'RAISE', attribute07: 'SOCKET', attribute11: '300', waitForResult: true, stopExecutionOnError: stop });
    const mark = (text) => ({ javascriptFunction() { log.push(text); } });
    dynamicAction({ when: { event: 'click', selector: '#STOP' }, actionList: [broadcast(true), mark('after stop')] });
    dynamicAction({ when: { event: 'click', selector: '#GO_ON' }, actionList: [broadcast(false), mark('after go on')] });
    dynamicAction({ when: { event: 'rtm-send-error', selector: 'button' }, actionList: [{ javascriptFunction() { log.push('error ' + this.data.error.code); } }] });
  `,
  );
  await page.click('#STOP');
  await expect.poll(() => pageLog(page)).toEqual(['error timeout']);
  await expect(page.locator('#STOP')).toBeEnabled();
  await page.click('#GO_ON');
  await expect.poll(() => pageLog(page)).toEqual(['error timeout', 'error timeout', 'after go on']);
  expect(await pageLog(page)).not.toContain('after stop');
  await page.context().close();
});

test('a message a page user published cannot choose which item it writes; only the declared map is written', async ({ browser }) => {
  const channel = unique('items');
  const { page } = await openWidgetPage(browser, `<input id="P10_MESSAGE" value=""><input id="P10_SECRET" value="keep"><input id="P10_ROLE" value="user">`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    channel,
    `dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute07: 'P10_MESSAGE=payload.text' }] });`,
  );
  await settled(page);
  // The original APEX RTM Listener wrote apex.item(payload.itemName) for any sender. A page user's publish (not the server's)
  // naming an item, or carrying item-named fields, changes nothing here.
  await page.evaluate(async (channel) => {
    await RTM.broadcast({ channel, event: 'ping', payload: { itemName: 'P10_SECRET', value: 'pwned', P10_SECRET: 'pwned', P10_ROLE: 'admin' } });
  }, channel);
  await restBroadcast(channel, 'ping', { text: 'hello' });
  await expect(page.locator('#P10_MESSAGE')).toHaveValue('hello');
  await expect(page.locator('#P10_SECRET')).toHaveValue('keep');
  await expect(page.locator('#P10_ROLE')).toHaveValue('user');
  await page.context().close();
});

test('notification text containing <img onerror> is shown as text (APEX success message)', async ({ browser }) => {
  const channel = unique('notify');
  const { page } = await openWidgetPage(browser, `<div id="APEX_SUCCESS_MESSAGE"></div><div id="orders" class="t-Region"></div>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    channel,
    `dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute03: 'order.*', attribute08: 'orders', attribute09: 'New order: {payload.name}' }] });`,
  );
  await settled(page);
  const hostile = '<img src=x onerror="window.pwned=1">';
  await restBroadcast(channel, 'order.created', { name: hostile });
  await expect(page.locator('#APEX_SUCCESS_MESSAGE')).toHaveText(`New order: ${hostile}`);
  await expect(page.locator('#APEX_SUCCESS_MESSAGE img')).toHaveCount(0);
  // The same Listener refreshed its region through apex.region(id).refresh().
  await expect(page.locator('#orders')).toHaveAttribute('data-refreshed', '1');
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await page.context().close();
});

test('a Listener DA on a resource refreshes its region on created/updated events and hands the records to DAs', async ({ browser }) => {
  const name = unique('orders');
  const { page } = await openWidgetPage(browser, `<div id="orders_report" class="t-Region"></div>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    name,
    `
    dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute14: 'ds:' + channel, attribute03: 'created,updated', attribute08: 'orders_report' }] });
    dynamicAction({ when: { event: 'rtm-message' }, actionList: [{ javascriptFunction() { log.push(this.data.eventName + ' ' + this.data.payload[0].id); } }] });
  `,
  );
  await settled(page);
  const emit = async (action: string, id: number): Promise<void> => {
    const response = await fetch(`${base()}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
      body: JSON.stringify({ resource: { type: 'ds', name }, action, data: [{ id }] }),
    });
    expect(response.status).toBe(200);
  };
  await emit('created', 1);
  await emit('deleted', 1);
  await emit('updated', 2);
  await expect.poll(() => pageLog(page)).toEqual(['created 1', 'updated 2']);
  await expect(page.locator('#orders_report')).toHaveAttribute('data-refreshed', '2');
  await page.context().close();
});

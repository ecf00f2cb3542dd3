import { expect, test } from '@playwright/test';
import { downServerUrl, guardedFunction, standInDatabase } from './apex-database.js';
import { base, defineDAs, openWidgetPage, pageLog, restBroadcast, settled, unique } from './widgets-page.js';

// An APEX app that ran the original APEX RTM plug-ins, after importing rtm-kit's over them: its dynamic actions and
// processes keep their attribute values (01-06, original meanings), on the APEX stand-in, with the database's part
// (rtm_plugin) stood in for over the real server's REST API (e2e/apex-database.ts).

const standin = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as { apexStandin: { setValues: Array<{ item: string; suppressChange: boolean }>; submits: Array<{ ok: boolean; error?: string }> } }).apexStandin);

test('a Listener and a Broadcast DA configured only with the original attributes 01-06 work end to end', async ({ browser }) => {
  const channel = unique('original');
  const body = `<input id="P10_MESSAGE"><button id="SEND_HELLO">Send Hello</button>`;
  const [sender, receiver] = await Promise.all([openWidgetPage(browser, body, { apexUser: 'ALICE' }), openWidgetPage(browser, body, { apexUser: 'BOB' })]);
  for (const { page } of [sender, receiver]) await standInDatabase(page);
  const wsBase = base().replace(/^http/, 'ws');
  for (const { page } of [sender, receiver]) {
    await defineDAs(
      page,
      channel,
      `
      // The original APEX RTM plug-ins' "Hello" example page: Listener 01 Base WebSocket URL (the server's root, as the original
      // Node bridge had it), 02 Channel, 03 Event Name, 04 APEX Event Name.
      dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: ${JSON.stringify(wsBase)}, attribute02: channel, attribute03: 'ping', attribute04: 'rtm-message' }] });
      dynamicAction({ when: { event: 'rtm-message' }, actionList: [{ javascriptFunction() { log.push('received ' + this.data.payload.value + ' from ' + (this.data.modifier || '').split(':')[0]); } }] });
      // Broadcast 01 API Key (left from the original; never used in the browser), 02 Base URL, 03 Channel,
      // 04 Event Name, 05 Payload Item, 06 On Error.
      dynamicAction({ when: { event: 'click', selector: '#SEND_HELLO' }, actionList: [{ javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute01: '0301198103011981', attribute02: ${JSON.stringify(base())}, attribute03: channel, attribute04: 'ping', attribute05: 'P10_MESSAGE', attribute06: 'LOG' }] });
    `,
    );
    await settled(page);
  }
  await sender.page.fill('#P10_MESSAGE', 'Hello from ALICE');
  await sender.page.click('#SEND_HELLO');
  // The original's {itemName, value} convention: the server published it, so the named item is set.
  await expect(receiver.page.locator('#P10_MESSAGE')).toHaveValue('Hello from ALICE');
  await expect.poll(() => pageLog(receiver.page)).toEqual(['received Hello from ALICE from api']);
  await expect.poll(() => pageLog(sender.page)).toEqual(['received Hello from ALICE from api']);
  // Each page opened one WebSocket, to rtm-kit's endpoint under the original base URL.
  expect(receiver.sockets.map((url) => url.replace(/\?.*/, ''))).toEqual([`${wsBase}/rtc`]);
  await Promise.all([sender.page.context().close(), receiver.page.context().close()]);
});

test('when the rtm-kit script fails to load, the RTM actions only warn and the page\'s other dynamic actions keep running', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, `<input id="P10_MESSAGE" value="x"><button id="SEND">send</button><button id="OTHER">other</button>`, { apexUser: 'ALICE', bundle: false });
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  // The server is down (or blocked by a CSP, or http on an https page): the bundle's <script> fails.
  await page.route('**/dist/rtm.iife.min.js', (route) => route.abort());
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const script = document.createElement('script');
        script.src = '/dist/rtm.iife.min.js';
        script.onerror = resolve;
        document.head.append(script);
      }),
  );
  await page.evaluate(
    ({ listener, broadcast }) => {
      const { dynamicAction } = (window as unknown as { apexStandin: { dynamicAction(def: unknown): void } }).apexStandin;
      const log: string[] = ((window as unknown as { log: string[] }).log = []);
      const mark = (text: string) => ({ javascriptFunction: () => log.push(text) });
      // The functions the plug-ins' render functions hand to APEX, as rtm_plugin.sql writes them.
      const listenerFn = (0, eval)(`(${listener})`);
      const broadcastFn = (0, eval)(`(${broadcast})`);
      dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: listenerFn, ajaxIdentifier: 'L', attribute02: 'test' }, mark('after listener')] });
      dynamicAction({
        when: { event: 'click', selector: '#SEND' },
        actionList: [{ javascriptFunction: broadcastFn, ajaxIdentifier: 'B', attribute03: 'test', attribute05: 'P10_MESSAGE', waitForResult: true, stopExecutionOnError: true }, mark('after broadcast')],
      });
      dynamicAction({ when: { event: 'click', selector: '#OTHER' }, actionList: [mark('other')] });
    },
    { listener: guardedFunction('listener', 'RTM - Listener'), broadcast: guardedFunction('broadcast', 'RTM - Broadcast') },
  );
  await page.click('#SEND');
  await page.click('#OTHER');
  await expect.poll(() => pageLog(page)).toEqual(['after listener', 'after broadcast', 'other']);
  expect(warnings.filter((text) => text.includes('rtm-kit script did not load'))).toHaveLength(2);
  await page.context().close();
});

test('Set Items does not bounce a value between two pages that each broadcast the item on Change', async ({ browser }) => {
  const channel = unique('no-loop');
  const body = `<input id="P10_MESSAGE">`;
  const pages = await Promise.all([openWidgetPage(browser, body, { apexUser: 'ALICE' }), openWidgetPage(browser, body, { apexUser: 'BOB' })]);
  for (const { page } of pages) {
    await standInDatabase(page);
    await defineDAs(
      page,
      channel,
      `
      dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute03: 'sync', attribute07: 'P10_MESSAGE=payload.value' }] });
      // Broadcast on Change of P10_MESSAGE: counted each time it fires.
      dynamicAction({ when: { event: 'change', selector: '#P10_MESSAGE' }, actionList: [{ javascriptFunction() { log.push('broadcast ' + apex.item('P10_MESSAGE').getValue()); return RTM.apex.broadcast.call(this); }, ajaxIdentifier: 'B', attribute03: channel, attribute04: 'sync', attribute05: 'P10_MESSAGE' }] });
      dynamicAction({ when: { event: 'rtm-message' }, actionList: [{ javascriptFunction() { log.push('received ' + this.data.payload.value); } }] });
    `,
    );
    await settled(page);
  }
  const [a, b] = pages.map(({ page }) => page) as [import('@playwright/test').Page, import('@playwright/test').Page];
  // The user types and leaves the field: the browser fires change.
  await a.fill('#P10_MESSAGE', '{"n":1}');
  await a.press('#P10_MESSAGE', 'Tab');
  await expect(b.locator('#P10_MESSAGE')).toHaveValue('{"n":1}');
  await expect.poll(() => pageLog(a)).toEqual(['broadcast {"n":1}', 'received {"n":1}']);
  // B set the item (and so would have fired its Broadcast on Change synchronously, had the change event not been
  // suppressed): it never broadcast.
  await expect.poll(() => pageLog(b)).toEqual(['received {"n":1}']);
  expect((await standin(b)).setValues.every((set) => set.suppressChange)).toBe(true);
  await Promise.all(pages.map(({ page }) => page.context().close()));
});

test('a Broadcast Process with On Error = LOG does not fail the page submit when the server is down; RAISE does', async ({ browser }) => {
  const down = await downServerUrl();
  const process = { attribute01: null, attribute02: down, attribute03: unique('saved'), attribute04: 'order.saved', attribute05: 'P10_ORDER_ID' };
  for (const [onError, ok] of [['LOG', true], [null, true], ['IGNORE', true], ['RAISE', false]] as const) {
    const { page } = await openWidgetPage(browser, `<button id="SAVE">save</button>`, { apexUser: 'ALICE' });
    const database = await standInDatabase(page, { process: { ...process, attribute06: onError }, sessionState: { P10_ORDER_ID: '42' } });
    await page.evaluate(() => (window as unknown as { apex: { page: { submit(): Promise<unknown> } } }).apex.page.submit());
    const [submit] = (await standin(page)).submits;
    expect(submit?.ok, `On Error ${String(onError)}`).toBe(ok);
    // LOG (and an empty On Error, which means LOG) leaves the failure in the debug log.
    expect(database.debugLog.length, `On Error ${String(onError)}`).toBe(onError === 'LOG' || onError === null ? 1 : 0);
    await page.context().close();
  }
});

for (const [what, setUp] of [
  ['an ended APEX session (the token callback fails with 401)', 'apexStandin.sessionEnded = true'],
  ['a public page (the token callback refuses the nobody user)', "apexStandin.appUser = 'nobody'"],
] as const) {
  test(`${what} stops the page connection with unauthorized instead of asking again and again`, async ({ browser }) => {
    const { page } = await openWidgetPage(browser, '', { apexUser: 'ALICE' });
    const outcome = await page.evaluate(async (setUp) => {
      const apexStandin = (window as unknown as { apexStandin: { ajaxCalls: string[] } }).apexStandin;
      new Function('apexStandin', setUp)(apexStandin);
      const context = { action: { ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: 'test' }, triggeringElement: document };
      RTM.apex.listener.call(context as never);
      const client = await RTM.pageClient();
      const codes: unknown[] = [];
      client.on('error', (error) => codes.push(error.code));
      if (client.state !== 'closed') await new Promise<void>((resolve) => client.on('state', ({ state }) => state === 'closed' && resolve()));
      return { codes, state: client.state, tokenCalls: apexStandin.ajaxCalls.length };
    }, setUp);
    expect(outcome).toEqual({ codes: ['unauthorized'], state: 'closed', tokenCalls: 1 });
    await page.context().close();
  });
}

test('Only Server Messages acts on what the REST API published and ignores what a page user published; objects are set as JSON text', async ({ browser }) => {
  const channel = unique('server-only');
  const { page } = await openWidgetPage(browser, `<input id="P10_ORDER">`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    channel,
    `
    dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute03: 'order.approved', attribute07: 'P10_ORDER=payload.order', attribute12: 'SERVER_ONLY' }] });
    dynamicAction({ when: { event: 'rtm-message' }, actionList: [{ javascriptFunction() { log.push(this.data.payload.order.id + ' by ' + this.data.modifier.split(':')[0]); } }] });
  `,
  );
  await settled(page);
  // A page user fakes the event a Broadcast Process sends after a real approval: ignored.
  await page.evaluate((channel) => RTM.broadcast({ channel, event: 'order.approved', payload: { order: { id: 666 } } }), channel);
  await restBroadcast(channel, 'order.approved', { order: { id: 42 } });
  await expect.poll(() => pageLog(page)).toEqual(['42 by api']);
  await expect(page.locator('#P10_ORDER')).toHaveValue('{"id":42}');
  await page.context().close();
});

test('an APEX user name with a space, a backslash and non-ASCII letters has its private channel', async ({ browser }) => {
  const user = "Zoë O'Brien \\ Øre";
  const { page } = await openWidgetPage(browser, `<input id="P10_NOTE">`, { apexUser: user });
  // user:&APP_USER. as APEX substitutes it and rtm_plugin.render_listener passes it on (rtm_api.user_channel keeps
  // every character but % and controls).
  await defineDAs(
    page,
    `user:${user}`,
    `dynamicAction({ when: { event: 'ready' }, actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'L', attribute01: '/rtc', attribute02: channel, attribute07: 'P10_NOTE=payload.text' }] });`,
  );
  await settled(page);
  // rtm_api.notify_user: POST /api/users/<name, URL-encoded>/messages.
  const response = await fetch(`${base()}/api/users/${encodeURIComponent(user)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ eventName: 'note', payload: { text: 'for you' } }),
  });
  expect(response.status).toBe(200);
  await expect(page.locator('#P10_NOTE')).toHaveValue('for you');
  await page.context().close();
});

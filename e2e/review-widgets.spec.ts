import { expect, test } from '@playwright/test';
import { SignJWT } from 'jose';
import { defineDAs, openWidgetPage, pageLog, restBroadcast, settled, unique } from './widgets-page.js';

// Defects a review found in the widgets, each shown the way a page author would meet it. On the APEX stand-in,
// as with jQuery, an exception in a handler of apex.event.trigger reaches the code that triggered it.

test('a throwing rtm-sent handler neither turns a delivered message into an error nor stops the Wait for Result chain', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, `<button id="OK">ok</button>`, { apexUser: 'ALICE' });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await defineDAs(
    page,
    unique('sent-throws'),
    `
    dynamicAction({ when: { event: 'click', selector: '#OK' }, actionList: [
      { javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute02: '/rtc', attribute03: channel, attribute04: 'ping', attribute06: 'RAISE', attribute07: 'SOCKET', waitForResult: true, stopExecutionOnError: true },
      { javascriptFunction() { log.push('after ok'); } },
    ] });
    dynamicAction({ when: { event: 'rtm-sent', selector: '#OK' }, actionList: [{ javascriptFunction() { log.push('sent'); throw new Error('page bug'); } }] });
    dynamicAction({ when: { event: 'rtm-send-error', selector: '#OK' }, actionList: [{ javascriptFunction() { log.push('error ' + this.data.error.code); } }] });
  `,
  );
  await page.click('#OK');
  await expect.poll(() => pageLog(page)).toEqual(['sent', 'after ok']);
  // The page's bug is still reported, as a throwing DOM listener would be.
  await expect.poll(() => pageErrors).toContain('page bug');
  await page.context().close();
});

test('a throwing rtm-send-error handler still lets Wait for Result resume the chain', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, `<button id="BAD">bad</button>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    unique('error-throws'),
    `
    dynamicAction({ when: { event: 'click', selector: '#BAD' }, actionList: [
      // ALICE may not publish to BOB's private channel: the server refuses.
      { javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'B', attribute02: '/rtc', attribute03: 'user:BOB', attribute06: 'RAISE', attribute07: 'SOCKET', waitForResult: true, stopExecutionOnError: false },
      { javascriptFunction() { log.push('after bad'); } },
    ] });
    dynamicAction({ when: { event: 'rtm-send-error', selector: '#BAD' }, actionList: [{ javascriptFunction() { log.push('error ' + this.data.error.code); throw new Error('page bug'); } }] });
  `,
  );
  await page.click('#BAD');
  await expect.poll(() => pageLog(page)).toEqual(['error 2', 'after bad']);
  await page.context().close();
});

test('a Broadcast DA that cannot connect (no Ajax callback) reports rtm-send-error and resumes the chain', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, `<button id="SEND">send</button>`, { apexUser: 'ALICE' });
  await defineDAs(
    page,
    unique('misconfigured'),
    `
    dynamicAction({ when: { event: 'click', selector: '#SEND' }, actionList: [
      { javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: null, attribute02: '/rtc', attribute03: channel, attribute07: 'SOCKET', waitForResult: true, stopExecutionOnError: false },
      { javascriptFunction() { log.push('after send'); } },
    ] });
    dynamicAction({ when: { event: 'rtm-send-error', selector: '#SEND' }, actionList: [{ javascriptFunction() { log.push('error ' + this.data.error.code); } }] });
  `,
  );
  await page.click('#SEND').catch(() => undefined);
  await expect.poll(() => pageLog(page)).toEqual(['error bad_argument', 'after send']);
  await page.context().close();
});

test('a static payload that is not valid JSON is a bad_argument RtmError, not a SyntaxError', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, `<button id="SEND" data-rtm-broadcast data-rtm-channel="${unique('json')}" data-rtm-payload="{oops">send</button>`);
  await page.evaluate(() => {
    RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token?sub=alice' });
    const log: string[] = ((window as unknown as { log: string[] }).log = []);
    document.addEventListener('rtm-send-error', (event) => {
      const { error } = (event as CustomEvent<{ error: { name: string; code: unknown } }>).detail;
      log.push(`${error.name} ${String(error.code)}`);
    });
  });
  await page.click('#SEND');
  await expect.poll(() => pageLog(page)).toEqual(['RtmError bad_argument']);
  await page.context().close();
});

test('configure and bindBroadcast refuse wrong types with bad_argument, at the call', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, '');
  const codes = await page.evaluate(() =>
    [
      () => RTM.configure({ url: '/rtc', token: 123 as never }),
      () => RTM.configure({ url: '/rtc', tokenUrl: {} as never }),
      () => RTM.configure({ url: '/rtc' }),
      () => RTM.bindBroadcast({ channel: 'x', element: 42 as never }),
      () => RTM.bindBroadcast(undefined as never),
    ].map((call) => {
      try {
        call();
        return 'no error';
      } catch (error) {
        return `${(error as Error).name} ${String((error as { code?: unknown }).code)}`;
      }
    }),
  );
  expect(codes).toEqual(Array(5).fill('RtmError bad_argument'));
  await page.context().close();
});

test('a token URL answering 401 stops the page connection with unauthorized instead of retrying for ever', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, '');
  let calls = 0;
  await page.route('**/token-logged-out', (route) => {
    calls++;
    return route.fulfill({ status: 401, body: 'logged out' });
  });
  const outcome = await page.evaluate(async () => {
    const client = RTM.configure({ url: '/rtc', tokenUrl: '/token-logged-out' });
    const codes: unknown[] = [];
    client.on('error', (error) => codes.push(error.code));
    if (client.state !== 'closed') await new Promise<void>((resolve) => client.on('state', ({ state }) => state === 'closed' && resolve()));
    return { codes, state: client.state };
  });
  expect(outcome).toEqual({ codes: ['unauthorized'], state: 'closed' });
  expect(calls).toBe(1);
  await page.context().close();
});

test('ignoreOwn skips the own echo for a user name that is not ASCII (the token payload is UTF-8)', async ({ browser }) => {
  const channel = unique('umlaut');
  const { page } = await openWidgetPage(browser, '');
  // The dev token endpoint takes ASCII subs only; a backend may sign any.
  const token = await new SignJWT({ sub: 'MÜLLER' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(process.env.RTM_E2E_SECRET!));
  await page.evaluate(
    ({ channel, token }) => {
      const seen: unknown[] = ((window as unknown as { seen: unknown[] }).seen = []);
      RTM.configure({ url: '/rtc', token: async () => token });
      RTM.listen({ channel, ignoreOwn: true, onMessage: (payload) => void seen.push(payload) });
    },
    { channel, token },
  );
  await settled(page);
  const modifier = await page.evaluate(async (channel) => {
    const client = await RTM.pageClient();
    const echo = new Promise<string | undefined>((resolve) => client.channel(channel).on((_, meta) => resolve(meta.modifier)));
    await RTM.broadcast({ channel, event: 'mine', payload: { n: 0 } });
    return echo;
  }, channel);
  expect(modifier).toBe('MÜLLER');
  await restBroadcast(channel, 'theirs', { n: 1 });
  await expect.poll(() => page.evaluate(() => (window as unknown as { seen: unknown[] }).seen)).toEqual([{ n: 1 }]);
  await page.context().close();
});

test('onState reports the Listener subscription state from the start, and stop() ends it', async ({ browser }) => {
  const channel = unique('state');
  const { page } = await openWidgetPage(browser, '');
  const states = await page.evaluate(async (channel) => {
    const states: string[] = [];
    RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
    const listener = RTM.listen({ channel, onState: (state) => void states.push(state) });
    const client = await RTM.pageClient();
    await client.ready();
    await client.request('ping');
    listener.stop();
    await client.request('ping');
    return states;
  }, channel);
  expect(states).toEqual(['subscribing', 'subscribed']);
  await page.context().close();
});

test('a resource without <type>: is refused as bad_argument at the call, not sent to the server as a made-up type', async ({ browser }) => {
  const { page } = await openWidgetPage(browser, '');
  const seen = await page.evaluate(async () => {
    RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
    let refusal = 'accepted';
    try {
      RTM.listen({ resource: 'orders', eventTarget: new EventTarget() });
    } catch (error) {
      refusal = `${(error as Error).name} ${String((error as { code?: unknown }).code)}`;
    }
    const client = await RTM.pageClient();
    await client.ready();
    return { refusal, subscriptions: client.stats().subscriptions };
  });
  expect(seen).toEqual({ refusal: 'RtmError bad_argument', subscriptions: 0 });
  await page.context().close();
});

test('an onState that throws is reported as rtm-error, and stop() still releases the subscription', async ({ browser }) => {
  const channel = unique('state-throws');
  const { page } = await openWidgetPage(browser, '');
  const outcome = await page.evaluate(async (channel) => {
    RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
    const target = new EventTarget();
    const errors: string[] = [];
    target.addEventListener('rtm-error', (event) => void errors.push((event as CustomEvent).detail.error.message));
    const listener = RTM.listen({ channel, eventTarget: target, onState: () => { throw new Error('page bug'); } });
    const client = await RTM.pageClient();
    await client.ready();
    await client.request('ping');
    listener.stop();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client.request('ping');
    return { errors: errors.slice(0, 1), listeners: client.stats().listeners };
  }, channel);
  expect(outcome).toEqual({ errors: ['page bug'], listeners: 0 });
  await page.context().close();
});

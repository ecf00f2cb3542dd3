import { expect, test } from '@playwright/test';
import { base, openWidgetPage, restBroadcast, settled, unique } from './widgets-page.js';

const connection = (sub?: string): string => `<rtm-connection url="/rtc" token-url="/api/dev/token${sub ? `?sub=${encodeURIComponent(sub)}` : ''}"></rtm-connection>`;

/** Pushes to a user's private channel the way a backend does: POST /api/users/<id>/messages with the API key. */
async function pushToUser(user: string, payload: unknown): Promise<void> {
  const response = await fetch(`${base()}/api/users/${encodeURIComponent(user)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ eventName: 'note', payload }),
  });
  expect(response.status).toBe(200);
}

test("a private user:alice listener gets a REST push to alice, and bob's page gets nothing", async ({ browser }) => {
  const alice = unique('alice');
  const bob = unique('bob');
  const mine = (me: string): string => `<rtm-listener channel="user:${me}" set="#inbox=payload.text" append></rtm-listener><ul id="inbox"></ul><ul id="stolen"></ul>`;
  const [a, b] = await Promise.all([openWidgetPage(browser, connection(alice) + mine(alice)), openWidgetPage(browser, connection(bob) + mine(bob))]);
  // bob's page also asks for user:alice; the server refuses it, and the element says so.
  const refused = await b.page.evaluate(async (alice) => {
    document.body.insertAdjacentHTML('beforeend', `<rtm-listener id="theirs" channel="user:${alice}" set="#stolen=payload.text" append></rtm-listener>`);
    const theirs = document.getElementById('theirs')!;
    return new Promise<unknown>((resolve) => theirs.addEventListener('rtm-error', (e) => resolve({ code: (e as CustomEvent).detail.error.code })));
  }, alice);
  expect(refused).toEqual({ code: 2 });
  await expect(b.page.locator('#theirs')).not.toHaveAttribute('connected');
  await Promise.all([settled(a.page), settled(b.page)]);

  await pushToUser(alice, { text: 'for alice only' });
  await pushToUser(bob, { text: 'for bob' });
  await expect(a.page.locator('#inbox li')).toHaveText(['for alice only']);
  // bob got his own message, which was sent after alice's: alice's would have arrived first.
  await expect(b.page.locator('#inbox li')).toHaveText(['for bob']);
  await expect(b.page.locator('#stolen li')).toHaveCount(0);
  await Promise.all([a.page.context().close(), b.page.context().close()]);
});

test('identity-provider subjects (auth0|…, a+b@…, an APEX user with a space and non-ASCII letters) get their user:<sub> as is', async ({ browser }) => {
  const tag = unique('x');
  const subjects = [`auth0|${tag}`, `a+${tag}@example.com`, `JÜRGEN ${tag}`];
  const pages = await Promise.all(
    subjects.map((sub) => openWidgetPage(browser, `${connection(sub)}<rtm-listener channel="user:${sub}" set="#inbox=payload.text" append></rtm-listener><ul id="inbox"></ul>`)),
  );
  await Promise.all(pages.map(({ page }) => settled(page)));
  for (const sub of subjects) await pushToUser(sub, { text: `for ${sub}` });
  for (const [i, { page }] of pages.entries()) {
    await expect(page.locator('rtm-listener')).toHaveAttribute('connected');
    await expect(page.locator('#inbox li')).toHaveText([`for ${subjects[i]}`]);
  }
  await Promise.all(pages.map(({ page }) => page.context().close()));
});

test('removing an <rtm-listener> stops its delivery; changing its channel attribute moves the subscription', async ({ browser }) => {
  const one = unique('one');
  const two = unique('two');
  const { page } = await openWidgetPage(
    browser,
    `${connection()}
    <rtm-listener id="removed" channel="${one}" set="#removed-log=payload.text" append></rtm-listener>
    <rtm-listener id="kept" channel="${one}" set="#kept-log=payload.text" append></rtm-listener>
    <rtm-listener id="moved" channel="${one}" set="#moved-log=payload.text" append></rtm-listener>
    <ul id="removed-log"></ul><ul id="kept-log"></ul><ul id="moved-log"></ul>`,
  );
  await settled(page);
  await restBroadcast(one, null, { text: 'first' });
  for (const log of ['#removed-log', '#kept-log', '#moved-log']) await expect(page.locator(`${log} li`)).toHaveText(['first']);

  await page.evaluate((two) => {
    document.getElementById('removed')!.remove();
    document.getElementById('moved')!.setAttribute('channel', two);
  }, two);
  await expect(page.locator('#removed')).toHaveCount(0);
  await settled(page);
  await restBroadcast(one, null, { text: 'second on one' });
  await restBroadcast(two, null, { text: 'on two' });
  await expect(page.locator('#kept-log li')).toHaveText(['first', 'second on one']);
  await expect(page.locator('#moved-log li')).toHaveText(['first', 'on two']);
  await expect(page.locator('#removed-log li')).toHaveText(['first']);
  await expect(page.locator('#moved')).toHaveAttribute('connected', '');
  await page.context().close();
});

test('notification text containing <img onerror> is shown as text (plain page toast)', async ({ browser }) => {
  const channel = unique('toast');
  const { page } = await openWidgetPage(browser, `${connection()}<rtm-listener channel="${channel}" notify="From {modifier}: {payload.text}"></rtm-listener>`);
  await settled(page);
  const hostile = '<img src=x onerror="window.pwned=1">';
  await restBroadcast(channel, 'x', { text: hostile });
  await expect(page.locator('#rtm-notifications [role=status]')).toHaveText(`From api:default: ${hostile}`);
  await expect(page.locator('#rtm-notifications img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await page.context().close();
});

test('event patterns, payload filter, once, debounce, ignoreOwn and a named function (JS form)', async ({ browser }) => {
  const channel = unique('options');
  const { page } = await openWidgetPage(browser, '');
  await page.evaluate((channel) => {
    const seen: Record<string, unknown[]> = {};
    (window as unknown as { seen: typeof seen }).seen = seen;
    const note = (key: string) => (payload: unknown) => void (seen[key] ??= []).push((payload as { n: number }).n);
    (window as unknown as { app: object }).app = { onOrder: note('named') };
    RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
    RTM.listen({ channel, event: 'order.*', call: note('prefix') });
    RTM.listen({ channel, event: 'order.created', where: 'status=DONE', call: 'app.onOrder' });
    RTM.listen({ channel, once: true, call: note('once') });
    RTM.listen({ channel, event: 'burst', debounce: 300, call: note('debounced') });
    RTM.listen({ channel, ignoreOwn: true, call: note('others') });
  }, channel);
  await settled(page);
  await page.evaluate((channel) => RTM.broadcast({ channel, event: 'mine', payload: { n: 0 } }), channel);
  await restBroadcast(channel, 'order.created', { n: 1, status: 'NEW' });
  await restBroadcast(channel, 'order.created', { n: 2, status: 'DONE' });
  await restBroadcast(channel, 'order.updated', { n: 3 });
  await restBroadcast(channel, 'other', { n: 4 });
  // A burst sent back to back from the page's one socket: only its last message is acted on.
  await page.evaluate((channel) => Promise.all([10, 11, 12].map((n) => RTM.broadcast({ channel, event: 'burst', payload: { n } }))), channel);
  const seen = () => page.evaluate(() => (window as unknown as { seen: Record<string, number[]> }).seen);
  await expect.poll(seen).toMatchObject({ debounced: [12] });
  // The page's own messages (0 and the burst) reached every Listener but the one with ignoreOwn.
  expect(await seen()).toEqual({ prefix: [1, 2, 3], named: [2], once: [0], debounced: [12], others: [1, 2, 3, 4] });
  await page.context().close();
});

test('data-rtm-broadcast on any DOM event, with a form or items payload; the trigger is disabled while sending', async ({ browser }) => {
  const channel = unique('form');
  const { page } = await openWidgetPage(
    browser,
    `${connection()}
    <form id="f" data-rtm-broadcast="submit" data-rtm-channel="${channel}" data-rtm-event="chat" data-rtm-payload='{"room":"lobby"}'>
      <input name="text" value="hi there"><button>Send</button>
    </form>
    <select id="mood" data-rtm-broadcast="change" data-rtm-channel="${channel}" data-rtm-event="mood" data-rtm-items="mood"><option>calm</option><option>happy</option></select>
    <rtm-listener channel="${channel}" set="#got=payload"></rtm-listener><div id="got"></div>`,
  );
  await settled(page);
  const sent = page.evaluate(
    () => new Promise<unknown>((resolve) => document.getElementById('f')!.addEventListener('rtm-sent', (e) => resolve((e as CustomEvent).detail), { once: true })),
  );
  await page.click('#f button');
  expect(await sent).toEqual({ channel, event: 'chat', response: {} });
  await expect(page.locator('#got')).toHaveText(JSON.stringify({ room: 'lobby', text: 'hi there' }));
  // The page was not navigated away by the submit.
  expect(page.url()).toBe(`${base()}/`);

  // The trigger is disabled from the event until the acknowledgement, then enabled again.
  await page.evaluate(() => {
    const states: boolean[] = ((window as unknown as { states: boolean[] }).states = []);
    const mood = document.getElementById('mood') as HTMLSelectElement;
    new MutationObserver(() => states.push(mood.disabled)).observe(mood, { attributes: true, attributeFilter: ['disabled'] });
  });
  await page.selectOption('#mood', 'happy');
  await expect(page.locator('#got')).toHaveText(JSON.stringify({ mood: 'happy' }));
  await expect.poll(() => page.evaluate(() => (window as unknown as { states: boolean[] }).states)).toEqual([true, false]);
  await page.context().close();
});

test('a field that both receives and broadcasts does not bounce messages between pages', async ({ browser }) => {
  const channel = unique('bounce');
  const body = `${connection()}
    <select id="mood" data-rtm-broadcast="change" data-rtm-channel="${channel}" data-rtm-event="mood" data-rtm-items="mood"><option>calm</option><option>happy</option></select>
    <rtm-listener channel="${channel}" set="#mood=payload.mood; #log=payload.mood" append></rtm-listener><ul id="log"></ul>`;
  const [a, b] = await Promise.all([openWidgetPage(browser, body), openWidgetPage(browser, body)]);
  await Promise.all([settled(a.page), settled(b.page)]);
  await a.page.selectOption('#mood', 'happy');
  await expect(b.page.locator('#mood')).toHaveValue('happy');
  // A marker sent after the change: once it has arrived, any echo from b's write would have arrived before it.
  await restBroadcast(channel, 'marker', { mood: 'calm' });
  await expect(a.page.locator('#log li')).toHaveText(['happy', 'calm']);
  await expect(b.page.locator('#log li')).toHaveText(['happy', 'calm']);
  await Promise.all([a.page.context().close(), b.page.context().close()]);
});

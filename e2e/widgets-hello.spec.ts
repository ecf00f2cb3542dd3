import { expect, test, type Page } from '@playwright/test';
import { openWidgetPage, settled, unique } from './widgets-page.js';

// The APEX RTM "Hello" scenario (item P10_MESSAGE, button SEND_HELLO, Listener on
// channel/event, Broadcast of the item), built in each of the three forms.
// Page A sends; page B, another user, shows the text.

async function sendAndReceive(a: Page, b: Page, received: string): Promise<void> {
  await Promise.all([settled(a), settled(b)]);
  const text = `hello ${Date.now()}`;
  await a.fill('#P10_MESSAGE', text);
  await a.click('#SEND_HELLO');
  await expect(b.locator(received)).toContainText(text);
  await expect(a.locator(received)).toContainText(text);
}

test('Hello, HTML form: data-rtm-broadcast button and <rtm-listener>', async ({ browser }) => {
  const channel = unique('hello-html');
  const body = `
    <rtm-connection url="/rtc" token-url="/api/dev/token"></rtm-connection>
    <input id="P10_MESSAGE">
    <button id="SEND_HELLO" data-rtm-broadcast data-rtm-channel="${channel}" data-rtm-event="ping" data-rtm-items="P10_MESSAGE">Send Hello</button>
    <rtm-listener channel="${channel}" event="ping" set="#messages=payload.P10_MESSAGE" append></rtm-listener>
    <ul id="messages"></ul>`;
  const [a, b] = await Promise.all([openWidgetPage(browser, body), openWidgetPage(browser, body)]);
  await expect(b.page.locator('rtm-listener')).toHaveAttribute('connected', '');
  await sendAndReceive(a.page, b.page, '#messages li');
  await Promise.all([a.page.context().close(), b.page.context().close()]);
});

test('Hello, JS form: RTM.configure, RTM.listen and RTM.bindBroadcast', async ({ browser }) => {
  const channel = unique('hello-js');
  const body = `<input id="P10_MESSAGE"><button id="SEND_HELLO">Send Hello</button><ul id="messages"></ul>`;
  const [a, b] = await Promise.all([openWidgetPage(browser, body), openWidgetPage(browser, body)]);
  for (const { page } of [a, b]) {
    await page.evaluate((channel) => {
      RTM.configure({ url: '/rtc', tokenUrl: '/api/dev/token' });
      RTM.listen({ channel, event: 'ping', set: { '#messages': 'payload.P10_MESSAGE' }, append: true });
      RTM.bindBroadcast({ element: '#SEND_HELLO', channel, event: 'ping', items: ['P10_MESSAGE'] });
    }, channel);
  }
  await sendAndReceive(a.page, b.page, '#messages li');
  await Promise.all([a.page.context().close(), b.page.context().close()]);
});

test('Hello, APEX form: Listener and Broadcast DAs called as da.js does, with this = the DA context', async ({ browser }) => {
  const channel = unique('hello-apex');
  const body = `<input id="P10_MESSAGE"><input id="P10_RECEIVED"><button id="SEND_HELLO">Send Hello</button><ul id="messages"></ul>`;
  const pages = await Promise.all([openWidgetPage(browser, body, { apexUser: 'ALICE' }), openWidgetPage(browser, body, { apexUser: 'BOB' })]);
  for (const { page } of pages) {
    await page.evaluate((channel) => {
      const { dynamicAction } = (window as unknown as { apexStandin: { dynamicAction(def: unknown): void } }).apexStandin;
      // Page load: RTM - Listener. 01 = the server's WebSocket URL; the token comes from the plug-in's Ajax callback.
      dynamicAction({
        when: { event: 'ready' },
        actionList: [{ javascriptFunction: RTM.apex.listener, ajaxIdentifier: 'LISTENER_AJAX', attribute01: '/rtc', attribute02: channel, attribute03: 'ping', attribute07: 'P10_RECEIVED=payload.P10_MESSAGE' }],
      });
      // When rtm-message (the Listener's plug-in event): Execute JavaScript Code reading this.data.
      dynamicAction({
        when: { event: 'rtm-message' },
        actionList: [
          {
            javascriptFunction(this: { data: { payload: { P10_MESSAGE: string } } }) {
              const li = document.createElement('li');
              li.textContent = this.data.payload.P10_MESSAGE;
              document.getElementById('messages')!.append(li);
            },
          },
        ],
      });
      // When SEND_HELLO is clicked: RTM - Broadcast of P10_MESSAGE, over the page's WebSocket.
      dynamicAction({
        when: { event: 'click', selector: '#SEND_HELLO' },
        actionList: [{ javascriptFunction: RTM.apex.broadcast, ajaxIdentifier: 'BROADCAST_AJAX', attribute02: '/rtc', attribute03: channel, attribute04: 'ping', attribute07: 'SOCKET', attribute08: 'P10_MESSAGE' }],
      });
    }, channel);
  }
  const [a, b] = pages.map(({ page }) => page);
  await sendAndReceive(a!, b!, '#messages li');
  await expect(b!.locator('#P10_RECEIVED')).toHaveValue(await a!.inputValue('#P10_MESSAGE'));
  // The token came from the Listener's Ajax callback, fetched once per page, for the page's APEX user.
  expect(await a!.evaluate(() => (window as unknown as { apexStandin: { ajaxCalls: string[] } }).apexStandin.ajaxCalls)).toEqual(['LISTENER_AJAX']);
  await Promise.all([a!.context().close(), b!.context().close()]);
});

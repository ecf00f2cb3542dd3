import { expect, test } from '@playwright/test';
import { broadcast, RestError } from '../server-mock/index.js';
import { base, openWidgetPage, settled, unique } from './widgets-page.js';

test('the Node helper broadcast() from rtm-kit/server reaches a Listener; a wrong key is refused with the RTC code', async ({ browser }) => {
  const channel = unique('node');
  const { page } = await openWidgetPage(
    browser,
    `<rtm-connection url="/rtc" token-url="/api/dev/token"></rtm-connection><rtm-listener channel="${channel}" event="ping" set="#got=payload.text"></rtm-listener><p id="got"></p>`,
  );
  await settled(page);
  const answer = await broadcast({ url: base(), apiKey: process.env.RTM_E2E_API_KEY!, channel, eventName: 'ping', payload: { text: 'from node' } });
  expect(answer).toMatchObject({ ok: true, channel, eventName: 'ping', recipients: 1 });
  await expect(page.locator('#got')).toHaveText('from node');

  const refused = await broadcast({ url: base(), apiKey: 'wrong', channel, eventName: 'ping', payload: { text: 'intruder' } }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(RestError);
  expect(refused).toMatchObject({ status: 401, code: 2 });
  await page.context().close();
});

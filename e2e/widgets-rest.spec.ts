import { expect, test } from '@playwright/test';
import { broadcast, emitEvent, notifyUser, RestError } from '../server-mock/index.js';
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
  expect(refused).toMatchObject({ name: 'RestError', code: 'ERR_RTM_REST', status: 401, rtcCode: 2 });
  await page.context().close();
});

test('the Node helpers notifyUser() and emitEvent() reach a private Listener and a resource Listener', async ({ browser }) => {
  const user = unique('carol');
  const { page } = await openWidgetPage(
    browser,
    `<rtm-connection url="/rtc" token-url="/api/dev/token?sub=${user}"></rtm-connection>
    <rtm-listener channel="user:${user}" set="#note=payload.text"></rtm-listener><p id="note"></p>
    <rtm-listener resource="ds:${user}" event="created" set="#record=payload.0.id; #who=modifier"></rtm-listener><p id="record"></p><p id="who"></p>`,
  );
  await settled(page);
  const target = { url: base(), apiKey: process.env.RTM_E2E_API_KEY! };
  expect(await notifyUser({ ...target, user, eventName: 'note', payload: { text: 'for carol' } })).toMatchObject({ ok: true, recipients: 1 });
  await expect(page.locator('#note')).toHaveText('for carol');
  expect(await emitEvent({ ...target, resource: { type: 'ds', name: user }, action: 'created', data: [{ id: 'r1' }], modifier: 'backoffice' })).toMatchObject({ ok: true, recipients: 1 });
  await expect(page.locator('#record')).toHaveText('r1');
  await expect(page.locator('#who')).toHaveText('backoffice');
  await page.context().close();
});

// `node bench/hello-latency.mjs [rounds]` (after `npm run build`): the demo's Send Hello, click in page A to the
// message shown in page B, in real Chromium against rtm-server on this machine. A figure, not a test: the e2e suite
// asserts only that the message arrives, once (e2e/hello.spec.ts), because a loaded machine makes any time limit flaky.
import { chromium } from '@playwright/test';
import { findChromium } from '../scripts/browser.mjs';
import { CHROMIUM_ARGS } from './sections/browser.mjs';
import { startProcess } from './lib/proc.mjs';
import { median, percentile, round } from './lib/stats.mjs';

const rounds = Number(process.argv[2] ?? 30);
const server = await startProcess('servers/rtm.mjs');
const browser = await chromium.launch({ executablePath: findChromium({ install: false }).executablePath, args: CHROMIUM_ARGS });
try {
  const open = async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.info.url}/`);
    await page.locator('#hello-listener[connected]').waitFor({ state: 'attached' });
    return page;
  };
  const [a, b] = [await open(), await open()];
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const text = `hello ${i} ${Date.now()}`;
    await a.fill('#P10_MESSAGE', text);
    // Timed inside page B's clock from the click's dispatch in A, via one shared wall clock (both pages, one machine).
    const shown = b.evaluate(
      (wanted) =>
        new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if ([...document.querySelectorAll('#messages li')].some((li) => li.textContent?.includes(wanted))) {
              observer.disconnect();
              resolve(Date.now());
            }
          });
          observer.observe(document.getElementById('messages'), { childList: true, subtree: true, characterData: true });
        }),
      text,
    );
    const clicked = await a.evaluate(() => {
      const at = Date.now();
      document.getElementById('SEND_HELLO').click();
      return at;
    });
    samples.push((await shown) - clicked);
  }
  const result = { rounds, medianMs: round(median(samples)), p95Ms: round(percentile(samples, 95)), maxMs: Math.max(...samples) };
  console.log(`Send Hello, click in A → shown in B (ms, ${rounds} rounds): median ${result.medianMs}, p95 ${result.p95Ms}, max ${result.maxMs}`);
} finally {
  await browser.close();
  await server.stop();
}

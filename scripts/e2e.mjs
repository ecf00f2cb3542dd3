// Runs the Playwright suite in real Chromium, after finding (never downloading) a browser.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { findChromium } from './browser.mjs';

let browser;
try {
  browser = findChromium();
} catch (error) {
  console.error(`e2e: ${error.message}`);
  process.exit(1);
}
const env = { ...process.env, RTM_CHROMIUM: browser.executablePath ?? '' };
const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const result = spawnSync(process.execPath, [cli, 'test', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);

// Finds a Chromium for the e2e tests without downloading one: Playwright's
// own if installed, else the system's, else (root on Debian/Ubuntu) apt-get's.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { aptInstall, canAptInstall } from './apt.mjs';

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Returns `{ executablePath }`: undefined means Playwright's own browser. Throws with a one-line instruction if none exists. */
export function findChromium({ install = true, log = console.log } = {}) {
  if (process.env.RTM_CHROMIUM) {
    if (existsSync(process.env.RTM_CHROMIUM)) return { executablePath: process.env.RTM_CHROMIUM };
    throw new Error(`RTM_CHROMIUM=${process.env.RTM_CHROMIUM} does not exist`);
  }
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    if (existsSync(chromium.executablePath())) return { executablePath: undefined };
  } catch {
    // playwright-core not resolvable or no browser registry: fall through to the system's.
  }
  const system = SYSTEM_CHROMIUMS.find((path) => existsSync(path));
  if (system) return { executablePath: system };
  if (install && canAptInstall()) {
    aptInstall('chromium', log);
    if (existsSync('/usr/bin/chromium')) return { executablePath: '/usr/bin/chromium' };
  }
  throw new Error('No Chromium found: install one (sudo apt-get install chromium, or npx playwright install chromium) or set RTM_CHROMIUM=/path/to/chrome');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { executablePath } = findChromium();
    console.log(executablePath ?? 'playwright');
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

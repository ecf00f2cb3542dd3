// Runs before `npm test`: finds (or, as root on Debian/Ubuntu, installs) what the suites need, never downloading
// anything itself, and stops with a one-line instruction otherwise.
import { findChromium } from './browser.mjs';
import { ensureRedisServer } from './redis.mjs';

try {
  findChromium();
  ensureRedisServer();
} catch (error) {
  console.error(`npm test: ${error.message}`);
  process.exit(1);
}

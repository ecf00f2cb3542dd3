// Makes sure `redis-server` exists for the Redis tests (they start their own on a free loopback port):
// the system's, else (root on Debian/Ubuntu) apt-get's, else a one-line instruction.
import { execFileSync } from 'node:child_process';
import { aptInstall, canAptInstall } from './apt.mjs';

function present() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Throws with a one-line instruction when redis-server is missing and cannot be installed. */
export function ensureRedisServer({ log = console.log } = {}) {
  if (present()) return;
  if (canAptInstall()) {
    aptInstall('redis-server', log);
    if (present()) return;
  }
  throw new Error('No redis-server found: install it (sudo apt-get install redis-server); the Redis tests start their own on a free port');
}

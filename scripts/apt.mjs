// Installs a Debian/Ubuntu package when the tests need a program this machine lacks:
// only as root, only with apt-get, never a download of our own.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when `aptInstall` may run here. */
export function canAptInstall() {
  return typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
}

/** Installs `pkg` with apt-get, printing one line first. */
export function aptInstall(pkg, log = console.log) {
  log(`Installing the Debian/Ubuntu package "${pkg}" with apt-get…`);
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`, { stdio: 'inherit' });
}

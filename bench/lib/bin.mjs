// Starts the built `rtm-server` bin the way users do, with a raised fd limit
// where allowed, and waits for its "listening on" line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOAD_ARGS } from './load-settings.mjs';
import { WANTED_FDS, fdLimit } from './proc.mjs';

export const BIN = fileURLToPath(new URL('../../dist/rtm-server.js', import.meta.url));

// Servers started here have no IPC link to notice that the runner died, so the runner kills them on exit.
const live = new Set();
process.on('exit', () => killBins());

/** Kills every rtm-server this process started and has not stopped. */
export function killBins() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Extra flags for every benchmarked rtm-server (see load-settings.mjs); recorded in results.json. */
export const EXTRA_ARGS = LOAD_ARGS.split(' ').filter(Boolean);

/** Runs `rtm-server …args`; resolves with { url, port, pid, fdLimit, stop } once it listens. */
export function startBin(args, env = {}, timeoutMs = 15_000) {
  const quoted = [process.execPath, BIN, ...args, ...EXTRA_ARGS].map((part) => `'${String(part).replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('sh', ['-c', `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => (live.delete(child), resolve({ code, signal }))));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`rtm-server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    exited.then(({ code }) => fail(new Error(`rtm-server exited with ${code}:\n${output}`)));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s]+:(\d+))/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining the log lines (one per connect) so the server never blocks on a full pipe.
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      child.stderr.removeAllListeners('data');
      child.stderr.resume();
      resolve({
        url: match[1],
        port: Number(match[2]),
        pid: child.pid,
        fdLimit: fdLimit(child.pid),
        exited,
        async stop(signal = 'SIGTERM', graceMs = 8_000) {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill(signal);
            const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(kill);
          }
        },
      });
    });
  });
}

// Child processes for servers and load generators: spawned with a raised
// file-descriptor limit where the OS allows it, driven over Node's IPC channel
// with request/response messages.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** File descriptors asked for; the hard limit is used instead when raising is not permitted. */
export const WANTED_FDS = 65_536;

/**
 * Starts `node <script>` under `sh -c 'ulimit -n …'` with an IPC channel.
 * Resolves once the child sends `{ ready }`, with its payload and the fd limit it got.
 * Servers' stdout is discarded by default: a server that logs each connection would drown the run's output.
 */
export function startProcess(script, { env = {}, args = [], nodeArgs = [], timeoutMs = 20_000, quiet = script.startsWith('servers/') } = {}) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const quoted = [process.execPath, ...nodeArgs, path, ...args].map((part) => `'${String(part).replaceAll("'", "'\\''")}'`).join(' ');
  const shell = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`;
  const child = spawn('sh', ['-c', shell], {
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map();
  child.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${script}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(({ code, signal }) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited (${code ?? signal})`));
    pending.clear();
  });

  const handle = {
    child,
    pid: child.pid,
    exited,
    /** Sends a command and resolves with the child's result. */
    call(cmd, params = {}, callTimeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) return reject(new Error(`${script} is not running`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${cmd} took longer than ${callTimeoutMs} ms`));
        }, callTimeoutMs);
        pending.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        child.send({ id, cmd, params });
      });
    },
    /** Asks the child to exit, then kills it if it has not within `graceMs`. */
    async stop(signal = 'SIGTERM', graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      return exited;
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not report ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (message) => {
      if (!message || message.ready === undefined) return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve(Object.assign(handle, { info: message.ready }));
    };
    child.on('message', onReady);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
    });
  });
}

/** Child side: answers the parent's commands with `handlers[cmd](params)` and reports ready. */
export function serveParent(handlers, ready) {
  process.on('message', async ({ id, cmd, params }) => {
    try {
      const handler = handlers[cmd];
      if (!handler) throw new Error(`unknown command ${cmd}`);
      process.send({ id, result: (await handler(params)) ?? null });
    } catch (error) {
      process.send({ id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  // The parent's end of the IPC channel going away means the run was aborted: do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: { ...ready, fdLimit: fdLimit() } });
}

/** This process's soft limit on open files, read from /proc (Linux), or null. */
export function fdLimit(pid = 'self') {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return line ? Number(line.split(/\s+/)[3]) : null;
  } catch {
    return null;
  }
}

/** Resident set size of a process in bytes, from /proc (Linux), or null. */
export function rssOf(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : null;
  } catch {
    return null;
  }
}


/** Memory of this process after two full collections (needs --expose-gc). */
export function settledMemory() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

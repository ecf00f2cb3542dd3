import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** A reference server running as its own process, started exactly as users start it. */
export interface ServerProcess {
  url: string;
  port: number;
  secret: string;
  apiKey: string;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL, as a crash would: no closing handshakes. */
  kill(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../dist/rtm-server.js', import.meta.url));

/** Where and with which keys to start a server; by default a free port and fresh random keys. */
export interface ServerOptions {
  /** TCP port; pass a stopped server's port to restart it "in place". */
  port?: number;
  /** Reusing the secret keeps tokens issued by an earlier server valid. */
  secret?: string;
  apiKey?: string;
  /** Runs as a plain development server: no secret or API key given, they are generated and kept in this file (`--dev-keys`). */
  devKeys?: string;
}

/** Starts `rtm-server` (the built bin) on a free port (or `options.port`) and waits until it listens. */
export function startServer(extraArgs: string[] = [], options: ServerOptions = {}): Promise<ServerProcess> {
  let secret = options.secret ?? randomBytes(32).toString('hex');
  let apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  const { RTM_JWT_SECRET: _secret, RTM_API_KEY: _apiKey, ...inherited } = process.env;
  const keys = options.devKeys === undefined ? ['--dev'] : ['--dev-keys', options.devKeys];
  const child: ChildProcess = spawn(process.execPath, [BIN, '--port', String(options.port ?? 0), ...keys, ...extraArgs], {
    env: options.devKeys === undefined ? { ...inherited, RTM_JWT_SECRET: secret, RTM_API_KEY: apiKey } : inherited,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signal = (name: NodeJS.Signals): Promise<void> =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill(name);
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`rtm-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) => fail(new Error(`rtm-server exited with ${code}:\n${output}`)));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+:(\d+))/.exec(output);
      // A development server prints the keys it generated (or kept) after the address.
      const generated = /RTM_JWT_SECRET=(\S+)\s+RTM_API_KEY=(\S+)/.exec(output);
      if (!match || (options.devKeys !== undefined && !generated)) return;
      if (generated) [, secret, apiKey] = generated as unknown as [string, string, string];
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        url: match[1]!,
        port: Number(match[2]),
        secret,
        apiKey,
        stop: () => signal('SIGTERM'),
        kill: () => signal('SIGKILL'),
      });
    });
  });
}

import { createAuth } from './auth/tokens.js';
import { helpText, readInvocation } from './config/cli.js';
import { defaultDevKeysFile } from './config/dev-keys.js';
import { createServer } from './server.js';

/** How long a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

async function main(argv: string[]): Promise<void> {
  const invocation = readInvocation(argv, process.env);
  if (invocation.command === 'help') return void process.stdout.write(helpText());
  if (invocation.command === 'token') {
    process.stdout.write(`${await createAuth(invocation.secret).sign(invocation.sub, invocation.ttl)}\n`);
    return;
  }

  // rtm-server keeps development keys across restarts by default; the library does only when asked.
  const server = createServer({ devKeys: defaultDevKeysFile(), ...invocation.options });
  await server.listen();
  const ws = server.url.replace(/^http/, 'ws');
  const lines = [
    `rtm-server listening on ${server.url}`,
    `  demo        ${server.url}/`,
    `  websocket   ${ws}/rtc?access_token=<JWT>`,
    `  broadcast   POST ${server.url}/api/broadcast  (header x-api-key)`,
    `  health      ${server.url}/healthz  ${server.url}/readyz  ${server.url}/metrics`,
  ];
  if (server.dev) {
    lines.push(
      '',
      'WARNING: development mode. The values below are for development only; anyone can get a token',
      `from ${server.url}/api/dev/token. In production set RTM_JWT_SECRET (or --jwks) and RTM_API_KEY.`,
      `  RTM_JWT_SECRET=${server.secret}`,
      `  RTM_API_KEY=${server.apiKey ?? ''}`,
    );
    if (server.devKeys) lines.push(`Kept in ${server.devKeys} across restarts: tokens issued before a restart stay valid (--dev-fresh for new keys).`);
  } else if (server.apiKey === undefined && !invocation.options.apiKeys) {
    lines.push('', 'Note: no API key (--api-key / RTM_API_KEY): the REST API answers 503.');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rtm-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

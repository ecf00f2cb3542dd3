import { parseArgs } from 'node:util';
import { createAuth } from './auth.js';
import { createServer } from './server.js';

const HELP = `rtm-server: the rtm-kit reference RTC server

Usage:
  rtm-server [options]                 start the server
  rtm-server token --sub <id> [--ttl <seconds>] [--secret <s>]
                                       print a signed JWT for <id> (default ttl 3600)

Options (flag / environment):
  --port <n>        PORT              TCP port, 0 picks a free one (default 8080)
  --host <addr>     HOST              interface to bind (default 127.0.0.1)
  --secret <s>      RTM_JWT_SECRET    HS256 secret, at least 32 bytes. Without it a random
                                      one is generated and the server runs in development mode.
  --api-key <k>     RTM_API_KEY       key for POST /api/broadcast (x-api-key header)
  --dev             RTM_DEV=1         development mode even with a secret: serves
                                      GET /api/dev/token?sub=<id>&ttl=<s> to anyone. Never in production.
  -h, --help                          this text
`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      secret: { type: 'string' },
      'api-key': { type: 'string' },
      dev: { type: 'boolean' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const env = process.env;
  const secret = values.secret ?? (env.RTM_JWT_SECRET || undefined);

  if (positionals[0] === 'token') {
    if (!secret) throw new Error('token needs the server secret: --secret or RTM_JWT_SECRET');
    if (!values.sub) throw new Error('token needs --sub <id>');
    const ttl = Number(values.ttl ?? 3600);
    if (!Number.isInteger(ttl) || ttl < 1) throw new Error('--ttl must be a positive whole number of seconds');
    process.stdout.write(`${await createAuth(secret).sign(values.sub, ttl)}\n`);
    return;
  }
  if (positionals.length > 0) throw new Error(`unknown command "${positionals[0]}" (see --help)`);

  const portText = values.port ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid port "${portText}"`);
  const server = createServer({
    port,
    host: values.host ?? (env.HOST || undefined),
    secret,
    apiKey: values['api-key'] ?? (env.RTM_API_KEY || undefined),
    dev: values.dev === true || env.RTM_DEV === '1',
  });
  await server.listen();
  const ws = server.url.replace(/^http/, 'ws');
  const lines = [
    `rtm-server listening on ${server.url}`,
    `  demo        ${server.url}/`,
    `  websocket   ${ws}/rtc?access_token=<JWT>`,
    `  broadcast   POST ${server.url}/api/broadcast  (header x-api-key)`,
  ];
  if (server.dev) {
    lines.push(
      '',
      'WARNING: development mode. The values below are for development only; anyone can get a token',
      `from ${server.url}/api/dev/token. In production set RTM_JWT_SECRET and RTM_API_KEY.`,
      `  RTM_JWT_SECRET=${server.secret}`,
      `  RTM_API_KEY=${server.apiKey ?? ''}`,
    );
  } else if (server.apiKey === undefined) {
    lines.push('', 'Note: no API key (--api-key / RTM_API_KEY): POST /api/broadcast answers 503.');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 5_000);
    force.unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rtm-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

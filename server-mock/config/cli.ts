import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_DEDUP, DEFAULT_HISTORY, DEFAULT_LIMITS, DEFAULT_TIMING } from './defaults.js';
import type { DedupSettings, HistorySettings, Limits, ServerOptions, SessionTiming } from './options.js';
import { parseRetentionRule } from '../streams/retention.js';
import { ConfigError } from '../errors.js';

type Kind = 'int' | 'string' | 'bool' | 'list';

/** One setting as the command line, the environment and the config file spell it. */
interface Field {
  /** Flag name without `--`; the config file key is its camelCase form. */
  flag: string;
  env: string;
  kind: Kind;
  /** Where it lands in ServerOptions. */
  set: (options: ServerOptions, value: never) => void;
  help: string;
  value?: string;
  /** A credential: empty or blank from any source is an error, never "unset" (which would mean development mode). */
  credential?: boolean;
}

const timing = (key: keyof SessionTiming) => (o: ServerOptions, v: number) => void (o.timing = { ...o.timing, [key]: v });
const limit = (key: keyof Limits) => (o: ServerOptions, v: number) => void (o.limits = { ...o.limits, [key]: v });
const history = (key: keyof HistorySettings) => (o: ServerOptions, v: unknown) => void (o.history = { ...o.history, [key]: v });
const dedup = (key: keyof DedupSettings) => (o: ServerOptions, v: number) => void (o.dedup = { ...o.dedup, [key]: v });

/** Every setting, in the order `--help` lists them. The single source of flags, variables and file keys. */
const FIELDS: Field[] = [
  { flag: 'port', env: 'PORT', kind: 'int', value: '<n>', set: (o, v: number) => void (o.port = v), help: 'TCP port, 0 picks a free one (default 8080)' },
  { flag: 'host', env: 'HOST', kind: 'string', value: '<addr>', set: (o, v: string) => void (o.host = v), help: 'interface to bind (default 127.0.0.1)' },
  { flag: 'secret', env: 'RTM_JWT_SECRET', kind: 'string', value: '<s>', credential: true, set: (o, v: string) => void (o.secret = v), help: 'HS256/384/512 secret, at least 32 bytes (prefer the variable: flags show in ps)' },
  { flag: 'jwks', env: 'RTM_JWKS', kind: 'string', value: '<url|file>', credential: true, set: (o, v: string) => void (o.jwks = v), help: 'JWKS with the RS/ES/PS public keys of your identity provider' },
  { flag: 'issuer', env: 'RTM_JWT_ISSUER', kind: 'string', value: '<iss>', set: (o, v: string) => void (o.issuer = v), help: 'require this iss claim' },
  { flag: 'audience', env: 'RTM_JWT_AUDIENCE', kind: 'string', value: '<aud>', set: (o, v: string) => void (o.audience = v), help: 'require this aud claim' },
  { flag: 'clock-tolerance', env: 'RTM_CLOCK_TOLERANCE', kind: 'int', value: '<s>', set: (o, v: number) => void (o.clockTolerance = v), help: 'clock skew allowed on exp/nbf, at most 30 (default 5)' },
  { flag: 'api-key', env: 'RTM_API_KEY', kind: 'string', value: '<key>', credential: true, set: (o, v: string) => void (o.apiKey = v), help: 'REST API key, named "default" (more keys: "apiKeys" in the config file)' },
  { flag: 'dev', env: 'RTM_DEV', kind: 'bool', set: (o, v: boolean) => void (o.dev = v), help: 'development mode: GET /api/dev/token?sub=&ttl= hands out tokens to anyone. Never in production.' },
  { flag: 'dev-keys', env: 'RTM_DEV_KEYS', kind: 'string', value: '<file>', set: (o, v: string) => void (o.devKeys = v), help: 'development mode: keep the generated secret and API key here across restarts (default: in the OS temp folder)' },
  { flag: 'dev-fresh', env: 'RTM_DEV_FRESH', kind: 'bool', set: (o, v: boolean) => void (o.devFresh = v), help: 'development mode: generate new keys, replacing the kept ones' },
  { flag: 'reminder', env: 'RTM_TOKEN_REMINDER', kind: 'int', value: '<s>', set: timing('reminder'), help: `notification 1 this long before exp, at most half the token's life (default ${DEFAULT_TIMING.reminder})` },
  { flag: 'grace', env: 'RTM_TOKEN_GRACE', kind: 'int', value: '<s>', set: timing('grace'), help: `close (4002) this long after exp without jwt replace (default ${DEFAULT_TIMING.grace})` },
  { flag: 'auth-timeout', env: 'RTM_AUTH_TIMEOUT', kind: 'int', value: '<s>', set: timing('authTimeout'), help: `a connection without a token must send jwt replace within this (default ${DEFAULT_TIMING.authTimeout})` },
  { flag: 'http-window', env: 'RTM_HTTP_WINDOW', kind: 'int', value: '<s>', set: timing('httpWindow'), help: `an HTTP-fallback session with no open stream or poll this long is closed (default ${DEFAULT_TIMING.httpWindow})` },
  { flag: 'max-payload', env: 'RTM_MAX_PAYLOAD', kind: 'int', value: '<bytes>', set: (o, v: number) => void (o.maxPayload = v), help: 'largest command frame; larger ones get error 7, the link stays (default 65536)' },
  { flag: 'max-frame', env: 'RTM_MAX_FRAME', kind: 'int', value: '<bytes>', set: (o, v: number) => void (o.maxFrame = v), help: 'largest frame read at all; larger ones close with 1009 (default 1048576)' },
  { flag: 'max-depth', env: 'RTM_MAX_DEPTH', kind: 'int', value: '<n>', set: limit('maxDepth'), help: `deepest JSON nesting, error 4 beyond (default ${DEFAULT_LIMITS.maxDepth})` },
  { flag: 'max-subscriptions', env: 'RTM_MAX_SUBSCRIPTIONS', kind: 'int', value: '<n>', set: limit('maxSubscriptions'), help: `subscriptions per connection (default ${DEFAULT_LIMITS.maxSubscriptions})` },
  { flag: 'max-filters', env: 'RTM_MAX_FILTERS', kind: 'int', value: '<n>', set: limit('maxFilters'), help: `distinct subscription filters per connection (default ${DEFAULT_LIMITS.maxFilters})` },
  { flag: 'rate-burst', env: 'RTM_RATE_BURST', kind: 'int', value: '<n>', set: limit('rateBurst'), help: `frames a connection may send in one burst (default ${DEFAULT_LIMITS.rateBurst})` },
  { flag: 'rate', env: 'RTM_RATE', kind: 'int', value: '<n>', set: limit('ratePerSecond'), help: `frames per second a connection may keep sending (default ${DEFAULT_LIMITS.ratePerSecond})` },
  { flag: 'abuse-limit', env: 'RTM_ABUSE_LIMIT', kind: 'int', value: '<n>', set: limit('abuseLimit'), help: `frames refused for rate within 10 s before closing with 4004 (default ${DEFAULT_LIMITS.abuseLimit})` },
  { flag: 'ip-connections', env: 'RTM_IP_CONNECTIONS', kind: 'int', value: '<n>', set: limit('ipConnectionsPerMinute'), help: `WebSocket connections per IP per minute, 0 = no limit, loopback exempt (default ${DEFAULT_LIMITS.ipConnectionsPerMinute})` },
  { flag: 'max-connections-per-ip', env: 'RTM_MAX_CONNECTIONS_PER_IP', kind: 'int', value: '<n>', set: limit('maxConnectionsPerIp'), help: `open WebSockets per IP, both endpoints, 429 beyond, 0 = no cap, loopback exempt (default ${DEFAULT_LIMITS.maxConnectionsPerIp})` },
  { flag: 'max-connections-per-user', env: 'RTM_MAX_CONNECTIONS_PER_USER', kind: 'int', value: '<n>', set: limit('maxConnectionsPerUser'), help: `open RTC connections per sub, close 1013 beyond, 0 = no cap (default ${DEFAULT_LIMITS.maxConnectionsPerUser})` },
  { flag: 'idle-timeout', env: 'RTM_IDLE_TIMEOUT', kind: 'int', value: '<s>', set: (o, v: number) => void (o.idleTimeout = v), help: 'seconds a new connection may take to send its request headers or upgrade (default 10)' },
  { flag: 'max-buffered', env: 'RTM_MAX_BUFFERED', kind: 'int', value: '<bytes>', set: limit('maxBuffered'), help: `unsent bytes for a slow reader before closing it with 4003, and unhandled bytes from a client before 4004 (default ${DEFAULT_LIMITS.maxBuffered})` },
  { flag: 'redis', env: 'RTM_REDIS_URL', kind: 'string', value: '<url>', set: (o, v: string) => void (o.redis = v), help: 'redis://host:port: instances sharing it share fan-out, history and de-duplication (default: all in memory)' },
  { flag: 'history-size', env: 'RTM_HISTORY_SIZE', kind: 'int', value: '<n>', set: history('size'), help: `events each channel and resource keeps for recovery after a reconnect (default ${DEFAULT_HISTORY.size})` },
  { flag: 'history-ttl', env: 'RTM_HISTORY_TTL', kind: 'int', value: '<s>', set: history('ttl'), help: `seconds an event stays in history (default ${DEFAULT_HISTORY.ttl})` },
  { flag: 'history', env: 'RTM_HISTORY', kind: 'list', value: '<rules>', set: (o, v: string[]) => history('rules')(o, v.map(parseRetentionRule)), help: 'per-pattern history, first match wins: pattern=size[/ttl], e.g. room:*=100/60,ds:*=0' },
  { flag: 'history-memory', env: 'RTM_HISTORY_MEMORY', kind: 'int', value: '<bytes>', set: history('maxBytes'), help: `most memory all history may use; the heaviest publisher's oldest events go first (default ${DEFAULT_HISTORY.maxBytes})` },
  { flag: 'dedup-window', env: 'RTM_DEDUP_WINDOW', kind: 'int', value: '<s>', set: dedup('window'), help: `seconds a publish's correlation_id is remembered per sub, to acknowledge a re-send without publishing twice (default ${DEFAULT_DEDUP.window})` },
  { flag: 'dedup-max', env: 'RTM_DEDUP_MAX', kind: 'int', value: '<n>', set: dedup('maxEntries'), help: `most publishes remembered at once; the heaviest sender's oldest are forgotten first (default ${DEFAULT_DEDUP.maxEntries})` },
  { flag: 'heartbeat', env: 'RTM_HEARTBEAT', kind: 'int', value: '<s>', set: (o, v: number) => void (o.heartbeat = v), help: 'ping interval; a connection that sent neither the pong nor any frame by the next ping is terminated, 0 = off (default 30)' },
  { flag: 'origins', env: 'RTM_ORIGINS', kind: 'list', value: '<list>', set: (o, v: string[]) => void (o.origins = v), help: 'comma-separated Origins allowed to connect, exact match (default: any)' },
  { flag: 'channels', env: 'RTM_CHANNELS', kind: 'list', value: '<list>', set: (o, v: string[]) => void (o.channels = v), help: 'channel allow-list, trailing * wildcard; others get 1001 (default: any)' },
  { flag: 'resources', env: 'RTM_RESOURCES', kind: 'list', value: '<list>', set: (o, v: string[]) => void (o.resources = v), help: 'resource types[:names] for events, e.g. ds,fs:avatars (default ds,fs)' },
  { flag: 'legacy', env: 'RTM_LEGACY', kind: 'bool', set: (o, v: boolean) => void (o.legacy = v), help: 'legacy APEX RTM WebSocket at /, no token (default: on only without a secret/JWKS; with one it needs --origins and --legacy-channels)' },
  { flag: 'legacy-channels', env: 'RTM_LEGACY_CHANNELS', kind: 'list', value: '<list>', set: (o, v: string[]) => void (o.legacyChannels = v), help: 'channels the legacy endpoint carries, trailing * wildcard, never user: (default without a secret: all)' },
  { flag: 'trust-proxy', env: 'RTM_TRUST_PROXY', kind: 'list', value: '<list>', set: (o, v: string[]) => void (o.trustProxy = v), help: 'your reverse proxies (IPs, CIDRs, loopback, uniquelocal): client IP = right-most other X-Forwarded-For hop' },
  { flag: 'metrics-token', env: 'RTM_METRICS_TOKEN', kind: 'string', value: '<token>', credential: true, set: (o, v: string) => void (o.metricsToken = v), help: 'GET /metrics needs Authorization: Bearer <token> (default: open)' },
  { flag: 'log-level', env: 'RTM_LOG_LEVEL', kind: 'string', value: '<level>', set: (o, v: string) => void (o.logLevel = v), help: 'fatal, error, warn, info, debug or silent (default info)' },
  { flag: 'log-payloads', env: 'RTM_LOG_PAYLOADS', kind: 'bool', set: (o, v: boolean) => void (o.logPayloads = v), help: 'include message payloads in logs (default off)' },
  { flag: 'message-log', env: 'RTM_MESSAGE_LOG', kind: 'string', value: '<file>', set: (o, v: string) => void (o.messageLog = v), help: 'append every channel message to this file as JSON lines' },
];

/** What the command line asks for. */
export type Invocation =
  | { command: 'help' }
  | { command: 'serve'; options: ServerOptions }
  | { command: 'token'; secret: string; sub: string; ttl: number };

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Reads the settings from flags, then the environment, then the JSON config
 * file (`--config` / `RTM_CONFIG`), first found wins. Throws ConfigError on
 * anything it cannot use, naming where it came from.
 */
export function readInvocation(argv: string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Invocation {
  const parseOptions: ParseArgsConfig['options'] = {
    config: { type: 'string' },
    sub: { type: 'string' },
    ttl: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const field of FIELDS) parseOptions[field.flag] = { type: field.kind === 'bool' ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: parseOptions, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message} (see --help)`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help) return { command: 'help' };

  const configPath = (flags.config as string | undefined) ?? (env.RTM_CONFIG || undefined);
  const file = configPath === undefined ? {} : readConfigFile(configPath, readFile);
  const options: ServerOptions = {};
  for (const field of FIELDS) {
    const key = camel(field.flag);
    const flag = flags[field.flag];
    const fromEnv = env[field.env];
    if (flag !== undefined) field.set(options, convert(field, flag, `--${field.flag}`) as never);
    else if (fromEnv !== undefined && (fromEnv !== '' || field.credential)) field.set(options, convert(field, fromEnv, field.env) as never);
    else if (key in file) field.set(options, convert(field, file[key], `"${key}" in ${configPath}`) as never);
  }
  if ('apiKeys' in file) {
    const keys = file.apiKeys;
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new ConfigError(`"apiKeys" in ${configPath} must be an object {name: key}`);
    options.apiKeys = keys as Record<string, string>;
  }

  const [command, ...rest] = parsed.positionals;
  if (rest.length > 0 || (command !== undefined && command !== 'token')) throw new ConfigError(`unknown command "${parsed.positionals.join(' ')}" (see --help)`);
  if (command === 'token') {
    if (!options.secret) throw new ConfigError('token needs the server secret: --secret or RTM_JWT_SECRET');
    const sub = flags.sub as string | undefined;
    if (!sub) throw new ConfigError('token needs --sub <id>');
    const ttl = Number(flags.ttl ?? 3600);
    if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError('--ttl must be a positive whole number of seconds');
    return { command: 'token', secret: options.secret, sub, ttl };
  }
  return { command: 'serve', options };
}

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  const known = new Set([...FIELDS.map((f) => camel(f.flag)), 'apiKeys']);
  const unknown = Object.keys(json).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new ConfigError(`config file ${path}: unknown setting(s) ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return json as Record<string, unknown>;
}

function convert(field: Field, raw: unknown, where: string): unknown {
  switch (field.kind) {
    case 'string':
      if (field.credential && (typeof raw !== 'string' || raw.trim() === '')) {
        throw new ConfigError(`${where} is empty: set a real value, or remove it (and pass --dev) for development mode`);
      }
      if (typeof raw !== 'string' || raw === '') throw new ConfigError(`${where} must be a non-empty string`);
      return raw;
    case 'int': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value)) throw new ConfigError(`${where} must be a whole number, got ${JSON.stringify(raw)}`);
      return value;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return true;
      if (typeof raw === 'string' && /^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
      if (!items?.every((item) => typeof item === 'string')) throw new ConfigError(`${where} must be a comma-separated list (or a JSON array of strings)`);
      return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
    }
  }
}

/** The `--help` text, generated from the same table the parser uses. */
export function helpText(): string {
  const rows = FIELDS.map((f) => {
    const flag = f.kind === 'bool' ? `--${f.flag === 'legacy' ? '[no-]legacy' : f.flag}` : `--${f.flag} ${f.value ?? ''}`;
    return `  ${flag.padEnd(28)}${f.env.padEnd(24)}${f.help}`;
  });
  return `rtm-server: the rtm-kit reference RTC server

Usage:
  rtm-server [options]                 start the server
  rtm-server token --sub <id> [--ttl <seconds>] [--secret <s>]
                                       print a signed HS256 JWT for <id> (default ttl 3600)

Settings: flag, environment variable, meaning. A flag beats the variable, which beats the
config file; booleans take 1/0, true/false, yes/no.
  --config <file>             RTM_CONFIG              JSON file whose keys are the flags in camelCase
                                                      (e.g. {"maxSubscriptions": 64, "origins": ["https://app.example.com"]}),
                                                      plus "apiKeys": {"<name>": "<key>"} for several REST keys.
${rows.join('\n')}
  -h, --help                                          this text

Without --secret and --jwks the server runs in development mode with a generated secret and API key,
kept in a file (--dev-keys) so that a restart keeps tokens valid; --dev-fresh starts afresh.
An empty or blank secret, JWKS, API key or metrics token is an error, never development mode.

Endpoints:
  WS   /rtc[?access_token=<JWT>]   RTC; without a token, send "jwt replace" first (within --auth-timeout)
  WS   /                           legacy APEX RTM listener: raw {channel, eventName, payload} frames (see --legacy)
  POST /api/broadcast              {channel, eventName|event_name, payload}            header x-api-key
  POST /api/users/<id>/messages    {eventName|event_name, payload} to channel user:<id> header x-api-key
  POST /api/events                 {resource: {type, name}, action, data, modifier?}   header x-api-key
  GET  /healthz  /readyz  /metrics (Prometheus; see --metrics-token)   GET /api/dev/token?sub=&ttl= (dev mode only)

Close codes: 1001 shutting down (1012 on the legacy endpoint), 1009 frame over --max-frame, 1013 too many connections for this user, 4001 invalid token (do not retry it),
4002 token expired (reconnect with a fresh token), 4003 slow consumer, 4004 rate limit abused
(or too many frames waiting). Error 7 (extension): a limit was hit, nothing was done.
`;
}

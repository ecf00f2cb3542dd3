import { pino, type DestinationStream, type LevelWithSilent } from 'pino';
import { ConfigError } from '../errors.js';

/** Log levels, most to least severe, and `silent`. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Fields of a log line. Tokens and keys are redacted, but do not put them here in the first place. */
export type LogFields = Record<string, unknown>;

/** A structured logger: one JSON object per line, `event` naming what happened. */
export interface Logger {
  /** Something worth a line in normal operation (`event` is a stable name, such as `listening`). */
  info(event: string, fields?: LogFields): void;
  /** Something a client or an operator did wrong, or a degraded state the server survives. */
  warn(event: string, fields?: LogFields): void;
  /** A failure of the server itself. */
  error(event: string, fields?: LogFields): void;
}

/** Field paths whose values never reach a log line, wherever a caller puts them. */
export const REDACTED_PATHS = [
  'token',
  'access_token',
  'secret',
  'apiKey',
  'authorization',
  '*.token',
  '*.access_token',
  '*.secret',
  '*.apiKey',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
];

/**
 * A pino logger behind the Logger interface. `write` receives each line and
 * its level; by default info goes to stdout and warnings and errors to stderr.
 */
export function jsonLogger(write: (line: string, level: string) => void = defaultWrite, level = 'info'): Logger {
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  const stream: DestinationStream = {
    write(line: string) {
      write(line.trimEnd(), /"level":"(\w+)"/.exec(line)?.[1] ?? 'info');
    },
  };
  const logger = pino(
    {
      level: level as LevelWithSilent,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    stream,
  );
  const at = (method: 'info' | 'warn' | 'error') => (event: string, fields: LogFields = {}) => logger[method]({ event, ...fields });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** Discards everything; for tests. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function defaultWrite(line: string, level: string): void {
  (level === 'info' || level === 'debug' ? process.stdout : process.stderr).write(`${line}\n`);
}

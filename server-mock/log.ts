/** Fields of a log line. Never put tokens or API keys here. */
export type LogFields = Record<string, unknown>;

/** A structured logger: one JSON object per line. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Writes JSON lines to stdout (info) and stderr (warn, error). */
export function jsonLogger(write: (line: string, level: string) => void = defaultWrite): Logger {
  const at = (level: string) => (event: string, fields: LogFields = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }), level);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** Discards everything; for tests. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function defaultWrite(line: string, level: string): void {
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

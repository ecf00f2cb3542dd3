/** Receives the client's debug log: what happened (`state`, `send`, `receive`, `error`) and the details, tokens redacted. */
export type Logger = (event: string, detail: string) => void;

/** Hides tokens: `access_token=` in URLs, `"token":` in frames, and anything shaped like a JWT. */
export function redact(text: string): string {
  return text
    .replace(/(access_token=)[^&#\s"]+/g, '$1[redacted]')
    .replace(/("token"\s*:\s*")[^"]*/g, '$1[redacted]')
    .replace(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted]');
}

/** The logger for the `debug` option: `true` logs to the console, a function receives every line. Undefined when off. */
export function createLogger(debug: boolean | Logger | undefined): Logger | undefined {
  const sink = debug === true ? (event: string, detail: string) => console.debug(`[rtm] ${event}`, detail) : debug || undefined;
  return sink && ((event, detail) => sink(event, redact(detail)));
}

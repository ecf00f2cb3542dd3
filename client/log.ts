/** Receives the client's debug log: what happened (`state`, `send`, `receive`, `error`) and the details, tokens redacted. */
export type Logger = (event: string, detail: string) => void;

/** Hides tokens: `secret` wherever it appears, `access_token=` in URLs, `"token":` in frames, and anything shaped like a JWT. */
export function redact(text: string, secret?: string): string {
  return (secret ? text.split(secret).join('[redacted]') : text)
    .replace(/(access_token=)[^&#\s"]+/g, '$1[redacted]')
    .replace(/("token"\s*:\s*")[^"]*/g, '$1[redacted]')
    .replace(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted]');
}

/**
 * The logger for the `debug` option: `true` logs to the console, a function receives every line. Undefined when off.
 * `secret` returns the current token, so even an opaque (non-JWT) one is hidden.
 */
export function createLogger(debug: boolean | Logger | undefined, secret: () => string | undefined): Logger | undefined {
  const sink = debug === true ? (event: string, detail: string) => console.debug(`[rtm] ${event}`, detail) : debug || undefined;
  return sink && ((event, detail) => sink(event, redact(detail, secret())));
}

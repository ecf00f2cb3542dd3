/** The parts of a request target the server uses. */
export interface RequestTarget {
  /** The path, exactly as sent (still percent-encoded). */
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
}

/**
 * Splits a request target into path and query without `new URL`, which
 * throws on targets such as `//[` and would read `//host/rtc` as a host.
 * Never throws: whatever a client sends, routing must not crash the server.
 */
export function parseTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? '/';
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? '' : target.slice(mark + 1));
  return { path: path === '' ? '/' : path, query };
}

/** Who a link belongs to: the server URL (without its token) and the user, as a token's `sub` says. */
export interface LinkKey {
  /** `JSON.stringify([url, sub])`: tabs with equal keys share one connection, other keys never do. */
  key: string;
  /** The server URL without `access_token`. */
  url: string;
  /** The token's `sub`. */
  sub: string;
}

/** Reads a JWT's `sub` without verifying it (the server does); undefined when it has none. */
export function tokenSubject(token: string): string | undefined {
  try {
    // atob gives one char per byte: decoded as UTF-8, a sub such as "MÜLLER" reads as the server reads it.
    const bytes = Uint8Array.from(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const { sub } = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown };
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The key of `url` for `token`; undefined for a token without `sub`, which then never shares. */
export function linkKey(url: string, token: string): LinkKey | undefined {
  const sub = tokenSubject(token);
  if (sub === undefined) return undefined;
  const plain = new URL(url);
  plain.searchParams.delete('access_token');
  return { key: JSON.stringify([plain.toString(), sub]), url: plain.toString(), sub };
}

/** Splits a virtual socket's URL into its key and the token it carries. */
export function readSocketUrl(url: string): { link: LinkKey; token: string } | undefined {
  const token = new URL(url).searchParams.get('access_token');
  const link = token ? linkKey(url, token) : undefined;
  return link && token ? { link, token } : undefined;
}

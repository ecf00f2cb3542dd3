import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { marked, type Token } from 'marked';
import { describe, expect, it } from 'vitest';

/** The user documentation: the front page, docs/, and the APEX install guides the front page sends users to. */
const DOCS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'plugins/apex/README.md', 'plugins/apex/UPGRADE.md', 'SECURITY.md', 'CHANGELOG.md'];

function walk(tokens: Token[] | undefined, visit: (token: Token) => void): void {
  for (const token of tokens ?? []) {
    visit(token);
    const t = token as Token & { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
    walk(t.tokens, visit);
    walk(t.items, visit);
    for (const cell of [...(t.header ?? []), ...(t.rows ?? []).flat()]) walk(cell.tokens, visit);
  }
}

/** The anchors GitHub gives a file's headings (the same slugs, duplicates numbered). */
function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walk(marked.lexer(text), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(token.text));
  });
  return anchors;
}

/** Every relative link of `file` that points at no file, or at no heading of its target: `"href" in file`. */
function brokenLinks(file: string, text = readFileSync(file, 'utf8')): string[] {
  const broken: string[] = [];
  walk(marked.lexer(text), (token) => {
    if (token.type !== 'link' && token.type !== 'image') return;
    const href = (token as Token & { href: string }).href;
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return; // http:, https:, mailto: …
    const [path, anchor] = href.split('#', 2) as [string, string | undefined];
    if (path === '') {
      if (anchor !== undefined && !anchorsOf(text).has(anchor)) broken.push(`"${href}" in ${file}: no heading #${anchor} in it`);
      return;
    }
    const target = relative('.', resolve(dirname(file), decodeURIComponent(path)));
    if (!existsSync(target)) broken.push(`"${href}" in ${file}: no file ${target}`);
    else if (anchor !== undefined && (statSync(target).isDirectory() || !target.endsWith('.md') || !anchorsOf(readFileSync(target, 'utf8')).has(anchor))) {
      broken.push(`"${href}" in ${file}: no heading #${anchor} in ${target}`);
    }
  });
  return broken;
}

describe('documentation links', () => {
  it('all resolve: every relative link names an existing file, and every #anchor a heading of it', () => {
    expect(DOCS.length).toBeGreaterThan(15);
    let links = 0;
    for (const file of DOCS) {
      walk(marked.lexer(readFileSync(file, 'utf8')), (token) => void (token.type === 'link' && links++));
    }
    expect(links).toBeGreaterThan(50);
    expect(DOCS.flatMap((file) => brokenLinks(file))).toEqual([]);
  });

  it('reports a link to a missing file or heading, and accepts GitHub\'s slugs of headings with code and punctuation', () => {
    const text = [
      '# A page',
      '## Behind nginx (TLS, WebSocket upgrade)',
      '| a | b |',
      '|---|---|',
      '| [in a table](nope.md) | x |',
      '- [in a list](client.md#no-such-heading)',
      '',
      '[fine](client.md#the-client-sdk-in-depth), [local](#behind-nginx-tls-websocket-upgrade), [gone](#behind-nginx),',
      '[react](react.md#react-bindings-rtm-kitreact), [web](https://example.com/x.md), `[code](nope.md)`',
      '```',
      '[fenced](nope.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/example.md', text)).toEqual([
      '"nope.md" in docs/example.md: no file docs/nope.md',
      '"client.md#no-such-heading" in docs/example.md: no heading #no-such-heading in docs/client.md',
      '"#behind-nginx" in docs/example.md: no heading #behind-nginx in it',
    ]);
  });
});

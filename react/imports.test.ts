import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The bindings are a layer on the client like the widgets: only its public entry, so dist/rtm-react.js can import
// dist/rtm.js and share one client module (one RtmError class) with the app.
describe('rtm-kit/react layering', () => {
  const dir = new URL('./', import.meta.url);
  const sources = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

  it.each(sources)('%s imports only react and the client’s public entry', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...text.matchAll(/^(?:import|export) .* from '([^']+)';$/gm)].map((match) => match[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^(react|\.\.\/client\/index\.js|\.\/[a-z-]+\.js)$/);
  });
});

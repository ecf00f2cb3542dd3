import { globFiles, parseCircular, parseDependencyTree, shortenTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

/** Every folder of source code; a cycle anywhere in them, type-only imports included, fails the test. */
const SOURCES = ['protocol', 'client', 'plugins', 'react', 'server-mock', 'e2e', 'bench', 'interop'].map((dir) => `${dir}/**/*.{ts,tsx}`);

describe('imports', () => {
  it('form no cycle: dependencies point one way in every layer', async () => {
    const cwd = process.cwd();
    const files = (await Promise.all(SOURCES.map((pattern) => globFiles(pattern, cwd)))).flat();
    expect(files.length).toBeGreaterThan(100);
    // transform: false keeps `import type` edges, so a cycle of types alone counts too.
    const tree = shortenTree(cwd, await parseDependencyTree(files, { context: cwd, tsconfig: 'tsconfig.json', transform: false, include: /\.tsx?$/, exclude: /node_modules/ }));
    expect(parseCircular(tree).map((cycle) => cycle.join(' -> '))).toEqual([]);
  }, 120_000);
});

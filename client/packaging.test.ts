import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const tsconfigBuild = JSON.parse(readFileSync(new URL('../tsconfig.build.json', import.meta.url), 'utf8'));

describe('packaging: ESM only', () => {
  it('the package entry is one ESM file with its types listed first, where the build writes them', () => {
    expect(pkg.type).toBe('module');
    const entry = pkg.exports['.'];
    expect(Object.keys(entry)).toEqual(['types', 'default']);
    expect(entry.default).toBe('./dist/rtm.js');
    expect(entry.types).toBe(`./${tsconfigBuild.compilerOptions.outDir}/client/index.d.ts`);
    expect(pkg.types).toBe(entry.types);
  });

  it('the bundle carries its dependencies inline (nanoevents is ESM-only) and loads in plain Node with no DOM', async () => {
    const result = await build({ entryPoints: [new URL('./index.ts', import.meta.url).pathname], bundle: true, format: 'esm', platform: 'browser', write: false, minify: true });
    const code = result.outputFiles[0]!.text;
    expect(/(^|[;}])import\s*[{*\w]/.test(code), 'the bundle imports another module').toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'rtm-pkg-'));
    try {
      const file = join(dir, 'rtm.mjs');
      writeFileSync(file, code);
      const api = await import(pathToFileURL(file).href);
      expect(Object.keys(api).sort()).toEqual(['CLOSE_POLICY', 'CloseCode', 'FILTER_LIMITS', 'RtcErrorCode', 'RtmError', 'UnauthorizedError', 'createClient', 'userChannel']);
      expect(() => api.createClient({ url: 'ws://127.0.0.1:1/rtc', token: 't' })).toThrow(/WebSocket/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

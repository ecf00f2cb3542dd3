// `node bench/size-breakdown.mjs [bundle-number]`: where a bundle's bytes are. Builds one of RTM_BUNDLES (0: client
// ESM, 2: IIFE with widgets) with the budget test's settings and lists each input's minified bytes (exact, from
// esbuild's metafile) and its share of the min+gzip total (an estimate: gzip cannot be split per input exactly).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { BUNDLE_SETTINGS, ROOT, RTM_BUNDLES } from './lib/bundle-size.mjs';

const spec = RTM_BUNDLES[Number(process.argv[2] ?? 0)];
if (!spec) throw new Error(`no bundle ${process.argv[2]}: 0 to ${RTM_BUNDLES.length - 1}`);
const result = await build({ ...BUNDLE_SETTINGS, entryPoints: [spec.entry], absWorkingDir: ROOT, format: spec.format, plugins: spec.plugins ?? [], external: spec.external ?? [], metafile: true });
const bytes = result.outputFiles[0].contents;
const gzip = gzipSync(bytes, { level: 9 }).length;
const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
  .map(([path, { bytesInOutput }]) => [path.replace(/^.*node_modules\//, ''), bytesInOutput])
  .sort((a, b) => b[1] - a[1]);
console.log(`${spec.name}: ${bytes.length} B min, ${gzip} B min+gzip\n    min  ~gzip  input`);
for (const [path, min] of inputs) console.log(`${String(min).padStart(7)} ${String(Math.round((min * gzip) / bytes.length)).padStart(6)}  ${path}`);

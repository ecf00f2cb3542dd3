// One bundle-size measurement for the benchmark and the budget test alike, so
// both see the same bytes: esbuild bundle+minify for the browser, then gzip
// (level 9) and brotli (quality 11) from node:zlib.
import { build } from 'esbuild';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** Repository root, so entries and imports resolve the same from any working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The esbuild settings every measured bundle shares. */
export const BUNDLE_SETTINGS = Object.freeze({
  bundle: true,
  minify: true,
  platform: 'browser',
  target: ['es2020'],
  legalComments: 'none',
  write: false,
  logLevel: 'silent',
});

/** The widgets bundle leaves the client out, as dist/rtm-plugins.js does: it measures the widgets' own bytes. */
const clientAsExternal = {
  name: 'client-as-external',
  setup(b) {
    b.onResolve({ filter: /\/client\/index\.js$/ }, () => ({ path: './rtm.js', external: true }));
  },
};

/**
 * The rtm-kit bundles: client (ESM), widgets without the client (ESM), script-tag bundle with both (IIFE), React
 * bindings without the client and React (ESM, as dist/rtm-react.js: an app has both anyway).
 */
export const RTM_BUNDLES = [
  { name: 'rtm-kit client (ESM)', entry: 'client/index.ts', format: 'esm' },
  { name: 'rtm-kit widgets, client excluded (ESM)', entry: 'plugins/index.ts', format: 'esm', plugins: [clientAsExternal] },
  { name: 'rtm-kit IIFE: client + widgets (global RTM)', entry: 'plugins/iife.ts', format: 'iife' },
  { name: 'rtm-kit React bindings, client and React excluded (ESM)', entry: 'react/index.ts', format: 'esm', plugins: [clientAsExternal], external: ['react'] },
];

/** Peers, imported the way their docs show; the named import lets esbuild tree-shake what a user would not pull in. */
export const PEER_BUNDLES = [
  { name: 'centrifuge', pkg: 'centrifuge', code: "export { Centrifuge } from 'centrifuge';" },
  { name: 'socket.io-client', pkg: 'socket.io-client', code: "export { io } from 'socket.io-client';" },
  { name: 'pusher-js', pkg: 'pusher-js', code: "export { default } from 'pusher-js';" },
  { name: 'phoenix', pkg: 'phoenix', code: "export { Socket } from 'phoenix';" },
  { name: '@supabase/realtime-js', pkg: '@supabase/realtime-js', code: "export { RealtimeClient } from '@supabase/realtime-js';" },
  { name: 'partysocket/ws (rtm-kit\'s dependency floor)', pkg: 'partysocket', code: "export { default } from 'partysocket/ws';" },
];

/** Bundles one entry (a file, or inline code) and returns its min, min+gzip and min+brotli sizes in bytes. */
export async function measureBundle({ entry, code, format = 'esm', globalName, plugins = [], external = [] }) {
  const input = code !== undefined ? { stdin: { contents: code, resolveDir: ROOT, loader: 'js' } } : { entryPoints: [entry] };
  const result = await build({ ...BUNDLE_SETTINGS, ...input, absWorkingDir: ROOT, format, globalName, plugins, external });
  const bytes = result.outputFiles[0].contents;
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/**
 * min+gzip budgets in bytes (1 KB = 1,000 B), enforced by bench/size-budget.test.ts. Each is the size measured when
 * a feature last landed plus about 1 %, so that nothing grows unnoticed; the figures over time are in CHANGELOG.md.
 * Part of the client's size is deliberate: a bad subscription filter throws at `channel.on`, naming the problem,
 * instead of failing the server subscription other listeners share. The React budget keeps the bindings an adapter,
 * not a second client. `node bench/size-breakdown.mjs [0|2]` lists each input's share; partysocket (~2.6 KB), the HTTP
 * fallback (~1.2 KB) and the filters (~1.0 KB) are the largest features (measured by building without each).
 */
export const BUDGETS = {
  'rtm-kit client (ESM)': 14_820,
  'rtm-kit IIFE: client + widgets (global RTM)': 19_740,
  'rtm-kit React bindings, client and React excluded (ESM)': 2_100,
};

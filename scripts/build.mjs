// Builds every artefact into dist/: ESM client and widgets, the script-tag
// bundle (global RTM), the Node server and its CLI, each plain and minified
// with source maps, then the type declarations with tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = 'dist';
rmSync(out, { recursive: true, force: true });

// The widgets bundle imports the client bundle instead of carrying a second copy of it.
const clientAsExternal = {
  name: 'client-as-external',
  setup(b) {
    b.onResolve({ filter: /\/client\/index\.js$/ }, () => ({ path: './rtm.js', external: true }));
  },
};

const browser = { bundle: true, sourcemap: true, target: ['es2020'], platform: 'browser', legalComments: 'none' };
const variants = (options, file) => [
  { ...options, outfile: `${out}/${file}.js` },
  { ...options, outfile: `${out}/${file}.min.js`, minify: true },
];

await Promise.all(
  [
    ...variants({ ...browser, entryPoints: ['client/index.ts'], format: 'esm' }, 'rtm'),
    ...variants({ ...browser, entryPoints: ['plugins/index.ts'], format: 'esm', plugins: [clientAsExternal] }, 'rtm-plugins'),
    ...variants({ ...browser, entryPoints: ['plugins/iife.ts'], format: 'iife', globalName: 'RTM' }, 'rtm.iife'),
    { entryPoints: ['server-mock/index.ts'], outfile: `${out}/server.js`, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true },
    {
      entryPoints: ['server-mock/cli.ts'],
      outfile: `${out}/rtm-server.js`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      banner: { js: '#!/usr/bin/env node' },
    },
  ].map((options) => build({ logLevel: 'warning', ...options })),
);

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/: rtm.js, rtm-plugins.js, rtm.iife.js (+ .min.js, .map), server.js, rtm-server.js, types/');

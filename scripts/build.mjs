// Builds every artefact into dist/: the ESM client, widgets and React bindings, the React demo app, the script-tag
// bundle (global RTM), the Node server (its dependencies compiled in, so a browser app that installs rtm-kit installs
// nothing else) and its CLI, then the type declarations with tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const out = 'dist';
rmSync(out, { recursive: true, force: true });

/** The widgets bundle imports the client bundle instead of carrying a second copy of it. */
const clientAsExternal = {
  name: 'client-as-external',
  setup(b) {
    b.onResolve({ filter: /\/client\/index\.js$/ }, () => ({ path: './rtm.js', external: true }));
  },
};

// Maps carry their sources inline, so they work from the package alone.
const browser = { bundle: true, sourcemap: true, sourcesContent: true, target: ['es2020'], platform: 'browser', legalComments: 'none' };
const node = { bundle: true, platform: 'node', format: 'esm', target: 'node20', legalComments: 'none' };

const results = await Promise.all(
  [
    { ...browser, entryPoints: ['client/index.ts'], format: 'esm', outfile: `${out}/rtm.js` },
    { ...browser, entryPoints: ['plugins/index.ts'], format: 'esm', outfile: `${out}/rtm-plugins.js`, plugins: [clientAsExternal] },
    // The script-tag bundle sets globalThis.RTM itself, so it defines RTM in a bundler too; two files, readable and minified.
    { ...browser, entryPoints: ['plugins/iife.ts'], format: 'iife', outfile: `${out}/rtm.iife.js` },
    { ...browser, entryPoints: ['plugins/iife.ts'], format: 'iife', outfile: `${out}/rtm.iife.min.js`, minify: true },
    {
      ...node,
      // One build with code splitting: the CLI and the library share their code in a chunk instead of two copies.
      entryPoints: { server: 'server-mock/index.ts', 'rtm-server': 'server-mock/cli.ts' },
      outdir: out,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      // ws loads these native speed-ups only if they are installed.
      external: ['bufferutil', 'utf-8-validate'],
      // The shebang makes rtm-server.js runnable (a hashbang is valid in every module); the bundled CommonJS
      // dependencies (pino, ioredis) need a require.
      banner: { js: "#!/usr/bin/env node\nimport { createRequire as __rtmRequire } from 'node:module'; const require = __rtmRequire(import.meta.url);" },
      metafile: true,
    },
    // The React bindings carry neither the client nor React: the app has both.
    { ...browser, entryPoints: ['react/index.ts'], format: 'esm', outfile: `${out}/rtm-react.js`, plugins: [clientAsExternal], external: ['react'] },
    // The React chat demo is an app: React (production build, its licence comments kept), the client and the bindings in one file.
    {
      ...browser,
      entryPoints: ['react/demo/chat.tsx'],
      format: 'esm',
      outfile: `${out}/demo/react-chat.js`,
      minify: true,
      sourcemap: false,
      legalComments: 'eof',
      define: { 'process.env.NODE_ENV': '"production"' },
    },
    // The shared mode (rtm-kit/shared): entries of their own, so the core client's bytes do not grow. Each carries a
    // copy of the client; the worker is a classic script, which every browser with SharedWorker runs.
    { ...browser, entryPoints: ['client/shared/index.ts'], format: 'esm', outfile: `${out}/rtm-shared.js` },
    { ...browser, entryPoints: ['client/shared/worker.ts'], format: 'iife', outfile: `${out}/rtm-shared-worker.js`, minify: true },
    { ...browser, entryPoints: ['plugins/iife-shared.ts'], format: 'iife', outfile: `${out}/rtm-shared.iife.js` },
    { ...browser, entryPoints: ['plugins/iife-shared.ts'], format: 'iife', outfile: `${out}/rtm-shared.iife.min.js`, minify: true },
  ].map((options) => build({ logLevel: 'warning', ...options })),
);

writeFileSync(`${out}/THIRD-PARTY-NOTICES.md`, notices(results[4].metafile));

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/: rtm.js, rtm-plugins.js, rtm-react.js, demo/react-chat.js, rtm.iife.js, rtm.iife.min.js, rtm-shared.js, rtm-shared-worker.js, rtm-shared.iife.js, rtm-shared.iife.min.js (+ maps), server.js, rtm-server.js, types/');

/** The licence texts of every package compiled into the server bundle, as their licences ask. */
function notices(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match && !packages.has(match[1])) packages.set(match[1], JSON.parse(readFileSync(join(match[1], 'package.json'), 'utf8')));
  }
  const sections = [...packages].sort(([, a], [, b]) => a.name.localeCompare(b.name)).map(([dir, pkg]) => {
    const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)/i.test(name));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${pkg.license} (no licence file in the package)`;
    return `## ${pkg.name} ${pkg.version} (${pkg.license})\n\n\`\`\`\n${text}\n\`\`\``;
  });
  return `# Third-party notices\n\ndist/server.js contains the following packages.\n\n${sections.join('\n\n')}\n`;
}

// Checks the package a user installs, from the tarball npm would publish (after `npm run build`):
// types resolve for every entry (attw, ESM-only on purpose), package.json passes publint --strict, and the
// rules of our own: no runtime dependencies (the browser bundles and the server carry theirs inline), every
// shipped source map carries its sources, no declaration maps pointing at sources that are not shipped. And the
// API reference builds from the TSDoc without a warning (typedoc.json treats warnings as errors): every public
// member is documented, every {@link} resolves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'rtm-pack-'));
const failures = [];
try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { encoding: 'utf8' }));
  const tarball = join(dir, packed.filename);
  const files = packed.files.map((file) => file.path);
  console.log(`package: ${packed.filename}, ${packed.entryCount} files, ${packed.size.toLocaleString('en-US')} B packed`);

  const run = (label, bin, args) => {
    try {
      execFileSync(join('node_modules', '.bin', bin), args, { stdio: 'inherit' });
    } catch {
      failures.push(`${label} failed (output above)`);
    }
  };
  run('attw', 'attw', [tarball, '--profile', 'esm-only', '--format', 'table-flipped']);
  run('publint', 'publint', ['run', tarball, '--strict']);
  run('typedoc (the API reference)', 'typedoc', ['--emit', 'none', '--logLevel', 'Warn']);

  const pkg = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const names = Object.keys(pkg[field] ?? {}).filter((name) => !(field === 'peerDependencies' && pkg.peerDependenciesMeta?.[name]?.optional));
    if (names.length) failures.push(`package.json ${field} installs ${names.join(', ')} for every user: bundle them, or make the peer optional`);
  }
  for (const file of files.filter((path) => path.endsWith('.map'))) {
    if (file.endsWith('.d.ts.map')) failures.push(`${file}: declaration maps point at sources the package does not ship`);
    else if (!JSON.parse(execFileSync('tar', ['-xOzf', tarball, `package/${file}`], { encoding: 'utf8' })).sourcesContent?.every((text) => typeof text === 'string')) failures.push(`${file}: a map without its sources does not work from the package`);
  }
  for (const required of ['LICENSE', 'README.md', 'dist/THIRD-PARTY-NOTICES.md']) if (!files.includes(required)) failures.push(`${required} is not in the package`);
  if (!files.some((path) => path.startsWith('plugins/apex/') && path.endsWith('.sql'))) failures.push('the APEX exports (plugins/apex/*.sql) are not in the package');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`\npackage check: ${failures.length} problem(s)\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('package check: clean');

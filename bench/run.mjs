// `npm run bench`: every benchmark section in one run on this machine, then
// bench/RESULTS.md and bench/results.json. Run after `npm run build` (the npm
// script does both). `node bench/run.mjs size latency` runs only some sections
// and prints their report instead of replacing the full one (add --write to replace it);
// `node bench/run.mjs --render` rebuilds RESULTS.md from results.json.
// `npm run bench -- soak [--minutes N] [--connections N] [--rate N]` runs the soak alone (10 minutes, 2,000
// connections, 500 msg/s by default; never part of the default run)
// and stores its result next to the full run's in results.json and RESULTS.md.
import { execFileSync } from 'node:child_process';
import { LOAD_ARGS, LOAD_OPTIONS } from './lib/load-settings.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './lib/report.mjs';
import { killBins } from './lib/bin.mjs';
import { fdLimit } from './lib/proc.mjs';
import * as size from './sections/size.mjs';
import * as browser from './sections/browser.mjs';
import * as latency from './sections/latency.mjs';
import * as fanoutMemory from './sections/fanout-memory.mjs';
import * as herd from './sections/herd.mjs';
import * as ceiling from './sections/ceiling.mjs';
import * as cluster from './sections/cluster.mjs';
import * as transports from './sections/transports.mjs';
import * as filters from './sections/filters.mjs';
import * as sharedTabs from './sections/shared-tabs.mjs';
import * as soak from './sections/soak.mjs';
import * as receive from './sections/receive.mjs';

/** The whole run must stay within 10 minutes; past this it stops and writes what it has. */
const BUDGET_MS = 10 * 60_000;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SECTIONS = ['size', 'receive', 'browser', 'latency', 'fanout-memory', 'herd', 'ceiling', 'cluster', 'transports', 'filters', 'shared-tabs'];

/** `--name N` or `--name=N` from the command line, as a positive number, or undefined. */
function numberOption(name) {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const text = args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} needs a positive number, got ${JSON.stringify(text)}`);
  return value;
}

/** The soak, alone: holds its own (longer) budget and merges its result into the stored full run's files. */
async function runSoak() {
  const options = { minutes: numberOption('minutes') ?? 10, connections: numberOption('connections'), rate: numberOption('rate') };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const result = { date: new Date().toISOString(), machine: machine(), versions: versions(), ...(await soak.run({ ...options, log: (line) => console.log(line) })) };
  result.loadAverageAtEnd = loadavg()[0];
  const stored = JSON.parse(readFileSync(`${ROOT}bench/results.json`, 'utf8'));
  stored.soak = result;
  writeFileSync(`${ROOT}bench/results.json`, `${JSON.stringify(stored, null, 2)}\n`);
  writeFileSync(`${ROOT}bench/RESULTS.md`, renderMarkdown(stored));
  const { totals } = result;
  console.log(`soak: RSS ${(result.rssGrowthAfterWarmup * 100).toFixed(1)} % and heap ${(result.heapGrowthAfterWarmup * 100).toFixed(1)} % after warm-up (${result.afterWarmup.second} s); ${totals.lost} lost of ${totals.windowsChecked} subscriptions checked; wrote bench/RESULTS.md and bench/results.json`);
  if (totals.lost > 0 || result.rssGrowthAfterWarmup >= 0.05 || result.heapGrowthAfterWarmup >= 0.05) process.exitCode = 1;
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return null;
  }
}

function versions() {
  const own = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  const list = ['ws', 'partysocket', 'nanoevents', 'jose', 'esbuild', 'socket.io', 'socket.io-client', 'centrifuge', 'pusher-js', 'phoenix', '@supabase/realtime-js', '@playwright/test'];
  const result = { 'rtm-kit': own.version, node: process.versions.node };
  for (const name of list) result[name] = packageVersion(name);
  try {
    result.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    result.dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() !== '';
  } catch {
    result.commit = null;
  }
  return result;
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    fdLimitOfRunner: fdLimit(),
    loadAverageAtStart: loadavg()[0],
  };
}

async function main() {
  if (process.argv.includes('--render')) {
    // Re-renders RESULTS.md from the stored results.json, e.g. after a change to the report's wording; measures nothing.
    const stored = JSON.parse(readFileSync(`${ROOT}bench/results.json`, 'utf8'));
    writeFileSync(`${ROOT}bench/RESULTS.md`, renderMarkdown(stored));
    return console.log('re-rendered bench/RESULTS.md from bench/results.json');
  }
  const args = process.argv.slice(2);
  const selected = args.filter((arg, i) => !arg.startsWith('-') && !['--minutes', '--connections', '--rate'].includes(args[i - 1]));
  if (selected.includes('soak')) {
    if (selected.length > 1) throw new Error('soak runs alone: npm run bench -- soak [--minutes N]');
    return runSoak();
  }
  const unknown = selected.filter((name) => !SECTIONS.includes(name));
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  const wanted = selected.length ? selected : SECTIONS;
  const started = performance.now();
  const log = (line) => console.log(line);
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    // Non-default server settings, if any were given (see bench/servers/rtm.mjs and bench/lib/bin.mjs).
    overrides: { BENCH_RTM_OPTIONS: LOAD_OPTIONS, BENCH_RTM_SERVER_ARGS: LOAD_ARGS },
    sections: {},
    errors: {},
  };
  const runners = {
    size: () => size.run({ versions: results.versions }),
    receive: () => receive.run({ root: ROOT }),
    browser: () => browser.run({ log }),
    latency: () => latency.run({ log }),
    'fanout-memory': () => fanoutMemory.run({ log }),
    herd: () => herd.run({ log }),
    ceiling: () => ceiling.run({ log }),
    cluster: () => cluster.run({ log }),
    transports: () => transports.run({ log }),
    filters: () => filters.run({ log }),
    'shared-tabs': () => sharedTabs.run({ log }),
  };
  const toFiles = wanted.length === SECTIONS.length || process.argv.includes('--write');
  const write = () => {
    results.wallSeconds = Math.round((performance.now() - started) / 100) / 10;
    results.loadAverageAtEnd = loadavg()[0];
    if (!toFiles) return void console.log(`\n${renderMarkdown(results)}`);
    writeFileSync(`${ROOT}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${ROOT}bench/RESULTS.md`, renderMarkdown(results));
  };
  const watchdog = setTimeout(() => {
    results.errors.run = `stopped: the run exceeded ${BUDGET_MS / 60_000} minutes`;
    write();
    killBins();
    console.error(results.errors.run);
    process.exit(1);
  }, BUDGET_MS);
  for (const name of wanted) {
    const t0 = performance.now();
    log(`[${name}]`);
    try {
      results.sections[name] = await runners[name]();
    } catch (error) {
      results.errors[name] = error instanceof Error ? error.message : String(error);
      console.error(`  ${name} failed: ${results.errors[name]}`);
    }
    log(`  (${Math.round((performance.now() - t0) / 1000)} s)`);
  }
  clearTimeout(watchdog);
  write();
  log(toFiles ? `wrote bench/RESULTS.md and bench/results.json in ${results.wallSeconds} s` : `done in ${results.wallSeconds} s (files left as they were)`);
  if (Object.keys(results.errors).length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  killBins();
  process.exit(1);
});

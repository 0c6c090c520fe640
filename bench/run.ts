// `npm run bench`: runs every registered suite, or those whose name
// contains one of the arguments (`node dist/bench/run.js crc sublist`).
// Options: --runs=N, --run-ms=N, --warmup-ms=N (see harness.ts).
// A new suite (server benchmarks, say) is a module exporting a Suite,
// added to SUITES below.

import { cpus } from 'node:os';
import { loadCore, type Core, type CoreKind } from '../src/core/index.js';
import { crc32Suite } from './crc32.js';
import { DEFAULT_OPTIONS, sink, type HarnessOptions } from './harness.js';
import { parserSuite } from './parser.js';
import { sublistSuite } from './sublist.js';
import { natsSuite } from './nats.js';
import { connectionsSuite } from './connections.js';
import { routesSuite } from './routes.js';
import { stanSuite } from './stan.js';
import { stanMemorySuite } from './stan-memory.js';
import { monitorSuite } from './monitor.js';
import { fileStoreSuite } from './file-store.js';
import { ftTakeoverSuite } from './ft-takeover.js';
import { pbSuite } from './pb.js';
import { vsGoSuite } from './vs-go.js';
import { hotCostSuite } from './hot-cost.js';
import { cryptoSuite } from './crypto.js';
import type { BenchContext, Suite } from './suite.js';

// One suite a line, so that adding one never conflicts with adding another.
const SUITES: readonly Suite[] = [
  parserSuite,
  sublistSuite,
  crc32Suite,
  pbSuite,
  natsSuite,
  connectionsSuite,
  routesSuite,
  stanSuite,
  stanMemorySuite,
  monitorSuite,
  fileStoreSuite,
  cryptoSuite,
  vsGoSuite,
  hotCostSuite,
  ftTakeoverSuite,
];

const CORE_KINDS: readonly CoreKind[] = ['native', 'wasm'];

const OPTION_FLAGS: Record<string, keyof HarnessOptions> = {
  '--runs': 'runs',
  '--run-ms': 'runMs',
  '--warmup-ms': 'warmupMs',
};

function parseArgs(argv: string[]): { filters: string[]; opts: HarnessOptions } {
  const opts = { ...DEFAULT_OPTIONS };
  const filters: string[] = [];
  for (const arg of argv) {
    if (!arg.startsWith('--')) {
      filters.push(arg);
      continue;
    }
    const [flag, value] = arg.split('=', 2);
    const key = OPTION_FLAGS[flag!];
    const n = Number(value);
    if (key === undefined || !(n > 0)) {
      throw new Error(`unknown option ${arg}: use ${Object.keys(OPTION_FLAGS).join('=N, ')}=N or suite names`);
    }
    opts[key] = n;
  }
  return { filters, opts };
}

/** Loads each build of the core once, printing why one is skipped. */
function coreLoader(): () => readonly Core[] {
  let cores: Core[] | undefined;
  return () => {
    if (cores) return cores;
    cores = [];
    for (const kind of CORE_KINDS) {
      try {
        cores.push(loadCore(kind));
      } catch (err) {
        console.log(`note: ${kind} core did not load, its columns are skipped: ${(err as Error).message}`);
      }
    }
    return cores;
  };
}

async function main(): Promise<void> {
  const { filters, opts } = parseArgs(process.argv.slice(2));
  const selected = SUITES.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
  if (selected.length === 0) {
    console.error(`no suite matches ${filters.join(' ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const cpu = cpus();
  console.log(
    `node ${process.version}, ${process.platform}-${process.arch}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}; ` +
      `best of ${opts.runs} x ${opts.runMs} ms after ${opts.warmupMs} ms warm-up`,
  );
  const ctx: BenchContext = { opts, cores: coreLoader() };
  const start = process.hrtime.bigint();
  for (const suite of selected) {
    console.log(`\n== ${suite.name}: ${suite.summary}`);
    try {
      await suite.run(ctx);
    } catch (err) {
      console.error(`${suite.name} failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`\ndone in ${secs.toFixed(1)} s (sink ${sink()})`);
}

await main();

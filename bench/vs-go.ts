// `npm run bench -- vs-go`: our server and the Go nats-streaming-server,
// side by side under the Go server's own load generator (stan.go's
// examples/stan-bench), on the workloads users run. Each round starts a
// fresh Go server, runs the workload, stops it, then does the same with
// ours (the order alternates every round), so drift in the machine's load
// hits both alike; each row prints the median of the rounds, the spread
// (min-max) and ours / Go.
//
// Environment:
//   GO_STAN_SERVER   path of a Go nats-streaming-server binary (required)
//   GO_STAN_BENCH    path of Go's stan-bench binary (required)
//   BENCH_VSGO_RUNS  rounds per workload (5; the median needs an odd number)
//   BENCH_VSGO_MSGS  messages per stan-bench run (100000; 10000 for 64 KB)
//   BENCH_VSGO_ONLY  comma-separated workload names to run (all)
//   BENCH_VSGO_WARMUP runs of the workload on each fresh server before the
//                    measured one (0: a cold server, as a first run sees it;
//                    a long-running server is warm: its JIT has compiled the
//                    hot path, which Go's ahead-of-time build never waits for)
//   BENCH_VSGO_PIN   1: each server on one core (CPU 1, all its threads) and
//                    the load on the other (CPU 0), with taskset: what each
//                    server does with one core, where the unpinned rows let Go
//                    spread over both
// Build the Go programs yourself from their public sources; nothing here
// fetches or builds them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, median, memory, runProgram, stanBenchRate, startServer, stopServer } from './server-proc.js';
import type { Suite } from './suite.js';

const GO_SERVER = process.env.GO_STAN_SERVER ?? '';
const GO_BENCH = process.env.GO_STAN_BENCH ?? '';
const RUNS = Number(process.env.BENCH_VSGO_RUNS ?? 5);
const MSGS = Number(process.env.BENCH_VSGO_MSGS ?? 100_000);
const ONLY = (process.env.BENCH_VSGO_ONLY ?? '').split(',').filter(Boolean);
const WARMUP = Number(process.env.BENCH_VSGO_WARMUP ?? 0);
const LATENCY = join(ROOT, 'dist', 'bench', 'load', 'latency.js');
const PIN = process.env.BENCH_VSGO_PIN === '1';
const SERVER_CPU = '1';
const LOAD_CPU = '0';

/** A load program, on the load's core when pinned. */
function runLoad(cmd: string, args: readonly string[]): Promise<string> {
  return PIN ? runProgram('taskset', ['-c', LOAD_CPU, cmd, ...args]) : runProgram(cmd, args);
}

type Store = 'memory' | 'file' | 'file-nosync';

interface Workload {
  name: string;
  store: Store;
  /** stan-bench flags (the subject is added). */
  bench: string[];
  /** Concurrent stan-bench processes, each on its own channel. */
  procs?: number;
  /** A latency run instead of stan-bench. */
  latency?: boolean;
  /** The latency run on plain NATS (the client's and the machine's floor). */
  core?: boolean;
  /** Seconds the latency run publishes before it starts counting (1). */
  warmSecs?: number;
}

const base = (n = MSGS) => ['-np', '1', '-ns', '1', '-n', String(n), '-ms', '128'];

const WORKLOADS: Workload[] = [
  { name: 'memory async', store: 'memory', bench: base() },
  { name: 'memory -sync', store: 'memory', bench: [...base(MSGS / 5), '-sync'] },
  { name: 'file fsync async', store: 'file', bench: base() },
  { name: 'file no-sync async', store: 'file-nosync', bench: base() },
  { name: 'fan-out -ns 10', store: 'memory', bench: ['-np', '1', '-ns', '10', '-n', String(MSGS / 2), '-ms', '128'] },
  { name: 'publishers -np 10 -ns 0', store: 'memory', bench: ['-np', '10', '-ns', '0', '-n', String(MSGS), '-ms', '128'] },
  { name: 'queue -ns 4 -qgroup', store: 'memory', bench: ['-np', '1', '-ns', '4', '-qgroup', 'q', '-n', String(MSGS), '-ms', '128'] },
  { name: '1 KB', store: 'memory', bench: ['-np', '1', '-ns', '1', '-n', String(MSGS), '-ms', '1024'] },
  { name: '64 KB', store: 'memory', bench: ['-np', '1', '-ns', '1', '-n', String(MSGS / 10), '-ms', '65536'] },
  { name: '100 channels', store: 'memory', bench: base(MSGS / 100), procs: 100 },
  { name: 'latency 2000/s (p99)', store: 'memory', bench: [], latency: true },
  // The same after 8 s at that rate on the same connections: our JIT has
  // compiled the path by then (at 2,000 msgs/s that takes seconds; the
  // first seconds of a fresh server pay for it at p99).
  { name: 'latency 2000/s after 8 s (p99)', store: 'memory', bench: [], latency: true, warmSecs: 8 },
  // The same client and pacing on plain NATS, through each server's embedded
  // NATS: what of the streaming p99 the client and the machine set.
  { name: 'latency core NATS (p99)', store: 'memory', bench: [], latency: true, core: true },
];

function storeFlags(store: Store, dir: string): string[] {
  if (store === 'memory') return [];
  return ['-st', 'file', '--dir', dir, ...(store === 'file-nosync' ? ['--file_sync=false'] : [])];
}

let channelSeq = 0;

/** One measurement of a workload against a running server: msgs/s (or p99 ms for latency). */
async function measure(w: Workload, url: string): Promise<{ value: number; detail: string }> {
  if (w.latency) {
    const out = JSON.parse(await runLoad(process.execPath, [LATENCY, '-s', url, '-rate', '2000', '-secs', '10', '-warm', String(w.warmSecs ?? 1), ...(w.core ? ['-core', '1'] : [])]));
    const f = (x: number) => x.toFixed(2);
    return { value: out.p99, detail: `p50 ${f(out.p50)} p99 ${f(out.p99)} p99.9 ${f(out.p999)} ms` };
  }
  const procs = w.procs ?? 1;
  const t0 = performance.now();
  const outs = await Promise.all(
    Array.from({ length: procs }, () => runLoad(GO_BENCH, ['-s', url, '-id', `vsgo${++channelSeq}`, ...w.bench, `vsgo.${process.pid}.${channelSeq}`])),
  );
  if (procs === 1) return { value: stanBenchRate(outs[0]!), detail: '' };
  // Several processes: every message published and received over the wall time of all.
  const secs = (performance.now() - t0) / 1000;
  const n = Number(w.bench[w.bench.indexOf('-n') + 1]);
  const subs = Number(w.bench[w.bench.indexOf('-ns') + 1]);
  return { value: (procs * n * (1 + subs)) / secs, detail: '' };
}

const fmt = (w: Workload, x: number) => (w.latency ? `${x.toFixed(2)}ms` : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);

async function oneRound(w: Workload, who: 'go' | 'ours'): Promise<{ value: number; detail: string; rssMB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vsgo-'));
  try {
    // Several processes each make a channel per run: with warm-up runs that
    // passes the default limit of 100 channels (-mc 0: none), on both servers.
    const flags = [...storeFlags(w.store, join(dir, 'store')), ...(w.procs !== undefined && WARMUP > 0 ? ['-mc', '0'] : [])];
    const srv = await startServer(flags, 30_000, who === 'go' ? GO_SERVER : undefined);
    try {
      // Every thread it has (threads started later inherit the mask).
      if (PIN) await runProgram('taskset', ['-a', '-p', '-c', SERVER_CPU, String(srv.pid)]);
      for (let i = 0; i < WARMUP; i++) await measure(w, srv.url);
      const r = await measure(w, srv.url);
      return { ...r, rssMB: memory(srv.pid).peak };
    } finally {
      await stopServer(srv, 20_000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const vsGoSuite: Suite = {
  name: 'vs-go',
  summary: `ours vs the Go server under Go's stan-bench, median of ${RUNS} alternating rounds per workload, ${WARMUP} warm-up run(s) on each fresh server${PIN ? `, each server on CPU ${SERVER_CPU} and the load on CPU ${LOAD_CPU}` : ''}`,
  async run() {
    if (!GO_SERVER || !GO_BENCH) {
      console.log('skipped: set GO_STAN_SERVER and GO_STAN_BENCH to the Go nats-streaming-server and stan-bench binaries');
      return;
    }
    console.log(`${'workload'.padEnd(26)} ${'ours'.padStart(9)} ${'(min-max)'.padStart(17)} ${'Go'.padStart(9)} ${'(min-max)'.padStart(17)}  ours/Go  peak RSS ours/Go`);
    for (const w of WORKLOADS) {
      if (ONLY.length > 0 && !ONLY.some((o) => w.name.includes(o))) continue;
      const res = { go: [] as number[], ours: [] as number[], rss: { go: 0, ours: 0 }, detail: { go: '', ours: '' } };
      for (let r = 0; r < RUNS; r++) {
        const order: ('go' | 'ours')[] = r % 2 === 0 ? ['go', 'ours'] : ['ours', 'go'];
        for (const who of order) {
          const m = await oneRound(w, who);
          res[who].push(m.value);
          res.rss[who] = Math.max(res.rss[who], m.rssMB);
          if (r === 0) res.detail[who] = m.detail;
        }
      }
      const mo = median(res.ours);
      const mg = median(res.go);
      // For latency lower is better: the ratio is Go / ours so that > 1 means ours wins, as for rates.
      const ratio = w.latency ? mg / mo : mo / mg;
      const spread = (xs: number[]) => `(${fmt(w, Math.min(...xs))}-${fmt(w, Math.max(...xs))})`;
      console.log(
        `${w.name.padEnd(26)} ${fmt(w, mo).padStart(9)} ${spread(res.ours).padStart(17)} ${fmt(w, mg).padStart(9)} ${spread(res.go).padStart(17)}  ` +
          `${ratio.toFixed(2)}x${w.latency ? ' (Go/ours)' : ''}  ${res.rss.ours.toFixed(0)}/${res.rss.go.toFixed(0)} MB`,
      );
      if (w.latency) console.log(`  first round: ours ${res.detail.ours}; Go ${res.detail.go}`);
    }
  },
};

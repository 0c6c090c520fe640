// `npm run bench -- hot-cost`: what one message costs our server on the
// publish -> store -> deliver -> ack path, cold (a fresh server, so the JIT
// compiles while it works) and warm (the same server's second run), as the
// CPU it burns rather than the rate it reaches: on a 2-core machine shared
// with the load generator the rate swings with everything else running,
// while CPU per message moves only with our code. Per round and build: a
// fresh server, one memory-store run of -np 1 -ns 1 -ms 128 (cold), then a
// second (warm). Columns, medians over the rounds:
//   rate      total msgs/s as the generator reports it
//   main      CPU of the server's main thread, µs per message (the JS, the
//             native parser, syscalls): the serial part that bounds us
//   other     CPU of its other threads, µs per message: V8's compiler and
//             GC helpers (cold: mostly compiling the hot path), libuv
//   heap      bytes the V8 heap allocated per message (--trace-gc-nvp)
//   gc        GC pause, ms per 100k messages
//
// Builds: this checkout, and with BENCH_COST_REF=<dir> another checkout
// (built: its dist/ and addon) measured in alternation with it, so a
// change is judged against the code before it in the same minutes.
// BENCH_COST_NODE_FLAGS adds node/V8 flags to this checkout's server (a
// second row; the plain row stays). Generator: Go's stan-bench when
// GO_STAN_BENCH is set, else ours (bench/load/stan-bench.ts).
// BENCH_COST_RUNS (5), BENCH_COST_MSGS (100000).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, median, runGenerator, runProgram, stanBenchRate, startServer, stopServer, type ServerProc } from './server-proc.js';
import type { Suite } from './suite.js';

const RUNS = Number(process.env.BENCH_COST_RUNS ?? 5);
const MSGS = Number(process.env.BENCH_COST_MSGS ?? 100_000);
const REF = process.env.BENCH_COST_REF ?? '';
const NODE_FLAGS = (process.env.BENCH_COST_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const GO_BENCH = process.env.GO_STAN_BENCH ?? '';

interface Build {
  label: string;
  bin: string;
  nodeArgs: string[];
}

interface Sample {
  rate: number;
  mainUs: number;
  otherUs: number;
  heapB: number;
  gcMs: number;
}

/** CPU ns of a process's main thread and of all its threads (schedstat). */
function cpuNs(pid: number): { main: number; all: number } {
  const ns = (path: string) => Number(readFileSync(path, 'utf8').split(' ')[0]);
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      all += ns(`/proc/${pid}/task/${tid}/schedstat`);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { main: ns(`/proc/${pid}/task/${pid}/schedstat`), all };
}

/** Sums --trace-gc-nvp's allocated= and pause= over the log lines given. */
function gcTotals(lines: string): { allocated: number; pauseMs: number } {
  let allocated = 0;
  let pauseMs = 0;
  for (const m of lines.matchAll(/\bpause=([\d.]+).*?\ballocated=(\d+)/g)) {
    pauseMs += Number(m[1]);
    allocated += Number(m[2]);
  }
  return { allocated, pauseMs };
}

let channelSeq = 0;

/** One load run against the server; resolves to total msgs/s. */
async function load(url: string): Promise<number> {
  const subject = `cost.${process.pid}.${++channelSeq}`;
  if (!GO_BENCH) {
    const r = await runGenerator(['-s', url, '-np', '1', '-ns', '1', '-n', String(MSGS), '-ms', '128', subject]);
    return r.total.rate;
  }
  return stanBenchRate(await runProgram(GO_BENCH, ['-s', url, '-id', `cost${channelSeq}`, '-np', '1', '-ns', '1', '-n', String(MSGS), '-ms', '128', subject]));
}

/** A fresh server of `b`: its cold run, then its warm run. */
async function round(b: Build): Promise<[Sample, Sample]> {
  const srv: ServerProc = await startServer([], 30_000, b.bin === BIN ? undefined : b.bin, ['--trace-gc-nvp', ...b.nodeArgs]);
  let log = '';
  srv.proc.stdout!.on('data', (d) => (log += d));
  try {
    const one = async (): Promise<Sample> => {
      const before = cpuNs(srv.pid);
      const from = log.length;
      const rate = await load(srv.url);
      // The GC lines of the run's last turns reach the pipe a moment later.
      await new Promise((r) => setTimeout(r, 100));
      const after = cpuNs(srv.pid);
      const gc = gcTotals(log.slice(from));
      const main = after.main - before.main;
      return {
        rate,
        mainUs: main / 1000 / MSGS,
        otherUs: (after.all - before.all - main) / 1000 / MSGS,
        heapB: gc.allocated / MSGS,
        gcMs: (gc.pauseMs * 100_000) / MSGS,
      };
    };
    const cold = await one();
    const warm = await one();
    return [cold, warm];
  } finally {
    await stopServer(srv, 20_000);
  }
}

function row(label: string, samples: Sample[]): string {
  const m = (k: keyof Sample) => median(samples.map((s) => s[k]));
  return (
    `${label.padEnd(34)} ${(m('rate') / 1000).toFixed(1).padStart(7)}k ${m('mainUs').toFixed(2).padStart(7)} ${m('otherUs').toFixed(2).padStart(7)} ` +
    `${m('heapB').toFixed(0).padStart(7)} ${m('gcMs').toFixed(1).padStart(6)}`
  );
}

export const hotCostSuite: Suite = {
  name: 'hot-cost',
  summary: `CPU and heap per message on the memory store, -np 1 -ns 1 -ms 128, ${MSGS} msgs, median of ${RUNS} rounds (builds alternate), generator: ${GO_BENCH ? "Go's stan-bench" : 'bench/load/stan-bench'}`,
  async run() {
    const builds: Build[] = [{ label: 'this checkout', bin: BIN, nodeArgs: [] }];
    if (NODE_FLAGS.length > 0) builds.push({ label: `this checkout ${NODE_FLAGS.join(' ')}`, bin: BIN, nodeArgs: NODE_FLAGS });
    if (REF) builds.push({ label: `ref ${REF}`, bin: join(REF, 'bin', 'nats-streaming-server.js'), nodeArgs: [] });
    const res = builds.map(() => ({ cold: [] as Sample[], warm: [] as Sample[] }));
    for (let r = 0; r < RUNS; r++) {
      const order = builds.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        const [cold, warm] = await round(builds[i]!);
        res[i]!.cold.push(cold);
        res[i]!.warm.push(warm);
      }
    }
    console.log(`${'build'.padEnd(34)} ${'rate'.padStart(8)} ${'main µs'.padStart(7)} ${'other µs'.padStart(7)} ${'heap B'.padStart(7)} ${'gc ms'.padStart(6)}`);
    for (const phase of ['cold', 'warm'] as const) {
      builds.forEach((b, i) => console.log(row(`${phase}: ${b.label}`, res[i]![phase])));
    }
  },
};

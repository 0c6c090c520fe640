// NATS Streaming throughput, publish-ack latency and memory of our server
// (bin/nats-streaming-server.js, MEMORY store, in its own process), driven
// by the stan-bench-shaped generator in other processes
// (bench/load/stan-bench.ts), next to the Go server's figures on these
// machines and our target (1.2x those).
//
// Each scenario runs twice over: with node-nats-streaming (the client the
// comparison was specified with) and with the generator's lean client
// (-raw), because node-nats-streaming costs more CPU per message than the
// server does and so measures itself. Every line says who was busy: the
// server's and the generator's CPU over the measured window (% of one core,
// from /proc), and the whole machine's, since other work on a small
// machine skews the numbers.
//
// Environment: BENCH_STAN_MSGS (async, 100000), BENCH_STAN_SYNC_MSGS
// (10000), BENCH_STAN_RUNS (best of, 3); BENCH_STAN_MEM_MSGS (1000000)
// for the memory line (stan-memory.ts).

import { cpus, loadavg } from 'node:os';
import { memory, runGenerator, startServer, stopServer, type GenResult, type ServerProc } from './server-proc.js';
import { measureStored } from './stan-memory.js';
import type { Suite } from './suite.js';


const ASYNC_MSGS = Number(process.env.BENCH_STAN_MSGS ?? 100_000);
const SYNC_MSGS = Number(process.env.BENCH_STAN_SYNC_MSGS ?? 10_000);
const RUNS = Number(process.env.BENCH_STAN_RUNS ?? 3);
const SIZE = 128;

/** The Go server on these machines (stan-bench -np 1 -ns 1 -n 100000 -ms 128, MEMORY store). */
const GO = { asyncTotal: 318_000, syncTotal: 16_000 };
const TARGET = 1.2;

let channelSeq = 0;

function generate(server: ServerProc, args: string[]): Promise<GenResult> {
  const channel = `bench.stan.${process.pid}.${++channelSeq}`;
  return runGenerator(['-s', server.url, '-id', `bench${channelSeq}`, '-spid', String(server.pid), ...args, channel]);
}

async function best(server: ServerProc, args: string[], runs: number): Promise<GenResult> {
  let top: GenResult | undefined;
  for (let r = 0; r < runs; r++) {
    const res = await generate(server, args);
    if (!top || res.total.rate > top.total.rate) top = res;
  }
  return top!;
}

const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);
const ms = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(1)}ms` : `${Math.round(us)}us`);

/** Who limited the run, judged from CPU use over the window. */
function verdict(r: GenResult): string {
  const cores = cpus().length;
  const gen = Math.max(...r.generatorCpuPerProc);
  const others = (r.machineCpu ?? 0) - (r.serverCpu ?? 0) - r.generatorCpu;
  if (gen >= 85) return 'generator (a client process at 85%+)';
  if ((r.serverCpu ?? 0) >= 85) return 'server (85%+ of its one core)';
  if ((r.machineCpu ?? 0) >= cores * 100 * 0.8) return `machine CPU (${r.machineCpu}% of ${cores * 100}%, ${Math.max(0, others)}% other work)`;
  return 'round trips (no process saturated)';
}

function line(label: string, r: GenResult): string {
  const l = r.latencyUs;
  const gen = r.generatorCpuPerProc.length > 1 ? `${r.generatorCpuPerProc.join('+')}%` : `${r.generatorCpu}%`;
  return (
    `${label.padEnd(34)} ${k(r.pub.rate).padStart(7)} ${k(r.sub.rate).padStart(7)} ${k(r.total.rate).padStart(7)}  ` +
    `${ms(l.p50).padStart(7)} ${ms(l.p90).padStart(7)} ${ms(l.p99).padStart(7)} ${ms(l.max).padStart(7)}  ` +
    `${`${r.serverCpu ?? '?'}%`.padStart(5)} ${gen.padStart(8)} ${`${r.machineCpu ?? '?'}%`.padStart(5)}  ${verdict(r)}`
  );
}

const HEADER =
  `${'scenario (client)'.padEnd(34)} ${'pub/s'.padStart(7)} ${'sub/s'.padStart(7)} ${'total/s'.padStart(7)}  ` +
  `${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}  ` +
  `${'srvCPU'.padStart(5)} ${'genCPU'.padStart(8)} ${'all'.padStart(5)}  limited by`;

function compare(what: string, ours: number, go: number): string {
  return `${what}: ours ${k(ours)} = ${(ours / go).toFixed(2)}x Go (${k(go)}), ${((ours / go / TARGET) * 100).toFixed(0)}% of target (${k(go * TARGET)})`;
}

export const stanSuite: Suite = {
  name: 'stan',
  summary:
    `NATS Streaming, MEMORY store, stan-bench -np 1 -ns 1 -ms ${SIZE}: async (-n ${ASYNC_MSGS}, window 512) and ` +
    `-sync (-n ${SYNC_MSGS}), best of ${RUNS}; then RSS with 1 channel of stored messages (stan-memory.ts)`,
  async run() {
    const [l1] = loadavg();
    console.log(
      `${cpus().length} CPUs, load average ${l1!.toFixed(2)} before starting; CPU columns are % of one core over the ` +
        `measured window (srv = server, gen = generator process(es), all = whole machine)`,
    );
    const common = ['-np', '1', '-ns', '1', '-ms', String(SIZE)];
    const asyncArgs = [...common, '-n', String(ASYNC_MSGS)];
    const syncArgs = [...common, '-n', String(SYNC_MSGS), '-sync'];

    const server = await startServer([]);
    try {
      console.log(HEADER);
      const run = async (label: string, args: string[], runs: number) => {
        const r = await best(server, args, runs);
        console.log(line(label, r));
        return r;
      };
      const asyncNode = await run('async (node-nats-streaming)', asyncArgs, 1);
      const asyncNode2 = await run('async (node-n-s, 2 gen procs)', [...asyncArgs, '-procs', '2'], 1);
      const asyncRaw = await run('async (lean client)', [...asyncArgs, '-raw'], RUNS);
      const asyncRaw2 = await run('async (lean client, 2 gen procs)', [...asyncArgs, '-raw', '-procs', '2'], RUNS);
      const syncNode = await run('-sync (node-nats-streaming)', syncArgs, 1);
      const syncRaw = await run('-sync (lean client)', [...syncArgs, '-raw'], RUNS);
      const mem = memory(server.pid);
      console.log(`server peak RSS over these runs (VmHWM): ${mem.peak.toFixed(0)} MB, RSS now ${mem.rss.toFixed(0)} MB`);

      const bestAsync = Math.max(asyncNode.total.rate, asyncNode2.total.rate, asyncRaw.total.rate, asyncRaw2.total.rate);
      const bestSync = Math.max(syncNode.total.rate, syncRaw.total.rate);
      console.log(compare('async total msgs/s (best client)', bestAsync, GO.asyncTotal));
      console.log(compare('-sync total msgs/s (best client)', bestSync, GO.syncTotal));
      console.log(compare('async total msgs/s (node-nats-streaming)', Math.max(asyncNode.total.rate, asyncNode2.total.rate), GO.asyncTotal));
      console.log(compare('-sync total msgs/s (node-nats-streaming)', syncNode.total.rate, GO.syncTotal));
    } finally {
      await stopServer(server);
    }

    // Memory: a fresh server, BENCH_STAN_MEM_MSGS x 128 B kept in one channel (the
    // default limits keep 1,000,000 messages / ~976 MB).
    await measureStored(1);
  },
};

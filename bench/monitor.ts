// Does monitoring slow the message path? (issue 7.) Streaming throughput
// of our server (its own process, MEMORY store, -m on) measured with
// stan-bench's lean client (bench/load/stan-bench.ts -raw), with and
// without a client polling /streaming/channelsz?subs=1 every 100 ms, in
// alternating runs on the same server so that machine noise hits both
// alike. Prints every run, the median and best of each, and the
// difference (goal: under 5%).
//
// Environment: BENCH_MONITOR_MSGS (300000), BENCH_MONITOR_RUNS (runs per
// side, 7), BENCH_MONITOR_POLL_MS (100). Channels keep at most
// KEEP_MSGS messages, so the runs' channels fit in memory.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, freePort, ROOT, runGenerator, type GenResult } from './server-proc.js';
import type { Suite } from './suite.js';


const MSGS = Number(process.env.BENCH_MONITOR_MSGS ?? 300_000);
const RUNS = Number(process.env.BENCH_MONITOR_RUNS ?? 7);
const POLL_MS = Number(process.env.BENCH_MONITOR_POLL_MS ?? 100);
const SIZE = 128;
/** -mm for the server: each run uses a new channel. */
const KEEP_MSGS = 100_000;
/** The most throughput polling may cost. */
const GOAL = 0.05;

interface Server {
  proc: ChildProcess;
  url: string;
  monitor: string;
}

async function startServer(): Promise<Server> {
  const [port, http] = [await freePort(), await freePort()];
  const proc = spawn(process.execPath, [BIN, '-a', '127.0.0.1', '-p', String(port), '-m', String(http), '-mm', String(KEEP_MSGS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after 15 s:\n${log}`)), 15_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/\[INF\] Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`server exited ${code}:\n${log}`)));
  });
  proc.stdout!.removeAllListeners('data').resume();
  proc.stderr!.removeAllListeners('data').resume();
  return { proc, url: `nats://127.0.0.1:${port}`, monitor: `http://127.0.0.1:${http}` };
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGINT');
  const t = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

let seq = 0;

function generate(s: Server): Promise<GenResult> {
  const n = ++seq;
  return runGenerator(['-s', s.url, '-id', `monbench${n}`, '-spid', String(s.proc.pid), '-np', '1', '-ns', '1', '-n', String(MSGS), '-ms', String(SIZE), '-raw', `bench.monitor.${process.pid}.${n}`]);
}

/** Polls channelsz?subs=1 every POLL_MS until stopped; counts answers. */
function poller(base: string): { stop(): Promise<{ polls: number; failures: number; avgMs: number }> } {
  let polls = 0;
  let failures = 0;
  let totalMs = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const t0 = performance.now();
    inFlight = fetch(`${base}/streaming/channelsz?subs=1`)
      .then(async (r) => {
        await r.text();
        if (r.status === 200) polls++;
        else failures++;
      })
      .catch(() => void failures++)
      .finally(() => void (totalMs += performance.now() - t0));
  }, POLL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      return { polls, failures, avgMs: polls + failures > 0 ? totalMs / (polls + failures) : 0 };
    },
  };
}

/** Requests timed one after another on the idle server, for the CPU cost of one poll. */
const COST_REQUESTS = 1000;
/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_S = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** Server CPU ms and wall ms per /streaming/channelsz?subs=1 request, measured on the idle server. */
async function pollCost(s: Server): Promise<{ cpuMs: number; wallMs: number }> {
  const url = `${s.monitor}/streaming/channelsz?subs=1`;
  await (await fetch(url)).text();
  const cpu0 = cpuSeconds(s.proc.pid!);
  const t0 = performance.now();
  for (let i = 0; i < COST_REQUESTS; i++) await (await fetch(url)).text();
  const wall = performance.now() - t0;
  return { cpuMs: ((cpuSeconds(s.proc.pid!) - cpu0) * 1000) / COST_REQUESTS, wallMs: wall / COST_REQUESTS };
}

const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const monitorSuite: Suite = {
  name: 'monitor',
  summary:
    `streaming throughput (stan-bench -raw -np 1 -ns 1 -n ${MSGS} -ms ${SIZE}, MEMORY store, -m on) with and without a ` +
    `client polling /streaming/channelsz?subs=1 every ${POLL_MS} ms; ${RUNS} alternating runs each`,
  async run() {
    const server = await startServer();
    const without: number[] = [];
    const withPoll: number[] = [];
    let cost: { cpuMs: number; wallMs: number } | undefined;
    try {
      await generate(server); // warm-up: JIT, buffers
      console.log(`${'run'.padEnd(5)} ${'polling'.padEnd(8)} ${'total/s'.padStart(8)} ${'pub/s'.padStart(8)} ${'sub/s'.padStart(8)} ${'srvCPU'.padStart(7)}  polls`);
      for (let r = 1; r <= RUNS; r++) {
        // Alternate which goes first, so neither side always runs on a warmer server.
        const order = r % 2 ? [false, true] : [true, false];
        for (const polling of order) {
          const p = polling ? poller(server.monitor) : undefined;
          const res = await generate(server);
          const stats = await p?.stop();
          (polling ? withPoll : without).push(res.total.rate);
          const polls = stats ? `${stats.polls} ok, ${stats.failures} failed, ${stats.avgMs.toFixed(1)} ms avg` : '-';
          console.log(
            `${String(r).padEnd(5)} ${(polling ? 'yes' : 'no').padEnd(8)} ${k(res.total.rate).padStart(8)} ${k(res.pub.rate).padStart(8)} ` +
              `${k(res.sub.rate).padStart(8)} ${`${res.serverCpu ?? '?'}%`.padStart(7)}  ${polls}`,
          );
          if (stats && stats.failures > 0) throw new Error(`${stats.failures} polls of /streaming/channelsz failed`);
        }
      }
      cost = await pollCost(server);
    } finally {
      await stopServer(server);
    }
    const m0 = median(without);
    const m1 = median(withPoll);
    const b0 = Math.max(...without);
    const b1 = Math.max(...withPoll);
    const diff = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
    console.log(`without polling: median ${k(m0)} msgs/s, best ${k(b0)}`);
    console.log(`with polling:    median ${k(m1)} msgs/s, best ${k(b1)}`);
    const lost = (m0 - m1) / m0;
    console.log(
      `difference: median ${diff(m0, m1)}, best ${diff(b0, b1)} - goal: polling costs under ${GOAL * 100}%: ` +
        `${lost < GOAL ? 'met' : 'NOT met'}`,
    );
    if (cost !== undefined) {
      const share = (cost.cpuMs * (1000 / POLL_MS)) / 10; // % of one core
      console.log(
        `one poll on the idle server (${seq} channels): ${cost.cpuMs.toFixed(2)} ms server CPU, ${cost.wallMs.toFixed(2)} ms round trip; ` +
          `every ${POLL_MS} ms that is ${share.toFixed(2)}% of the server's core`,
      );
    }
  },
};

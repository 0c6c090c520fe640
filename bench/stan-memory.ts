// Resident memory of our server (bin/nats-streaming-server.js, MEMORY
// store, its own process) holding many 128-byte messages, published by
// the stan-bench-shaped generator (bench/load/stan-bench.ts, lean client,
// -ns 0), next to the Go server's figure on these machines and our target.
//
// `npm run bench -- stan` prints the one-channel line after its
// throughput runs; `npm run bench -- memory` prints that line and the
// many-channel one (BENCH_MEM_CHANNELS channels, default 10) alone.
// Environment: BENCH_STAN_MEM_MSGS (messages per channel, 1000000),
// BENCH_MEM_CHANNELS (10).
//
// RSS is read right after the last publish and again 3 s later (VmRSS);
// V8 gives its grown young generation back only after tens of seconds of
// quiet, so the 3 s figure still holds some of the publishing's garbage.

import { memory, runGenerator, startServer, stopServer } from './server-proc.js';
import type { Suite } from './suite.js';

const MSGS = Number(process.env.BENCH_STAN_MEM_MSGS ?? 1_000_000);
const CHANNELS = Number(process.env.BENCH_MEM_CHANNELS ?? 10);
const SIZE = 128;
/** The Go server (v0.25.x) on these machines, 1M x 128 B in one channel. */
const GO_MB = 482;
/** Targets: one channel, and 10 channels of 1M each. */
const TARGET_MB = 200;
const TARGET_10_MB = 2048;

const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);

/**
 * Publishes `msgs` messages to each of `channels` channels of a fresh
 * server and prints its RSS: the line `memory: ...`.
 */
export async function measureStored(channels: number, msgs = MSGS): Promise<void> {
  const server = await startServer([]);
  try {
    const idle = memory(server.pid);
    let seconds = 0;
    for (let c = 1; c <= channels; c++) {
      const channel = `bench.mem.${process.pid}.${c}`;
      const args = ['-np', '1', '-ns', '0', '-ms', String(SIZE), '-n', String(msgs), '-raw', '-timeout', '300'];
      const r = await runGenerator(['-s', server.url, '-id', `benchmem${c}`, '-spid', String(server.pid), ...args, channel]);
      seconds += r.pub.seconds;
    }
    const after = memory(server.pid);
    await new Promise((res) => setTimeout(res, 3000));
    const settled = memory(server.pid);
    const what = channels === 1 ? `${msgs} x ${SIZE} B stored` : `${channels} channels x ${msgs} x ${SIZE} B stored`;
    // The targets are for 1M messages in 1 and in 10 channels.
    const target = msgs !== 1_000_000 ? undefined : channels === 1 ? TARGET_MB : channels === 10 ? TARGET_10_MB : undefined;
    const verdict =
      target === undefined ? '' : ` - target <= ${target} MB${channels === 1 ? `, Go ${GO_MB} MB` : ''}: ${settled.rss <= target ? 'met' : 'NOT met'}`;
    console.log(
      `memory: ${what} (published at ${k((channels * msgs) / seconds)} msgs/s): server RSS ${after.rss.toFixed(0)} MB right after, ` +
        `${settled.rss.toFixed(0)} MB 3 s later (peak ${settled.peak.toFixed(0)} MB; ${idle.rss.toFixed(0)} MB idle)${verdict}`,
    );
  } finally {
    await stopServer(server);
  }
}

export const stanMemorySuite: Suite = {
  name: 'memory',
  summary: `Server RSS, MEMORY store: ${MSGS} x ${SIZE} B in 1 channel, then in each of ${CHANNELS} channels`,
  async run() {
    await measureStored(1, MSGS);
    await measureStored(CHANNELS, MSGS);
  },
};

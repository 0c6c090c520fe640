// The soak (issue #18): a server process on the memory and on the file
// store, under mixed node-nats-streaming clients for a while: each
// session connects (client IDs reused, so a dead one's ID is probed and
// replaced), subscribes (plain, durable, queue, durable queue), publishes,
// receives, and then closes or dies without a CloseRequest. The server's
// resident memory, V8 heap and open descriptors (/proc/<pid>/fd) are
// sampled and printed; once every client has left, they must be back
// near where they were (loose bounds: this is about leaks, not sizes).
//
// Length per store: STAN_SOAK_SECONDS (default 6 in `npm test`, 90 in
// `npm run test:long`). For an hour-scale run, run the file directly (the
// test runner kills a file after an hour):
//   STAN_SOAK_SECONDS=1800 node dist/test/streaming/soak.test.js
// STAN_SOAK_SEED=<n> changes the clients' random choices (default 1).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LONG } from '../helpers/cores.js';
import { formatSamples, haveProc, type ProcSample, sampleProcess } from '../helpers/proc-sample.js';
import { ServerChild } from '../helpers/server-child.js';
import { closeClient, pubResult, sleep, stanConnect } from '../helpers/stan.js';
import { subscribe, type SubOpts } from '../helpers/stan-sub.js';
import { Rand } from '../helpers/stan-fuzz.js';

const test = suite('streaming/soak');

const SECONDS = Number(process.env.STAN_SOAK_SECONDS ?? (LONG ? 90 : 6));
/** Clients at a time. */
const WORKERS = 6;
const CHANNELS = 8;
/** Client IDs per worker: sessions reuse them. */
const IDS_PER_WORKER = 4;
/** Samples over the run (plus the idle ones before and after). */
const SAMPLES = 10;
/**
 * Loose bounds, from the sample after the warm-up (a quarter into the
 * run) to the one after every client left: RSS and heap may not grow more
 * than this; descriptors must be back to the idle count before the run
 * (plus a few: a file slice may have rotated).
 */
const RSS_GROWTH_MB = 96;
const HEAP_GROWTH_MB = 48;
const FD_SLACK = 8;
/** How long the clients that died may take to be dropped (-hbi 1s -hbt 1s -hbf 2 take about 6 s). */
const LEAVE_WAIT_MS = 60_000;
const SERVER_ARGS = ['-a', '127.0.0.1', '-p', '-1', '-m', '-1', '-mm', '2000', '-mb', '4MB', '-hbi', '1s', '-hbt', '1s', '-hbf', '2'];

interface Stats {
  sessions: number;
  died: number;
  published: number;
  received: number;
  /** PubAck and subscription errors the server answered (none expected). */
  errors: string[];
}

/** One client's life: connect, subscribe, publish, receive, then close or die. */
async function session(url: string, id: string, worker: number, r: Rand, stats: Stats): Promise<void> {
  const sc = await stanConnect(url, id, { reconnect: false, connectTimeout: 20_000 });
  sc.on('error', () => {});
  stats.sessions++;
  const channel = `soak.${r.int(CHANNELS)}`;
  const o: SubOpts = [{}, { durable: `d${worker}`, all: true }, { queue: 'q' }, { queue: 'dq', durable: 'dq' }][r.int(4)]!;
  const sub = await subscribe(sc, channel, o).catch((e: unknown) => {
    stats.errors.push(`subscribe ${channel}: ${String(e)}`);
    return undefined;
  });
  const n = 1 + r.int(200);
  const acks: Promise<string>[] = [];
  for (let i = 0; i < n; i++) acks.push(pubResult(sc, `soak.${r.int(CHANNELS)}`, `m${i}-${'x'.repeat(r.int(512))}`));
  for (const err of await Promise.all(acks)) {
    if (err === '') stats.published++;
    else stats.errors.push(`publish: ${err}`);
  }
  await sleep(100 + r.int(1000));
  stats.received += sub?.got.length ?? 0;
  if (r.chance(0.4)) {
    // Dies: the NATS connection goes without a CloseRequest; the server
    // drops the client when its heartbeats go unanswered.
    // (The socket is cut: nc.close() would leave node-nats-streaming's
    // ping timer running against a closed connection.)
    stats.died++;
    await new Promise<void>((resolve) => {
      sc.once('close', () => resolve());
      sc.nc.stream.destroy();
    });
    return;
  }
  if (sub !== undefined && o.durable !== undefined && r.chance(0.3)) await sub.unsubscribe().catch(() => {});
  await closeClient(sc);
}

async function worker(url: string, w: number, deadline: number, seed: number, stats: Stats): Promise<void> {
  const r = new Rand(seed);
  for (let k = 0; Date.now() < deadline; k++) {
    await session(url, `soak-${w}-${k % IDS_PER_WORKER}`, w, r, stats).catch((e: unknown) => {
      // A reused ID whose previous instance is still being dropped is refused: expected, try the next.
      if (!/clientID already registered/.test(String(e))) stats.errors.push(`session: ${String(e)}`);
    });
  }
}

async function clientCount(http: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${http}/streaming/clientsz`);
  return ((await res.json()) as { total: number }).total;
}

function soakStore(store: 'memory' | 'file'): void {
  test(`${store} store: ${SECONDS} s of mixed clients, then memory and descriptors back near their start`, async () => {
    if (!haveProc) {
      console.log('streaming/soak: SKIPPED, /proc is not available to sample the server');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'stan-soak-'));
    const server = new ServerChild([...(store === 'file' ? ['-st', 'file', '--dir', dir] : ['-st', 'memory']), ...SERVER_ARGS]);
    let exited = false;
    void server.exited.then(() => (exited = true));
    try {
      const http = Number((await server.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
      const port = await server.port();
      await server.waitFor(/Streaming Server is ready/);
      const url = `nats://127.0.0.1:${port}`;
      const samples: ProcSample[] = [];
      const sample = async (label: string) => samples.push(await sampleProcess(label, server.pid, http));
      // Every channel exists before the idle sample: its files are open from then on.
      const first = await stanConnect(url, 'soak-setup', { reconnect: false });
      for (let c = 0; c < CHANNELS; c++) await pubResult(first, `soak.${c}`, 'setup');
      await closeClient(first);
      await sample('idle before');

      const stats: Stats = { sessions: 0, died: 0, published: 0, received: 0, errors: [] };
      const started = Date.now();
      const deadline = started + SECONDS * 1000;
      const seed = Number(process.env.STAN_SOAK_SEED ?? 1) >>> 0;
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(url, w, deadline, seed + w, stats));
      let done = false;
      const all = Promise.all(workers).then(() => (done = true));
      while (!done) {
        await Promise.race([all, sleep((SECONDS * 1000) / SAMPLES)]);
        if (!done && !exited) await sample(`${Math.round((Date.now() - started) / 1000)} s`);
      }
      assert.not.ok(exited, `the server exited:\n${server.stderr.slice(-4000)}`);
      // Every client leaves: the dead ones once their heartbeats fail.
      const leaveBy = Date.now() + LEAVE_WAIT_MS;
      while ((await clientCount(http)) > 0) {
        if (Date.now() > leaveBy) throw new Error(`clients still registered ${LEAVE_WAIT_MS / 1000} s after the soak`);
        await sleep(250);
      }
      await sample('idle after');
      console.log(
        formatSamples(
          `streaming/soak ${store} store: ${stats.sessions} sessions (${stats.died} died), ${stats.published} published, ${stats.received} received`,
          samples,
        ),
      );
      assert.equal(stats.errors.slice(0, 5), [], `${stats.errors.length} errors`);
      const idle = samples[0]!;
      // The steady state: the sample a quarter into the run (the first if the run is short).
      const warm = samples[Math.max(1, Math.floor(samples.length / 4))] ?? idle;
      const end = samples[samples.length - 1]!;
      assert.ok(end.rssMB - warm.rssMB < RSS_GROWTH_MB, `RSS grew ${(end.rssMB - warm.rssMB).toFixed(1)} MB after the warm-up`);
      assert.ok(end.heapMB - warm.heapMB < HEAP_GROWTH_MB, `heap grew ${(end.heapMB - warm.heapMB).toFixed(1)} MB after the warm-up`);
      assert.ok(end.fds <= idle.fds + FD_SLACK, `${end.fds} descriptors open after the soak, ${idle.fds} before`);
      assert.ok(stats.sessions > 0 && stats.published > 0, 'the soak ran');
    } finally {
      await server.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

soakStore('memory');
soakStore('file');

test.run();

// The FILE store (issue 5's bench/ requirement): publish throughput and
// PubAck latency with --file_sync on and off, and how quickly and how
// leanly the server restarts on a store of 1M (and, on request, 10M)
// 128-byte messages, next to the Go server's figures on these machines and
// the targets.
//
// Throughput: for each of --file_sync=true/false, our server
// (bin/nats-streaming-server.js -st file) on a fresh temp dir, driven by
// bench/load/stan-bench.ts with its lean client (-raw), -np 1 -ns 1 -ms 128:
// async -n 100000 and -sync -n 10000, best of 3 (each run on a channel of
// its own). CPU columns as in the stan suite: % of one core over the
// measured window (srv = server, gen = generator, all = whole machine).
//
// Store cost: the FILE store alone in this process, CPU µs per message
// (store, sent, acked, a commit per 64), to compare store changes without
// the noise of sockets and fsync.
//
// Read throughput: MsgStore.read(from, max) in this process over messages
// no longer in the recent cache (read from the slice files, page cache
// warm), msgs/s for batches of 64 and 512, next to the synchronous
// lookup() loop that delivery used before.
//
// Restart: a store filled with N messages on one channel (by the lean
// client, with --file_sync=false to fill quickly), the server stopped
// (SIGTERM), then started again on it: the time from spawn() to its
// "Streaming Server is ready" line, its VmRSS at that moment and 2 s later,
// best of 3 starts. The page cache is warm (the files were just written).
// An empty MEMORY-store start is the baseline: what Node itself costs.
//
// With GO_STAN_SERVER (a Go nats-streaming-server binary), the Go server
// is restarted on the same datastore too (it reads our files), alternating
// with ours start by start.
//
// Environment: BENCH_FILESTORE_RUNS (best of, 3), BENCH_FILESTORE_MSGS
// (async, 100000), BENCH_FILESTORE_SYNC_MSGS (10000), BENCH_FILESTORE_10M=1
// to add the 10,000,000-message restart (minutes, ~1.8 GB of disk),
// BENCH_FILESTORE_ONLY=restart for the restarts alone, GO_STAN_SERVER.

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, memory, runGenerator, startServer, stopServer, type GenResult, type Memory, type ServerProc } from './server-proc.js';
import type { Suite } from './suite.js';
import { FileStore, type FileMsgStore } from '../src/stores/file/index.js';
import { fileIo } from '../src/stores/file/io.js';

const RUNS = Number(process.env.BENCH_FILESTORE_RUNS ?? 3);
const ASYNC_MSGS = Number(process.env.BENCH_FILESTORE_MSGS ?? 100_000);
const SYNC_MSGS = Number(process.env.BENCH_FILESTORE_SYNC_MSGS ?? 10_000);
const WITH_10M = process.env.BENCH_FILESTORE_10M === '1';
const RESTART_ONLY = process.env.BENCH_FILESTORE_ONLY === 'restart';
const GO_BIN = process.env.GO_STAN_SERVER || undefined;
const SIZE = 128;
const TARGET = 1.2;

/** The Go server on these machines (stan-bench -np 1 -ns 1 -ms 128, FILE store): total msgs/s, [low, high]. */
const GO = {
  asyncSync: [124_000, 205_000],
  asyncNoSync: [226_000, 240_000],
  syncSync: [2_300, 2_500],
  /** Ready 0.18 s after starting on 1M stored messages, 52 MB resident. */
  restartSecs: 0.18,
  restartMB: 52,
} as const;

let clientSeq = 0;

function generate(server: ServerProc, args: string[], channel: string): Promise<GenResult> {
  return runGenerator(['-s', server.url, '-id', `fsbench${process.pid}x${++clientSeq}`, '-spid', String(server.pid), ...args, channel]);
}

let channelSeq = 0;

async function best(server: ServerProc, args: string[], runs: number): Promise<GenResult> {
  let top: GenResult | undefined;
  for (let r = 0; r < runs; r++) {
    const res = await generate(server, args, `bench.file.${++channelSeq}`);
    if (!top || res.total.rate > top.total.rate) top = res;
  }
  return top!;
}

const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : `${(n / 1e3).toFixed(2)}k`);
const lat = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(1)}ms` : `${Math.round(us)}us`);
const mb = (m: number) => `${m.toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(digits)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const HEADER =
  `${'file_sync  scenario'.padEnd(26)} ${'pub/s'.padStart(7)} ${'sub/s'.padStart(7)} ${'total/s'.padStart(7)}  ` +
  `${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}  ` +
  `${'srv'.padStart(5)} ${'gen'.padStart(5)} ${'all'.padStart(5)}  Go total/s -> target (1.2x)`;

function goCols(go: readonly [number, number] | undefined, ours: number): string {
  if (!go) return 'no Go figure quoted';
  const [lo, hi] = go;
  const tLo = lo * TARGET;
  const tHi = hi * TARGET;
  const verdict = ours >= tHi ? 'met (above 1.2x the high end)' : ours >= tLo ? 'met vs low end only' : 'NOT met';
  return (
    `${k(lo)}-${k(hi)} -> ${k(tLo)}-${k(tHi)}: ours = ${(ours / lo).toFixed(2)}x-${(ours / hi).toFixed(2)}x Go, ${verdict}`
  );
}

function line(label: string, r: GenResult, go: readonly [number, number] | undefined): string {
  const l = r.latencyUs;
  return (
    `${label.padEnd(26)} ${k(r.pub.rate).padStart(7)} ${k(r.sub.rate).padStart(7)} ${k(r.total.rate).padStart(7)}  ` +
    `${lat(l.p50).padStart(7)} ${lat(l.p90).padStart(7)} ${lat(l.p99).padStart(7)} ${lat(l.max).padStart(7)}  ` +
    `${`${r.serverCpu ?? '?'}%`.padStart(5)} ${`${r.generatorCpu}%`.padStart(5)} ${`${r.machineCpu ?? '?'}%`.padStart(5)}  ` +
    goCols(go, r.total.rate)
  );
}

/** Bytes of all files under `dir`. */
function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

const tempDirs: string[] = [];

function freshDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `bench-filestore-${tag}-`));
  tempDirs.push(d);
  return d;
}

// ---- store cost, in process ----

const COST_MSGS = 300_000;
const COST_BATCH = 64;

/**
 * CPU per message of the FILE store alone (no server, no sockets): store
 * a 128-byte message, record it sent to and acked by one subscription,
 * commit (write, no fsync) every 64 messages, as a publish batch does.
 * Best of RUNS + 2 rounds (the first ones warm the JIT), in µs.
 */
async function storeCost(): Promise<void> {
  const data = Buffer.alloc(SIZE, 7);
  const rounds: number[] = [];
  for (let round = 0; round < RUNS + 2; round++) {
    const dir = freshDir(`cost-${round}`);
    const store = new FileStore({ dir, doSync: false });
    await store.recover();
    const ch = store.createChannel('cost', { maxSubscriptions: 0, maxMsgs: 0, maxBytes: 0, maxAgeMs: 0, maxInactivityMs: 0 });
    ch.subs.create({
      id: 1, clientId: 'c', qGroup: '', inbox: 'in', ackInbox: 'ack', maxInFlight: 1024,
      ackWaitInSecs: 30, durableName: '', lastSent: 0, isDurable: false, isClosed: false,
    });
    const ts = BigInt(Date.now()) * 1_000_000n;
    const c0 = process.cpuUsage();
    for (let i = 0; i < COST_MSGS; i += COST_BATCH) {
      for (let k = 0; k < COST_BATCH; k++) {
        const seq = ch.msgs.store(data, '_STAN.acks.x', ts);
        ch.subs.sent(1, seq);
        ch.subs.acked(1, seq);
      }
      await ch.msgs.flush();
      await ch.subs.flush();
    }
    const c = process.cpuUsage(c0);
    rounds.push((c.user + c.system) / COST_MSGS);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const best = Math.min(...rounds.slice(2));
  console.log(
    `store cost in process (store + sent + acked per message, commit every ${COST_BATCH}, no fsync, ${fileIo().kind} I/O): ` +
      `${best.toFixed(2)} µs CPU per message, best of ${RUNS} (all: ${rounds.map((r) => r.toFixed(2)).join('/')})\n`,
  );
}

// ---- reads ----

const READ_MSGS = 200_000;

/**
 * read() throughput of messages not in the recent cache: READ_MSGS of
 * SIZE bytes on one channel, written, evicted from the cache, then read
 * from first to last in batches; best of RUNS passes, msgs/s.
 */
async function readThroughput(): Promise<void> {
  const dir = freshDir('read');
  const store = new FileStore({ dir, doSync: false });
  await store.recover();
  const m = store.createChannel('read', { maxSubscriptions: 0, maxMsgs: 0, maxBytes: 0, maxAgeMs: 0, maxInactivityMs: 0 }).msgs as FileMsgStore;
  const data = Buffer.alloc(SIZE, 7);
  const ts = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < READ_MSGS; i++) {
    m.store(data, '', ts);
    if (i % 4096 === 4095) await m.flush();
  }
  await m.flush();
  // Written messages leave the recent cache after a second: a sweep "later" drops them all.
  m.sweep(Date.now() + 60_000, false);
  const rate = async (pass: () => Promise<number>): Promise<number> => {
    let top = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const n = await pass();
      if (n !== READ_MSGS) throw new Error(`read ${n} of ${READ_MSGS} messages`);
      top = Math.max(top, n / ((performance.now() - t0) / 1000));
    }
    return top;
  };
  const batched = (max: number) =>
    rate(async () => {
      let n = 0;
      for (let next = 1; ; ) {
        const got = await m.read(next, max);
        if (got.length === 0) return n;
        n += got.length;
        next = got[got.length - 1]!.sequence + 1;
      }
    });
  const b64 = await batched(64);
  const b512 = await batched(512);
  const sync = await rate(async () => {
    let n = 0;
    for (let seq = 1; seq <= READ_MSGS; seq++) if (m.lookup(seq) !== undefined) n++;
    return n;
  });
  console.log(
    `read() of messages not in the recent cache (${k(READ_MSGS)} x ${SIZE} B, page cache warm, ${fileIo().kind} I/O), best of ${RUNS}: ` +
      `batch 64 ${k(b64)} msgs/s, batch 512 ${k(b512)} msgs/s; lookup() loop on the event loop ${k(sync)} msgs/s\n`,
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

// ---- throughput ----

async function throughput(): Promise<void> {
  const common = ['-raw', '-np', '1', '-ns', '1', '-ms', String(SIZE), '-timeout', '600'];
  const asyncArgs = [...common, '-n', String(ASYNC_MSGS)];
  const syncArgs = [...common, '-n', String(SYNC_MSGS), '-sync'];
  console.log(
    `throughput: lean client (-raw), -np 1 -ns 1 -ms ${SIZE}, async -n ${ASYNC_MSGS} (window 512) and -sync -n ${SYNC_MSGS}, ` +
      `best of ${RUNS} by total/s; latency = publish to PubAck`,
  );
  console.log(HEADER);
  for (const fileSync of [true, false]) {
    const dir = freshDir(`sync-${fileSync}`);
    const mport = await freePort();
    const server = await startServer(['-st', 'file', '--dir', dir, `--file_sync=${fileSync}`, '-m', String(mport)]);
    try {
      const before = await commitStats(mport);
      const a = await best(server, asyncArgs, RUNS);
      console.log(line(`${String(fileSync).padEnd(10)} async`, a, fileSync ? GO.asyncSync : GO.asyncNoSync));
      const after = await commitStats(mport);
      const commits = after.count - before.count;
      if (commits > 0) {
        console.log(
          `${''.padEnd(11)}commits during the async runs: ${commits}, ${(((after.sum - before.sum) / commits) * 1000).toFixed(2)} ms ` +
            `${fileSync ? 'write+fdatasync' : 'write'} each on average (the store's /metrics histogram)`,
        );
      }
      const s = await best(server, syncArgs, RUNS);
      console.log(line(`${String(fileSync).padEnd(10)} -sync`, s, fileSync ? GO.syncSync : undefined));
      const m = memory(server.pid);
      console.log(`${''.padEnd(11)}server RSS now ${mb(m.rss)}, peak ${mb(m.peak)}; store on disk ${(diskBytes(dir) / 2 ** 20).toFixed(0)} MB`);
    } finally {
      await stopServer(server);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The store's commit-latency histogram (stan_store_fsync_seconds) from /metrics. */
async function commitStats(port: number): Promise<{ count: number; sum: number }> {
  let text = '';
  // The monitor may come up just after the ready line.
  for (let attempt = 0; ; attempt++) {
    try {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      break;
    } catch (err) {
      if (attempt === 40) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: get('stan_store_fsync_seconds_count'), sum: get('stan_store_fsync_seconds_sum') };
}

// ---- restart ----

interface Start {
  readyMs: number;
  atReady: Memory;
  later: Memory;
  recovered: string;
}

/** One start with `args` (of the Go binary `goBin` if given), measured to ready and 2 s later, then stopped. */
async function oneStart(args: string[], goBin?: string, after?: (s: ServerProc) => Promise<string>): Promise<Start & { extra: string }> {
  const s = await startServer(args, 600_000, goBin);
  try {
    await sleep(2000);
    const later = memory(s.pid);
    const rec = /Recovered (\d+) message\(s\).* in ([\d.]+ ?[mµu]?s)/.exec(s.log);
    const extra = after ? await after(s) : '';
    return { readyMs: s.readyMs, atReady: s.atReady, later, recovered: rec ? `${rec[1]} msgs in ${rec[2]}` : goBin ? 'no message count (Go logs none)' : 'nothing recovered', extra };
  } finally {
    await stopServer(s);
  }
}

/**
 * Starts the server `runs` times with `args`, each measured to ready and
 * 2 s later, then stopped; with `goBin`, the Go server too, alternating.
 */
async function starts(
  args: string[],
  runs: number,
  after?: (s: ServerProc) => Promise<string>,
  goBin?: string,
): Promise<{ all: Start[]; go: Start[]; extra: string }> {
  const all: Start[] = [];
  const go: Start[] = [];
  let extra = '';
  for (let r = 0; r < runs; r++) {
    const ours = await oneStart(args, undefined, r === runs - 1 ? after : undefined);
    all.push(ours);
    if (ours.extra) extra = ours.extra;
    if (goBin !== undefined) go.push(await oneStart(args, goBin));
  }
  return { all, go, extra };
}

function startLine(label: string, res: Start[]): Start {
  const sorted = [...res].sort((a, b) => a.readyMs - b.readyMs);
  const top = sorted[0]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `${label.padEnd(30)} ready ${secs(top.readyMs)} (median ${secs(median.readyMs)}; ${res.map((r) => (r.readyMs / 1000).toFixed(3)).join('/')})  ` +
      `RSS at ready ${mb(top.atReady.rss)} (${res.map((r) => r.atReady.rss.toFixed(0)).join('/')}), ` +
      `2 s later ${mb(top.later.rss)} (${res.map((r) => r.later.rss.toFixed(0)).join('/')}); server log: ${top.recovered}`,
  );
  return median;
}

/** Fills a fresh store with `n` messages on channel `fill`, measures restarts on it, prints both. */
async function restartOn(n: number, limits: string[], baseline: Start): Promise<void> {
  const dir = freshDir(`fill-${n}`);
  const fillArgs = ['-st', 'file', '--dir', dir, '--file_sync=false', ...limits];
  const filler = await startServer(fillArgs);
  let fill: GenResult;
  let fillMem: Memory;
  try {
    fill = await generate(filler, ['-raw', '-np', '1', '-ns', '0', '-ms', String(SIZE), '-n', String(n), '-timeout', '3600'], 'fill');
    fillMem = memory(filler.pid);
  } finally {
    await stopServer(filler, 120_000);
  }
  const disk = diskBytes(dir);
  console.log(
    `filled ${k(n)} x ${SIZE} B (${['--file_sync=false', ...limits].join(' ')}): ${k(fill.pub.rate)} msgs/s over ${fill.pub.seconds.toFixed(1)} s, ` +
      `server RSS ${mb(fillMem.rss)} (peak ${mb(fillMem.peak)}) when done; ${(disk / 2 ** 20).toFixed(0)} MB on disk`,
  );
  const check = async (s: ServerProc): Promise<string> => {
    const r = await generate(s, ['-raw', '-np', '0', '-ns', '1', '-n', '1000', '-timeout', '60'], 'fill');
    return `read back the first ${r.sub.msgs} msgs from the recovered channel; RSS then ${mb(memory(s.pid).rss)}`;
  };
  const { all, go, extra } = await starts(['-st', 'file', '--dir', dir, ...limits], RUNS, check, GO_BIN);
  const m = startLine(`restart on ${k(n)} msgs`, all);
  if (go.length > 0) startLine(`Go server, same datastore`, go);
  const best = Math.min(...all.map((r) => r.readyMs));
  const rss = Math.min(...all.map((r) => Math.max(r.atReady.rss, r.later.rss)));
  console.log(
    `${''.padEnd(30)} vs Go (${GO.restartSecs} s, ${GO.restartMB} MB): time ${(best / 1000 / GO.restartSecs).toFixed(2)}x Go ` +
      `(${best / 1000 <= GO.restartSecs ? 'met' : 'NOT met'}), RSS ${(rss / GO.restartMB).toFixed(2)}x Go ` +
      `(${rss <= GO.restartMB ? 'met' : 'NOT met'}); over Node's empty start: ${signed((m.readyMs - baseline.readyMs) / 1000, 3)} s, ` +
      `${signed(m.later.rss - baseline.later.rss, 0)} MB (medians)`,
  );
  if (extra) console.log(`${''.padEnd(30)} ${extra}`);
  rmSync(dir, { recursive: true, force: true });
}

async function restart(): Promise<void> {
  console.log(
    `\nrestart: time from spawn() to "Streaming Server is ready", VmRSS then and 2 s later, best of ${RUNS} starts ` +
      `(page cache warm); Go: ready ${GO.restartSecs} s on 1M msgs, ${GO.restartMB} MB resident; target: as quick and as lean, also at 10M`,
  );
  const mem = await starts([], RUNS);
  const baseline = startLine('empty MEMORY store (Node base)', mem.all);
  const emptyDir = freshDir('empty');
  startLine('empty FILE store', (await starts(['-st', 'file', '--dir', emptyDir], RUNS)).all);
  await restartOn(1_000_000, [], baseline);
  if (WITH_10M) await restartOn(10_000_000, ['-mm', '0', '-mb', '0'], baseline);
  else console.log('10M-message restart skipped (takes minutes and ~1.8 GB of disk): set BENCH_FILESTORE_10M=1 to run it');
}

export const fileStoreSuite: Suite = {
  name: 'filestore',
  summary:
    `NATS Streaming, FILE store: stan-bench -raw -np 1 -ns 1 -ms ${SIZE} async and -sync with --file_sync on/off; ` +
    `restart time and RSS on 1M${WITH_10M ? ' and 10M' : ''} stored messages`,
  async run() {
    const [l1] = loadavg();
    console.log(`${cpus().length} CPUs, load average ${l1!.toFixed(2)} before starting; temp dirs under ${tmpdir()}`);
    try {
      if (!RESTART_ONLY) {
        await storeCost();
        await readThroughput();
        await throughput();
      }
      await restart();
      console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end (other work on this ${cpus().length}-CPU machine skews the figures)`);
    } finally {
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    }
  },
};

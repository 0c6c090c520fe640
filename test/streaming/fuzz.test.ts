// The streaming protocol fuzz (issue #18): a server process (the command
// line, memory and file stores) takes every byte value in a channel name,
// then random, truncated, bit-flipped, wrong-wire-type and wrong-message
// protobufs on every STAN subject, acks and heartbeat answers
// (helpers/stan-fuzzer.ts). It must not exit, must answer every request
// that the protocol answers within a bounded wait, must still serve
// node-nats-streaming afterwards, and its memory must stay bounded.
//
// Seeded: the seed is printed; STAN_FUZZ_SEED=<n> replays a run.
// STAN_FUZZ_REQUESTS=<n> sets the requests per store (2,000 in `npm test`,
// 100,000 in `npm run test:long`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LONG } from '../helpers/cores.js';
import { formatSamples, haveProc, type ProcSample, sampleProcess } from '../helpers/proc-sample.js';
import { haveNatsServer, startGoNats } from '../helpers/go-nats.js';
import { ServerChild } from '../helpers/server-child.js';
import { FUZZ_SUBJECTS, StanFuzzer } from '../helpers/stan-fuzzer.js';
import { closeClient, publish, pubResult, sleep, stanConnect } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';
import { stopProcess } from '../helpers/wait.js';
import { WireConn } from '../helpers/wire-conn.js';

const test = suite('streaming/fuzz');

const SEED = Number(process.env.STAN_FUZZ_SEED ?? Math.floor(Math.random() * 0xffff_ffff)) >>> 0;
const REQUESTS = Number(process.env.STAN_FUZZ_REQUESTS ?? (LONG ? 100_000 : 2_000));
/** Memory is sampled after the byte sweep and after each round. */
const ROUNDS = LONG ? 10 : 4;
/** How long a request may wait for its answer (a loaded machine is slow; the duplicate-ID probe waits too). */
const ANSWER_WAIT_MS = 20_000;
/**
 * Loose bounds on growth from the first sample to the last, and (RSS,
 * which Node seldom gives back) over the second half of the run: a leak
 * keeps growing, the allocator's high-water mark levels off. (100,000
 * requests on -ns took RSS from 84 to 350 MB, +39 MB in the second half,
 * with the heap flat at 25-40 MB.)
 */
const RSS_GROWTH_MB = LONG ? 400 : 250;
const RSS_LATE_GROWTH_MB = 100;
const HEAP_GROWTH_MB = 80;
/**
 * Small limits keep what the fuzz may legitimately store small, so that
 * growth past them is a leak (room for 300 channels: the byte sweep
 * makes 256); quick heartbeats drop the clients whose inboxes do not
 * answer; channels idle for 3 s are deleted (and recreated): that path is
 * fuzzed too.
 */
const LIMITS = ['-mc', '300', '-msu', '50', '-mm', '200', '-mb', '256KB', '-mi', '3s', '-hbi', '1s', '-hbt', '1s', '-hbf', '2'];

console.log(`streaming/fuzz: seed ${SEED}, ${REQUESTS} requests per store (replay: STAN_FUZZ_SEED=${SEED})`);

interface Started {
  server: ServerChild;
  /** Where clients connect: the embedded server, or nats-server with -ns. */
  port: number;
  http: number;
  stop(): Promise<void>;
}

/** The server on its embedded NATS server, or (`external`) on Debian's nats-server with -ns. */
async function startServer(args: string[], external: boolean): Promise<Started> {
  const go = external ? await startGoNats() : undefined;
  const nats = go ? ['-ns', `nats://127.0.0.1:${go.port}`] : ['-p', '-1'];
  const server = new ServerChild([...args, '-a', '127.0.0.1', ...nats, '-m', '-1', ...LIMITS]);
  const stop = async () => {
    await server.stop('SIGTERM');
    if (go) await stopProcess(go.proc);
  };
  try {
    const http = Number((await server.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
    const port = go?.port ?? (await server.port());
    await server.waitFor(/Streaming Server is ready/);
    return { server, port, http, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** How long the round trip after the fuzz may wait for the fuzz's channels to go idle and be deleted (-mi). */
const ROOM_WAIT_MS = 30_000;

/**
 * A node-nats-streaming client publishes and receives what it published.
 * The fuzz may have filled the channel limit: its channels are deleted
 * once idle, so "too many channels" is retried for a while.
 */
async function roundTrip(port: number): Promise<void> {
  const sc = await stanConnect(`nats://127.0.0.1:${port}`, 'fz-after', { reconnect: false });
  try {
    const deadline = Date.now() + ROOM_WAIT_MS;
    for (;;) {
      const err = await pubResult(sc, 'fz.after', 'first');
      if (err === '') break;
      if (err !== 'too many channels' || Date.now() > deadline) throw new Error(`publish after the fuzz: ${err}`);
      await sleep(500);
    }
    const sub = await subscribe(sc, 'fz.after', { all: true });
    await publish(sc, 'fz.after', 'still here');
    await sub.waitCount(2, 'the round trip after the fuzz', 15_000);
    assert.equal(sub.got.map((g) => g.data), ['first', 'still here']);
  } finally {
    await closeClient(sc);
  }
}

/** Bytes the channel name rule refuses in a token: `.` splits, `/` is refused, `*` and `>` are wildcards. */
const RULE_REFUSES = new Set([0x2e, 0x2f, 0x2a, 0x3e]);

/**
 * The byte sweep: every byte is stored, or refused by the channel name
 * rule, by the case rule (a-z after A-Z) or (the file store) by the file
 * system (NUL); never left without a PubAck or refused for the channel
 * limit (which would hide the store).
 */
function checkSweep(store: string, errors: (string | undefined)[]): void {
  const byError = new Map<string, number[]>();
  for (const [b, e] of errors.entries()) {
    const kind = (e ?? 'no PubAck').replace(/"[^"]*"/g, '"…"').slice(0, 100);
    byError.set(kind, [...(byError.get(kind) ?? []), b]);
  }
  const summary = [...byError].map(([e, bytes]) => `${e === '' ? 'stored' : e}: ${bytes.length} (${bytes.slice(0, 8).join(',')}${bytes.length > 8 ? ',...' : ''})`);
  console.log(`streaming/fuzz ${store}: byte sweep\n  ${summary.join('\n  ')}`);
  errors.forEach((e, b) => {
    if (RULE_REFUSES.has(b)) assert.is(e, 'stan: invalid publish request', `byte ${b}`);
    else if (store === 'file' && b === 0) assert.match(e ?? '', /unable to create channel/, 'byte 0 on the file store');
    else if (b >= 0x61 && b <= 0x7a) assert.match(e ?? '', /different cases not allowed/, `byte ${b}: the upper case channel came first`);
    else assert.is(e, '', `byte ${b} in a channel name is stored`);
  });
}

function fuzzStore(store: 'memory' | 'file', seed: number, external = false): void {
  test(`${store} store${external ? ' on -ns nats-server' : ''}: never exits, answers every request, serves a client after, memory bounded`, async () => {
    if (external && !haveNatsServer()) {
      console.log('streaming/fuzz: nats-server is not installed, the -ns variant is SKIPPED');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'stan-fuzz-'));
    const { server, port, http, stop } = await startServer(store === 'file' ? ['-st', 'file', '--dir', dir] : ['-st', 'memory'], external);
    const conn = await WireConn.open(port, FUZZ_SUBJECTS);
    const samples: ProcSample[] = [];
    const sample = async (label: string) => {
      if (haveProc) samples.push(await sampleProcess(label, server.pid, http));
    };
    let exited = false;
    void server.exited.then(() => (exited = true));
    try {
      const fz = new StanFuzzer(conn, seed, ANSWER_WAIT_MS);
      const swept = await fz.byteSweep();
      checkSweep(store, swept);
      await sample('byte sweep');
      for (let round = 1; round <= ROUNDS && !exited; round++) {
        await fz.run(Math.ceil(REQUESTS / ROUNDS));
        await fz.settle();
        await sample(`round ${round}`);
      }
      assert.not.ok(exited, `the server exited (seed ${seed}):\n${server.stderr.slice(-4000)}`);
      assert.not.ok(conn.isClosed, `the server closed the fuzz connection: ${conn.errors.join(', ')}`);
      assert.equal(conn.errors, [], 'no -ERR on well-formed NATS ops');
      const lost = fz.unanswered.slice(0, 5).map((u) => `${u.kind} (${u.how}) on ${JSON.stringify(u.subject.slice(0, 80))}: ${u.hex.slice(0, 160)}`);
      const warned = server.stderr.split('\n').filter((l) => /\[(ERR|WRN)\]/.test(l)).slice(-10).map((l) => l.slice(0, 300));
      assert.is(fz.unanswered.length, 0, `unanswered requests (seed ${seed}):\n${lost.join('\n')}\nthe server's last warnings:\n${warned.join('\n')}`);
      // The fuzz's clients leave (their heartbeats fail), its channels go idle.
      await conn.close();
      await roundTrip(port);
      await sample('after');
      if (samples.length > 0) console.log(formatSamples(`streaming/fuzz ${store} store (seed ${seed}): ${fz.sent} requests, ${fz.answered} answered`, samples));
      if (samples.length > 1) {
        const first = samples[0]!;
        const last = samples[samples.length - 1]!;
        const mid = samples[Math.floor(samples.length / 2)]!;
        assert.ok(last.rssMB - first.rssMB < RSS_GROWTH_MB, `RSS grew ${(last.rssMB - first.rssMB).toFixed(1)} MB`);
        assert.ok(last.rssMB - mid.rssMB < RSS_LATE_GROWTH_MB, `RSS grew ${(last.rssMB - mid.rssMB).toFixed(1)} MB in the second half`);
        assert.ok(last.heapMB - first.heapMB < HEAP_GROWTH_MB, `heap grew ${(last.heapMB - first.heapMB).toFixed(1)} MB`);
      }
      assert.not.ok(exited, 'the server is still running');
    } finally {
      await conn.close();
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

fuzzStore('memory', SEED);
fuzzStore('file', (SEED ^ 0x5bd1e995) >>> 0);
fuzzStore('memory', (SEED ^ 0x27d4eb2f) >>> 0, true);

test.run();

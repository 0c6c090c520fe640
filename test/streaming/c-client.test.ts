// The C client (Debian's libnats, STAN API) against our server: the program
// in test/streaming/c/stan_pubsub.c is compiled here with `cc`, then run
// against the embedded server and, when nats-server is installed, against
// Debian's nats-server with the streaming layer connected to it (-ns). It
// publishes synchronously and asynchronously (a 16-ack window, so it blocks
// and releases), replays everything, closes and resumes a durable with
// manual acks, and starts at a sequence; its output is checked line by line
// here, then a node-nats-streaming client replays the channel too.
// Skipped, with a printed reason, only when the header or library is absent.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeClient, haveNatsServer, stanConnect, startStan, until, type StanFixture } from '../helpers/stan.js';

/** dist/test/streaming → the package root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = join(ROOT, 'test', 'streaming', 'c', 'stan_pubsub.c');
const HEADER = '/usr/include/nats/nats.h';
/** Messages per kind (sync, async); 200 async against a window of 16. */
const N = 200;
const BIG_LEN = 70_000;
const RUN_TIMEOUT_MS = 60_000;

/** Why the C client cannot be built here, or undefined when it can. */
function missing(): string | undefined {
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler (cc)';
  if (!existsSync(HEADER)) return `${HEADER} is absent (apt-get install libnats-dev)`;
  if (!readFileSync(HEADER, 'utf8').includes('stanConnection_Connect')) return `${HEADER} has no STAN API`;
  const lib = spawnSync('cc', ['-print-file-name=libnats.so'], { encoding: 'utf8' }).stdout.trim();
  if (!lib.startsWith('/') || !existsSync(lib)) return 'libnats.so is absent (apt-get install libnats-dev)';
  return undefined;
}

const why = missing();
let binary = '';
let buildDir = '';

/** The payload of each sequence the program publishes, 1-based (index 0 unused). */
function expectedPayloads(n: number): Buffer[] {
  const big = Buffer.alloc(BIG_LEN);
  for (let i = 0; i < BIG_LEN; i++) big[i] = (i * 7 + 3) & 0xff;
  return [
    Buffer.alloc(0),
    ...Array.from({ length: n }, (_, i) => Buffer.from(`sync-${i}`)),
    Buffer.alloc(0),
    ...Array.from({ length: n }, (_, i) => Buffer.from(`async-${i}`)),
    big,
    ...Array.from({ length: 3 }, (_, i) => Buffer.from(`after-${i}`)),
  ];
}

interface Received {
  seq: number;
  redelivered: boolean;
  data: Buffer;
}

interface Output {
  lines: string[];
  published: string[];
  acks: { index: number; guid: string; error: string }[];
  phases: Map<string, Received[]>;
  ends: Map<string, number>;
  errors: string[];
}

function parse(stdout: string): Output {
  const out: Output = { lines: [], published: [], acks: [], phases: new Map(), ends: new Map(), errors: [] };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    out.lines.push(line);
    const f = line.split(' ');
    switch (f[0]) {
      case 'PUBLISHED':
        out.published.push(`${f[1]} ${f[2]}`);
        break;
      case 'ACK':
        out.acks.push({ index: Number(f[1]), guid: f[2]!, error: f.slice(3).join(' ') });
        break;
      case 'MSG': {
        const [, phase, seq, red, len, hex] = f as [string, string, string, string, string, string];
        const data = hex === '-' ? Buffer.alloc(0) : Buffer.from(hex, 'hex');
        assert.is(data.length, Number(len), `length field of: ${line.slice(0, 80)}`);
        const list = out.phases.get(phase) ?? [];
        list.push({ seq: Number(seq), redelivered: red === '1', data });
        out.phases.set(phase, list);
        break;
      }
      case 'END':
        out.ends.set(f[1]!, Number(f[2]));
        break;
      case 'CLOSED':
        break;
      default:
        out.errors.push(line);
    }
  }
  return out;
}

function runClient(url: string, clientId: string, channel: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, [url, 'test-cluster', clientId, channel, String(N)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), RUN_TIMEOUT_MS);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Describes a received list compactly for failure messages. */
function show(list: Received[] | undefined): string {
  if (!list) return '(none)';
  return list
    .slice(0, 12)
    .map((r) => `${r.seq}${r.redelivered ? 'r' : ''}`)
    .join(',') + (list.length > 12 ? `,... (${list.length})` : '');
}

/** Asserts `list` is exactly sequences `from..to` with the expected payloads and flag. */
function expectRange(what: string, list: Received[], from: number, to: number, redelivered: boolean, payloads: Buffer[]): void {
  assert.is(list.length, to - from + 1, `${what}: count (got ${show(list)})`);
  list.forEach((r, i) => {
    const seq = from + i;
    assert.is(r.seq, seq, `${what}: sequence at position ${i} (got ${show(list)})`);
    assert.is(r.redelivered, redelivered, `${what}: redelivered flag of ${seq}`);
    assert.ok(r.data.equals(payloads[seq]!), `${what}: payload of ${seq}: ${r.data.subarray(0, 20).toString('hex')}`);
  });
}

async function exercise(fx: StanFixture, tag: string): Promise<void> {
  const clientId = `c-client-${tag}`;
  const channel = `c.client.${tag}`;
  const res = await runClient(fx.url, clientId, channel);
  const out = parse(res.stdout);
  const context = `exit ${res.code}; stderr: ${res.stderr.trim()}; errors: ${out.errors.join(' | ')}; last lines: ${out.lines
    .slice(-3)
    .map((l) => l.slice(0, 100))
    .join(' | ')}`;
  assert.equal(out.errors, [], context);
  assert.is(res.code, 0, context);
  assert.is(out.lines.at(-1), 'CLOSED', context);

  const T = 2 * N + 2;
  const payloads = expectedPayloads(N);
  assert.equal(out.published, [`sync ${N + 1}`, `big ${BIG_LEN}`, 'after 3']);

  // Async acks: one per publish, in publish order, no error, distinct guids.
  assert.is(out.acks.length, N, 'one ack per async publish');
  assert.equal(
    out.acks.map((a) => a.index),
    Array.from({ length: N }, (_, i) => i),
    'acks in publish order',
  );
  assert.ok(
    out.acks.every((a) => a.error === '-'),
    `ack errors: ${out.acks.filter((a) => a.error !== '-').map((a) => a.error).join(', ')}`,
  );
  assert.is(new Set(out.acks.map((a) => a.guid)).size, N, 'distinct guids');
  assert.ok(out.acks.every((a) => /^[A-Za-z0-9]{10,}$/.test(a.guid)), 'guids look like NUIDs');

  const phase = (name: string) => {
    const list = out.phases.get(name) ?? [];
    assert.is(out.ends.get(name), list.length, `END line of ${name}`);
    return list;
  };
  // Everything published so far, in order, none redelivered.
  expectRange('all', phase('all'), 1, T, false, payloads);
  // The durable sees the same; it acks 1..N+1 and closes.
  expectRange('dur1', phase('dur1'), 1, T, false, payloads);
  // Resumed: the unacked N+2..T first, redelivered, then the 3 new ones.
  const dur2 = phase('dur2');
  expectRange('dur2 (redelivered)', dur2.slice(0, T - N - 1), N + 2, T, true, payloads);
  expectRange('dur2 (new)', dur2.slice(T - N - 1), T + 1, T + 3, false, payloads);
  // Resumed again after auto-acks: nothing left.
  assert.equal(phase('dur3'), [], `dur3 got ${show(out.phases.get('dur3'))}`);
  expectRange('seq', phase('seq'), N + 2, T + 3, false, payloads);

  // The C client's close unregistered it.
  await until(() => fx.stan.clients.get(clientId) === undefined, `${clientId} to be unregistered`);

  // A node client replays the channel the C client wrote.
  const sc = await stanConnect(fx.url, `node-replay-${tag}`);
  try {
    const got: Received[] = [];
    const opts = sc.subscriptionOptions().setDeliverAllAvailable();
    const sub = sc.subscribe(channel, opts);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    sub.on('message', (m: any) => got.push({ seq: m.getSequence(), redelivered: m.isRedelivered(), data: Buffer.from(m.getRawData()) }));
    await until(() => got.length >= T + 3, `node replay of ${T + 3} messages (got ${got.length})`, 10_000);
    expectRange('node replay', got, 1, T + 3, false, payloads);
    sub.unsubscribe();
  } finally {
    await closeClient(sc);
  }
}

const test = suite('c-client');

test.before(() => {
  if (why) return;
  buildDir = mkdtempSync(join(tmpdir(), 'stan-c-client-'));
  binary = join(buildDir, 'stan_pubsub');
  const cc = spawnSync('cc', ['-DNATS_HAS_STREAMING', '-O1', '-Wall', '-o', binary, SOURCE, '-lnats', '-lpthread'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed (${cc.status}):\n${cc.stderr}`);
});

test.after(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

// Skips register no test at all (uvu's test.skip would be counted as a
// failure by scripts/run-tests.mjs, which computes Total - Passed - Skipped
// while uvu's Total already leaves skipped tests out).
if (why) {
  console.log(`SKIPPED: C client tests need libnats-dev with the STAN API: ${why}`);
} else {
  test('C client against the embedded server', async () => {
    const fx = await startStan();
    try {
      await exercise(fx, 'embedded');
    } finally {
      await fx.stop();
    }
  });

  if (haveNatsServer()) {
    test('C client against the streaming layer on nats-server (-ns)', async () => {
      const fx = await startStan({ external: true });
      try {
        await exercise(fx, 'external');
      } finally {
        await fx.stop();
      }
    });
  } else {
    console.log('SKIPPED: nats-server is not installed: the -ns case of the C client test does not run');
  }
}

test.run();

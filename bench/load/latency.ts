// Publish-to-delivery latency at a fixed rate below saturation, as a new
// user measures it: one node-nats-streaming connection publishing at
// -rate msgs/s on a fresh channel, one subscriber on another connection;
// each payload carries its send time (performance.now() of this process),
// the subscriber takes the difference on arrival. Prints one JSON line:
//
//   node dist/bench/load/latency.js -s URL [-c cluster] [-rate 2000] [-secs 10] [-ms 128] [-warm 1] [-core 1]
//
// -core 1 sends the same paced payloads as plain NATS messages over the
// same two connections (node-nats-streaming's own NATS client, sc.nc):
// the floor that this client, its event loop and the machine set under
// any streaming server, to tell what part of a streaming p99 is ours.
//
// Publishes are paced on a fixed schedule (message i is due at t0 + i/rate)
// so a slow turn does not lower the rate; the first -warm seconds are sent
// but not counted.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stan: any = require('node-nats-streaming');

interface Args {
  url: string;
  cluster: string;
  rate: number;
  secs: number;
  ms: number;
  warm: number;
  core: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { url: 'nats://127.0.0.1:4222', cluster: 'test-cluster', rate: 2000, secs: 10, ms: 128, warm: 1, core: false };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '-s': a.url = v; break;
      case '-c': a.cluster = v; break;
      case '-rate': a.rate = Number(v); break;
      case '-secs': a.secs = Number(v); break;
      case '-ms': a.ms = Number(v); break;
      case '-warm': a.warm = Number(v); break;
      case '-core': a.core = v === '1' || v === 'true'; break;
      default: throw new Error(`latency: unknown flag ${argv[i]}`);
    }
  }
  return a;
}

function connect(cluster: string, id: string, url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const sc = stan.connect(cluster, id, { url });
    sc.once('connect', () => resolve(sc));
    sc.once('error', reject);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const tag = `${process.pid}-${Date.now()}`;
  const channel = `bench.latency.${tag}`;
  const pub = await connect(a.cluster, `lat-pub-${tag}`, a.url);
  const sub = await connect(a.cluster, `lat-sub-${tag}`, a.url);
  const total = Math.round(a.rate * (a.secs + a.warm));
  const skip = Math.round(a.rate * a.warm);
  const samples = new Float64Array(total - skip);
  let received = 0;
  const done = new Promise<void>((resolve) => {
    const arrived = (data: Buffer): void => {
      const now = performance.now();
      const seq = data.readUInt32LE(0);
      const sent = data.readDoubleLE(4);
      if (seq >= skip) samples[seq - skip] = now - sent;
      if (++received === total) resolve();
    };
    if (a.core) {
      // The stan client's NATS connection is 'binary': a message arrives as a latin1 string.
      sub.nc.subscribe(channel, (m: string) => arrived(Buffer.from(m, 'binary')));
      return;
    }
    const s = sub.subscribe(channel, sub.subscriptionOptions().setMaxInFlight(1024));
    s.on('message', (m: any) => arrived(m.getRawData() as Buffer));
  });
  await new Promise((r) => setTimeout(r, 200)); // the subscription is registered
  const payload = Buffer.alloc(Math.max(12, a.ms));
  const t0 = performance.now();
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / a.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const p = Buffer.from(payload);
    p.writeUInt32LE(i, 0);
    p.writeDoubleLE(performance.now(), 4);
    if (a.core) {
      pub.nc.publish(channel, p);
      continue;
    }
    pub.publish(channel, p, (err: unknown) => {
      if (err) errors++;
    });
  }
  const timeout = setTimeout(() => {
    console.error(`latency: only ${received}/${total} delivered`);
    process.exit(1);
  }, 60_000);
  await done;
  clearTimeout(timeout);
  const sorted = samples.slice().sort();
  const out = {
    rate: a.rate,
    mode: a.core ? 'core' : 'streaming',
    msgs: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1],
  };
  console.log(JSON.stringify(out));
  await Promise.all([pub, sub].map((c) => new Promise<void>((r) => { c.once('close', () => r()); c.close(); })));
  process.exit(0);
}

main().catch((err) => {
  console.error(`latency: ${(err as Error).stack ?? err}`);
  process.exit(1);
});

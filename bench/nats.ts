// Core NATS pub/sub throughput: our server against Debian's nats-server
// (when installed) on another loopback port, driven by the same load
// generator in a separate process (bench/load/nats-load.ts). Prints msgs/s
// for both and the ratio.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freePort } from './server-proc.js';
import type { Suite } from './suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.BENCH_NATS_MSGS ?? 1_000_000);
const SIZE = 128;
const CASES = [
  { name: '1 pub -> 1 sub', subs: 1 },
  { name: '1 pub -> 4 subs (fan-out)', subs: 4 },
];
/** Runs per case; the best is kept. */
const RUNS = 3;

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

export interface Started {
  port: number;
  proc: ChildProcess;
  label: string;
}

export async function startOurs(): Promise<Started> {
  // BENCH_NODE_ARGS: node flags for our server's process (--cpu-prof, say).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, join(here, 'load', 'nats-server-proc.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
  const [, port, kind] = line.trim().split(' ');
  return { port: Number(port), proc, label: `ours (${kind} core)` };
}

export async function startGo(): Promise<Started | undefined> {
  if (spawnSync('nats-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitListening(port);
  const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { port, proc, label: version };
}

interface Result {
  deliverRate: number;
  pubRate: number;
}

function load(port: number, subs: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(here, 'load', 'nats-load.js'), String(port), String(MESSAGES), String(SIZE), String(subs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function best(port: number, subs: number): Promise<Result> {
  let top: Result | undefined;
  for (let r = 0; r < RUNS; r++) {
    const res = await load(port, subs);
    if (!top || res.deliverRate > top.deliverRate) top = res;
  }
  return top!;
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)}M`;

export const natsSuite: Suite = {
  name: 'nats',
  summary: `core pub/sub, ${MESSAGES} x ${SIZE} B messages, best of ${RUNS} (msgs/s: published, delivered)`,
  async run() {
    const servers = [await startOurs()];
    const go = await startGo();
    if (go) servers.push(go);
    else console.log('note: nats-server is not installed (apt-get install nats-server): only ours is measured');
    try {
      for (const c of CASES) {
        const res: Result[] = [];
        for (const s of servers) res.push(await best(s.port, c.subs));
        const cells = servers.map((s, i) => `${s.label}: ${fmt(res[i]!.pubRate)} pub, ${fmt(res[i]!.deliverRate)} delivered`);
        const ratio = res.length > 1 ? `  ratio ours/go ${(res[0]!.deliverRate / res[1]!.deliverRate).toFixed(2)}` : '';
        console.log(`${c.name.padEnd(26)} ${cells.join(' | ')}${ratio}`);
      }
    } finally {
      for (const s of servers) s.proc.kill('SIGTERM');
    }
  },
};

// Routed core NATS throughput: a publisher on one server of a two-node
// cluster and a subscriber on the other, 128-byte messages, so every
// message crosses the route. Ours-ours against nats-server-nats-server
// (Debian's, when installed) in the same run, with the same load generator
// (bench/load/nats-load.ts) in a process of its own.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Suite } from './suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.BENCH_ROUTE_MSGS ?? 1_000_000);
const SIZE = 128;
const RUNS = 3;

interface Pair {
  label: string;
  pubPort: number;
  subPort: number;
  procs: ChildProcess[];
}

function firstLine(proc: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = proc[stream]!;
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) {
        s.off('data', onData);
        s.resume();
        resolve(m);
      }
    };
    s.on('data', onData);
    proc.once('exit', () => reject(new Error(`server exited before ${re}: ${text}`)));
  });
}

async function ours(): Promise<Pair> {
  const proc = (args: string[]) => spawn(process.execPath, [join(here, 'load', 'nats-server-proc.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const a = proc(['--cluster']);
  const [, pa, kind, ra] = (await firstLine(a, 'stdout', /PORT (\d+) (\w+) (\d+)\n/))!;
  const b = proc(['--route', ra!]);
  const [, pb] = (await firstLine(b, 'stdout', /PORT (\d+) \w+ \d+\n/))!;
  return { label: `ours (${kind} core)`, pubPort: Number(pa), subPort: Number(pb), procs: [a, b] };
}

async function go(): Promise<Pair | undefined> {
  if (spawnSync('nats-server', ['--version']).status !== 0) return undefined;
  const start = async (routes: string[]) => {
    const args = ['-a', '127.0.0.1', '-p', '-1', '--cluster', 'nats://127.0.0.1:-1', '--cluster_name', 'bench'];
    if (routes.length) args.push('--routes', routes.join(','));
    const p = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Both lines, in whichever order and chunks they come.
    const m = await firstLine(p, 'stderr', /client connections on [^\s]+:(\d+)\n[^]*route connections on [^\s]+:(\d+)\n|route connections on [^\s]+:(\d+)\n[^]*client connections on [^\s]+:(\d+)\n/);
    return { p, port: Number(m[1] ?? m[4]), routePort: Number(m[2] ?? m[3]) };
  };
  const a = await start([]);
  const b = await start([`nats://127.0.0.1:${a.routePort}`]);
  const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { label: version, pubPort: a.port, subPort: b.port, procs: [a.p, b.p] };
}

interface Result {
  deliverRate: number;
  pubRate: number;
}

function load(p: Pair): Promise<Result> {
  return new Promise((resolve, reject) => {
    const args = [join(here, 'load', 'nats-load.js'), String(p.pubPort), String(MESSAGES), String(SIZE), '1', String(p.subPort)];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`load generator exited ${code}`))));
  });
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)}M`;

export const routesSuite: Suite = {
  name: 'routes',
  summary: `routed pub/sub (pub on one node, sub on another), ${MESSAGES} x ${SIZE} B, runs interleaved, best of ${RUNS} (msgs/s delivered)`,
  async run() {
    const pairs = [await ours()];
    const g = await go();
    if (g) pairs.push(g);
    else console.log('note: nats-server is not installed (apt-get install nats-server): only ours is measured');
    try {
      const best = pairs.map(() => 0);
      const all: number[][] = pairs.map(() => []);
      // Interleaved A/B runs: a machine shared with other work loads both alike.
      for (let r = 0; r < RUNS; r++) {
        for (const [i, p] of pairs.entries()) {
          const res = await load(p);
          all[i]!.push(res.deliverRate);
          best[i] = Math.max(best[i]!, res.deliverRate);
        }
      }
      const cells = pairs.map((p, i) => `${p.label}: best ${fmt(best[i]!)}, runs ${all[i]!.map(fmt).join(' ')}`);
      const ratio = pairs.length > 1 ? `  ratio ours/go ${(best[0]! / best[1]!).toFixed(2)}` : '';
      console.log(`${'1 pub -> 1 sub, routed'.padEnd(26)} ${cells.join(' | ')}${ratio}`);
    } finally {
      for (const p of pairs) for (const proc of p.procs) proc.kill('SIGTERM');
    }
  },
};

// Slow consumers side by side (issue #18): the same scenario against our
// server and Debian's nats-server, with max_pending 4 MiB:
//   1. a subscriber stops reading for PAUSE_MS (write_deadline 10 s) while a
//      producer sends 32 MiB to it, then reads again;
//   2. the same with write_deadline 1 s.
// Prints, for each server: whether the subscriber was dropped, how much of
// the producer's data the server had taken when the pause ended, what the
// subscriber received in the end, and the server's log lines about it.
// `node dist/bench/slow-consumer.js` (not a registered suite: it measures
// behaviour, not speed).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const MAX_PENDING = 4 * 1024 * 1024;
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 3000);
const SIZE = 32 * 1024;
const COUNT = 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  label: string;
  port: number;
  proc: ChildProcess;
  log: string[];
}

function collect(proc: ChildProcess, log: string[]): void {
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => log.push(...d.split('\n').filter((l) => /Slow Consumer|stall/.test(l))));
}

async function ours(deadlineMs: number): Promise<Server> {
  const env = { ...process.env, BENCH_LOG: '1', BENCH_MAX_PENDING: String(MAX_PENDING), BENCH_WRITE_DEADLINE_MS: String(deadlineMs) };
  const proc = spawn(process.execPath, [join(here, 'load', 'nats-server-proc.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  collect(proc, log);
  const line = await new Promise<string>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
  return { label: 'ours', port: Number(line.split(' ')[1]), proc, log };
}

async function go(deadlineMs: number): Promise<Server | undefined> {
  if (spawnSync('nats-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const conf = join(tmpdir(), `slow-consumer-${process.pid}.conf`);
  writeFileSync(conf, `listen: 127.0.0.1:${port}\nmax_pending: ${MAX_PENDING}\nwrite_deadline: "${deadlineMs}ms"\n`);
  const proc = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  collect(proc, log);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(!s.destroy()));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await sleep(50);
  }
  return { label: spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim(), port, proc, log };
}

function client(port: number, setup: string, name = 'bench'): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
    s.write(`CONNECT {"verbose":false,"pedantic":false,"name":"${name}","lang":"raw","version":"1.0"}\r\n${setup}PING\r\n`);
  });
}

async function scenario(s: Server): Promise<string> {
  const sub = await client(s.port, 'SUB big 1\r\n', 'slow');
  let received = 0;
  let closed = false;
  sub.on('data', (d: Buffer) => (received += d.length));
  sub.on('close', () => (closed = true));
  await sleep(200);
  sub.pause();
  received = 0;
  const pub = await client(s.port, '');
  const payload = 'x'.repeat(SIZE);
  for (let i = 0; i < COUNT; i++) pub.write(`PUB big ${SIZE}\r\n${payload}\r\n`);
  await sleep(PAUSE_MS);
  // What the producer's socket handed to the kernel: the server read it (or its socket buffers hold it).
  const taken = pub.bytesWritten - pub.writableLength;
  const droppedDuringPause = closed;
  sub.resume();
  for (let i = 0; i < 200 && !closed && received < COUNT * SIZE; i++) await sleep(50);
  await sleep(300);
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  pub.destroy();
  sub.destroy();
  return `dropped ${droppedDuringPause || closed ? 'yes' : 'no'}, producer data taken by the end of the pause ${mb(taken)} of ${mb(COUNT * (SIZE + 20))}, subscriber received ${mb(received)}`;
}

for (const deadlineMs of [10_000, 1_000]) {
  console.log(`== subscriber stops reading for ${PAUSE_MS} ms; max_pending ${MAX_PENDING}, write_deadline ${deadlineMs} ms`);
  for (const start of [ours, go]) {
    const s = await start(deadlineMs);
    if (s === undefined) {
      console.log('nats-server is not installed');
      continue;
    }
    const result = await scenario(s);
    s.proc.kill('SIGTERM');
    await sleep(200);
    console.log(`${s.label.padEnd(22)} ${result}`);
    for (const l of s.log.slice(0, 3)) console.log(`  log: ${l.replace(/^\[\d+\] /, '')}`);
  }
}

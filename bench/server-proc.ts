// Our streaming server (bin/nats-streaming-server.js) in a process of its
// own, for server benchmarks: start it with any flags on a port it picks
// (-p 0, read back from its log), time how long it takes to say it is
// ready, read its memory from /proc, stop it; and the helpers the server
// suites share: a free port, one run of the stan-bench load generator.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/bench → the package root. */
export const ROOT = join(here, '..', '..');
export const BIN = join(ROOT, 'bin', 'nats-streaming-server.js');
export const GENERATOR = join(here, 'load', 'stan-bench.js');

export interface Memory {
  /** VmRSS, MB. */
  rss: number;
  /** VmHWM (peak RSS), MB. */
  peak: number;
}

/** VmRSS and VmHWM of a process, in MB. */
export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Rate {
  msgs: number;
  seconds: number;
  rate: number;
}

/** The JSON line of bench/load/stan-bench.ts. */
export interface GenResult {
  procs: number;
  client: string;
  pub: Rate;
  sub: Rate;
  total: Rate;
  latencyUs: { p50: number; p90: number; p99: number; max: number };
  generatorCpu: number;
  generatorCpuPerProc: number[];
  serverCpu?: number;
  machineCpu?: number;
}

/** One run of the stan-bench generator in its own process with these arguments. */
export function runGenerator(args: readonly string[]): Promise<GenResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [GENERATOR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (err += d));
    p.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as GenResult);
      else reject(new Error(`stan-bench ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

export interface ServerProc {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** ms from just before spawn() to the "Streaming Server is ready" line reaching us. */
  readyMs: number;
  /** Memory read the moment the ready line arrived. */
  atReady: Memory;
  /** Everything it logged up to then. */
  log: string;
}

const READY = 'Streaming Server is ready';
const LISTEN = /Listening for client connections on [^\s]*:(\d+)/;

/**
 * Starts our server (or, with `bin`, another: the Go server's binary, or
 * another checkout's bin/nats-streaming-server.js) with `args` plus
 * `-a 127.0.0.1 -p -1` and resolves once it logs that it is ready (its
 * port is read from its log; both servers log it alike). `nodeArgs` go to
 * node when the server is ours.
 */
export async function startServer(args: readonly string[], timeoutMs = 30_000, bin?: string, nodeArgs: readonly string[] = []): Promise<ServerProc> {
  const listen = ['-a', '127.0.0.1', '-p', '-1'];
  const t0 = performance.now();
  const proc =
    bin === undefined || bin.endsWith('.js')
      ? spawn(process.execPath, [...nodeArgs, bin ?? BIN, ...args, ...listen], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(bin, [...args, ...listen], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const ready = await new Promise<{ readyMs: number; atReady: Memory }>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server not ready after ${timeoutMs / 1000} s:\n${log}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}:\n${log}`));
    };
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes(READY)) {
        const readyMs = performance.now() - t0;
        const atReady = memory(proc.pid!);
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve({ readyMs, atReady });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', onExit);
  });
  // Keep draining its output so it never blocks on a full pipe.
  proc.stdout!.removeAllListeners('data').resume();
  proc.stderr!.removeAllListeners('data').resume();
  const port = Number(LISTEN.exec(log)?.[1]);
  if (!(port > 0)) {
    await stopServer({ proc });
    throw new Error(`no listening port in the server's log:\n${log}`);
  }
  return { proc, pid: proc.pid!, port, url: `nats://127.0.0.1:${port}`, log, ...ready };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopServer(s: { proc: ChildProcess }, graceMs = 30_000): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  const t = setTimeout(() => s.proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Runs a program to its end: resolves to its stdout and stderr together, rejects on a non-zero exit. */
export function runProgram(cmd: string, args: readonly string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.trim().slice(-500)}`));
    });
  });
}

/** Go stan-bench's headline figure: Pub/Sub stats when there are subscribers, else Pub stats. */
export function stanBenchRate(out: string): number {
  const m = /Pub\/Sub stats: ([\d,]+) msgs\/sec/.exec(out) ?? /Pub stats: ([\d,]+) msgs\/sec/.exec(out);
  if (!m) throw new Error(`no rate in stan-bench output:\n${out}`);
  return Number(m[1]!.replace(/,/g, ''));
}

/** The middle of the values (the upper middle of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

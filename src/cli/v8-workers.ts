// V8's worker threads (TurboFan compiling, GC helpers) at the lowest
// scheduling priority, so that they take only CPU that the event loop and
// the clients on the machine leave idle. A fresh server compiles its hot
// path for seconds at a modest rate: at 2,000 msgs/s ~145 TurboFan jobs,
// ~0.3 s of CPU (node --trace-opt) in bursts of 1-3 ms on a worker. On a
// small machine such a burst holds the core that our event loop or a
// client waking up needs: the publish-to-delivery p99 of a fresh server
// was 0.89 ms, 0.61 ms with the workers niced (5 alternating rounds; the
// core-NATS floor 0.89 -> 0.53 ms). A niced thread still gets any idle
// core; under full load it waits, which slows the warm-up a little.
//
// The command alone does it (an embedding application owns its threads).
// Linux only, where a thread's nice value is its own (setpriority on a
// thread id). Node 20 names no thread, so the workers are found by the
// layout its platform starts them in: after the main thread, the delayed-
// task scheduler (in epoll_wait), then the workers, created one after the
// other, all waiting on one condition variable (the same futex address in
// /proc/self/task/<tid>/syscall). The libuv pool (file store syncs) comes
// later and waits on another; it keeps the normal priority. Anything that
// does not match that layout is left alone.

import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value given to V8's workers: the lowest priority (SCHED_OTHER). */
export const V8_WORKER_NICE = 19;

/** Node's default --v8-pool-size. */
const DEFAULT_POOL_SIZE = 4;

/** Attempts while a worker is busy (not waiting for a task), and the pause between them. */
const ATTEMPTS = 5;
const RETRY_MS = 20;

export interface ThreadState {
  tid: number;
  /** The futex address the thread waits on; undefined when it runs or waits on anything else. */
  futex: string | undefined;
}

/** Linux syscall numbers of futex: x86_64, arm64. */
const FUTEX_SYSCALLS: Readonly<Partial<Record<string, string>>> = { x64: '202', arm64: '98' };

/**
 * The V8 workers among the process's other threads (in creation order),
 * or undefined when the layout is not the one described above.
 */
export function findV8Workers(threads: readonly ThreadState[], poolSize: number): number[] | undefined {
  if (threads.length < poolSize + 1) return undefined;
  const workers = threads.slice(1, 1 + poolSize);
  const futex = workers[0]!.futex;
  if (futex === undefined || threads[0]!.futex === futex) return undefined;
  if (!workers.every((t) => t.futex === futex)) return undefined;
  if (threads.slice(1 + poolSize).some((t) => t.futex === futex)) return undefined;
  return workers.map((t) => t.tid);
}

/** --v8-pool-size from the command line or NODE_OPTIONS; undefined when Node picks it (0) or it is unreadable. */
export function v8PoolSize(execArgv: readonly string[], nodeOptions: string): number | undefined {
  let size = DEFAULT_POOL_SIZE;
  for (const arg of [...nodeOptions.split(/\s+/), ...execArgv]) {
    const m = /^--v8-pool-size=(\d+)$/.exec(arg);
    if (m !== null) size = Number(m[1]);
  }
  return size > 0 ? size : undefined;
}

/** The process's threads but the main one, oldest first, with what each waits on. */
function readThreads(): ThreadState[] | undefined {
  const futexSyscall = FUTEX_SYSCALLS[process.arch];
  if (futexSyscall === undefined) return undefined;
  const threads: Array<ThreadState & { start: number }> = [];
  for (const name of readdirSync('/proc/self/task')) {
    const tid = Number(name);
    if (tid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at state, field 3; starttime is field 22.
      const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      const [nr, addr] = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').split(' ');
      threads.push({ tid, start, futex: nr === futexSyscall ? addr : undefined });
    } catch {
      return undefined; // a thread ended meanwhile, or /proc hides it: try again later
    }
  }
  // Start time (clock ticks) first: thread ids wrap around.
  threads.sort((a, b) => a.start - b.start || a.tid - b.tid);
  return threads;
}

export interface NiceLog {
  debug(message: string): void;
}

/**
 * Lowers the priority of V8's workers, in the background (a few timer
 * turns at most; the start does not wait). Logs what it did at debug level.
 */
export function niceV8Workers(log: NiceLog): void {
  if (process.platform !== 'linux') return;
  const poolSize = v8PoolSize(process.execArgv, process.env.NODE_OPTIONS ?? '');
  if (poolSize === undefined) return log.debug('V8 workers: --v8-pool-size=0, left at their priority');
  let attempt = 0;
  const tryOnce = (): void => {
    attempt++;
    let workers: number[] | undefined;
    try {
      const threads = readThreads();
      workers = threads && findV8Workers(threads, poolSize);
    } catch (err) {
      return log.debug(`V8 workers: cannot read /proc/self/task (${(err as Error).message}); left at their priority`);
    }
    if (workers === undefined) {
      if (attempt < ATTEMPTS) return void setTimeout(tryOnce, RETRY_MS).unref();
      return log.debug('V8 workers: not found where Node 20 starts them; left at their priority');
    }
    try {
      for (const tid of workers) setPriority(tid, V8_WORKER_NICE);
    } catch (err) {
      return log.debug(`V8 workers: cannot lower their priority (${(err as Error).message})`);
    }
    log.debug(`V8 workers (threads ${workers.join(', ')}) at nice ${V8_WORKER_NICE}`);
  };
  tryOnce();
}

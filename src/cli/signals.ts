// Process control (STAN-REFERENCE §7.2, §7.4): the `-P` pid file, the
// signals a running server handles, and `-sl/--signal` to send them.
//
// A running server: SIGINT stops it gracefully with exit code 0, SIGTERM
// with 143 (nats-streaming-server/server/signal.go), SIGUSR1 reopens the
// log file. SIGHUP (reload) is trapped elsewhere.
//
// `-sl CMD[=PID|PIDFILE]` maps commands to signals as nats-server's
// ProcessSignal does: stop → SIGKILL, quit → SIGINT, reopen → SIGUSR1,
// reload → SIGHUP, ldm → SIGUSR2, term → SIGTERM. The pid is the one given,
// else read from the file given (nats-server's maybeReadPidFile), else from
// the `-P` pid file, else the one nats-streaming-server process found.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const PROGRAM = 'nats-streaming-server';

export const SIGNAL_COMMANDS = {
  stop: 'SIGKILL',
  quit: 'SIGINT',
  reopen: 'SIGUSR1',
  reload: 'SIGHUP',
  ldm: 'SIGUSR2',
  term: 'SIGTERM',
} as const satisfies Record<string, NodeJS.Signals>;
export type SignalCommand = keyof typeof SIGNAL_COMMANDS;

/** Exit codes after a graceful stop, by the signal that asked for it. */
export const STOP_EXIT_CODES = { SIGINT: 0, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_EXIT_CODES;

/** nats-server writes the pid file with these permissions. */
const PID_FILE_MODE = 0o660;

/** A `-sl` that cannot be carried out; the message says why. */
export class SignalError extends Error {
  override name = 'SignalError';
}

/** Writes this process's pid (no newline, as nats-server). Throws Go's message. */
export function writePidFile(path: string): void {
  try {
    writeFileSync(path, String(process.pid), { mode: PID_FILE_MODE });
  } catch (err) {
    throw new Error(`Could not write pidfile: ${(err as Error).message}`, { cause: err });
  }
}

/** Removes the pid file at a clean exit; a file already gone is fine. */
export function removePidFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing useful to do at exit.
  }
}

function parsePid(text: string): number {
  const s = text.trim();
  if (!/^\d+$/.test(s) || Number(s) <= 0) throw new SignalError(`invalid pid: ${text}`);
  return Number(s);
}

/** nats-server's maybeReadPidFile: the file's content if `expr` names a readable file, else `expr`. */
function maybeReadPidFile(expr: string): string {
  try {
    return readFileSync(expr, 'utf8');
  } catch {
    return expr;
  }
}

/** Is this command line a running server (not a `-sl` invocation)? */
function isServer(argv: string[]): boolean {
  const script = argv.slice(0, 2).map((a) => basename(a));
  if (!script.some((a) => a === PROGRAM || a === `${PROGRAM}.js`)) return false;
  return !argv.some((a) => /^--?(sl|signal)(=|$)/.test(a));
}

/** The pids of the other running servers, from /proc (Linux). */
export function findServerPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    throw new SignalError('unable to resolve pid, try providing one');
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      if (isServer(argv)) pids.push(Number(e));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** Which process `-sl` means (see the header). */
function resolvePid(pidExpr: string | undefined, pidFile: string | undefined): number {
  if (pidExpr !== undefined) return parsePid(maybeReadPidFile(pidExpr));
  if (pidFile !== undefined && pidFile !== '') {
    let text: string;
    try {
      text = readFileSync(pidFile, 'utf8');
    } catch (err) {
      throw new SignalError(`unable to read pid file ${pidFile}: ${(err as Error).message}`);
    }
    return parsePid(text);
  }
  const pids = findServerPids();
  if (pids.length === 0) throw new SignalError(`no ${PROGRAM} processes running`);
  if (pids.length > 1) throw new SignalError(`multiple ${PROGRAM} processes running:\n${pids.join('\n')}`);
  return pids[0]!;
}

const ERRNO_TEXT: Record<string, string> = { ESRCH: 'no such process', EPERM: 'operation not permitted' };

/**
 * Carries out `-sl VALUE`: sends the signal and returns what was done, or
 * throws SignalError. `pidFile` is the `-P` file, if given.
 */
export function sendSignalCommand(value: string, pidFile?: string): { command: SignalCommand; signal: NodeJS.Signals; pid: number } {
  const parts = value.split('=');
  if (parts.length > 2) throw new SignalError(`invalid signal parameters: ${JSON.stringify(parts.slice(2))}`);
  const [name, pidExpr] = parts as [string, string | undefined];
  if (!Object.hasOwn(SIGNAL_COMMANDS, name)) {
    throw new SignalError(`unknown signal ${JSON.stringify(name)} (expected one of: ${Object.keys(SIGNAL_COMMANDS).join(', ')})`);
  }
  const command = name as SignalCommand;
  const signal = SIGNAL_COMMANDS[command];
  const pid = resolvePid(pidExpr, pidFile);
  try {
    process.kill(pid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new SignalError(`unable to send signal ${command} (${signal}) to process ${pid}: ${ERRNO_TEXT[code] ?? (err as Error).message}`);
  }
  return { command, signal, pid };
}

export interface SignalTrap {
  /** Resolves with SIGINT or SIGTERM, whichever comes first. */
  readonly stopped: Promise<StopSignal>;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Traps SIGINT and SIGTERM (a graceful stop) and SIGUSR1 (`onReopen`).
 * Trapping SIGUSR1 also keeps Node from starting its inspector on it.
 */
export function trapSignals(onReopen: () => void): SignalTrap {
  let resolve!: (s: StopSignal) => void;
  const stopped = new Promise<StopSignal>((r) => (resolve = r));
  const onInt = (): void => resolve('SIGINT');
  const onTerm = (): void => resolve('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGUSR1', onReopen);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGUSR1', onReopen);
    },
  };
}

/** Go's names for the stop signals, as nats-server logs them ("Trapped %q signal"). */
export const GO_SIGNAL_NAMES: Record<StopSignal, string> = { SIGINT: 'interrupt', SIGTERM: 'terminated' };

// The server as a child process (bin/nats-streaming-server.js) for the
// command-line, logging and signal tests: its output, waiting on it (or on
// a file) for a pattern, its port, and its exit.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/helpers → the package root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'nats-streaming-server.js');
/** How long a child may take to start, log a line, or exit once told to. */
export const WAIT_MS = 15_000;
/** Poll interval when waiting on a file (there is no event to wait on). */
const FILE_POLL_MS = 20;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the command; `args` after the program name. */
export class ServerChild {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  #done = false;
  #wake: (() => void)[] = [];

  /** Signals go to the child's process group (`group`: a launcher such as npx runs the server as a grandchild). */
  readonly #group: boolean;

  /**
   * Runs `bin` (default: this package's; a program not ending in .js,
   * such as the Go server, directly) with `args`; `opts` sets the
   * directory and environment, and `group` runs it in its own process group.
   */
  constructor(args: string[], bin = BIN, opts: { cwd?: string; env?: NodeJS.ProcessEnv; group?: boolean } = {}) {
    this.#group = opts.group === true;
    const [cmd, argv] = bin.endsWith('.js') ? [process.execPath, [bin, ...args]] : [bin, args];
    this.child = spawn(cmd, argv, {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.#group,
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#add('stdout', d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.#add('stderr', d));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      this.#done = true;
      this.#wake.splice(0).forEach((w) => w());
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  #add(stream: 'stdout' | 'stderr', d: string): void {
    this[stream] += d;
    this.#wake.splice(0).forEach((w) => w());
  }

  /** Waits until stderr, from offset `from` on, matches `re`. */
  async waitFor(re: RegExp, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const m = this.stderr.slice(from).match(re);
      if (m) return m;
      if (this.#done) throw new Error(`exited before ${re}; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${re}; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The port from the "Listening for client connections" line. */
  async port(): Promise<number> {
    return Number((await this.waitFor(/Listening for client connections on [^\s]+:(\d+)\n/))[1]);
  }

  /** Waits until the file exists and its text matches `re`. */
  async waitForFile(path: string, re: RegExp): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      if (re.test(text)) return text;
      if (this.#done) throw new Error(`exited before ${path} matched ${re}; it holds:\n${text}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${path} to match ${re}; it holds:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, FILE_POLL_MS));
    }
  }

  /** Signals the child (SIGINT unless told) and waits for its exit. */
  stop(signal: NodeJS.Signals = 'SIGINT'): Promise<Exit> {
    if (!this.#done) this.#kill(signal);
    return this.exit();
  }

  #kill(signal: NodeJS.Signals): void {
    if (this.#group) process.kill(-this.pid, signal);
    else this.child.kill(signal);
  }

  /** Waits for the exit (killing the child if it takes too long). */
  async exit(): Promise<Exit> {
    const t = setTimeout(() => this.#kill('SIGKILL'), WAIT_MS);
    const e = await this.exited;
    clearTimeout(t);
    return e;
  }
}

/** Runs the command to its end (e.g. `-sl`). */
export async function runToEnd(args: string[]): Promise<Exit & { stdout: string; stderr: string }> {
  const c = new ServerChild(args);
  const e = await c.exit();
  return { ...e, stdout: c.stdout, stderr: c.stderr };
}

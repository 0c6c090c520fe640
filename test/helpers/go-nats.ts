// Debian's nats-server in a child process, for the -ns (external NATS
// server) tests: whether it is installed, and starting it on a port. The
// port comes from the server's own "Listening" line (it picks a free one
// unless told), never from probing the port, which another test's server
// may hold.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** How long nats-server may take to say it is ready. */
const START_TIMEOUT_MS = 10_000;

/** Whether Debian's nats-server is installed (for the -ns tests). */
export function haveNatsServer(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

/** Starts nats-server on 127.0.0.1 and a port (any free one unless given), with extra arguments. */
export function startGoNats(port?: number, args: string[] = []): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port ?? -1), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`nats-server ${why}:\n${log}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    proc.once('exit', () => fail('exited'));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      const m = /Listening for client connections on [^\s]+:(\d+)\n/.exec(log);
      if (m && log.includes('Server is ready')) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        proc.stderr!.removeAllListeners('data');
        proc.stderr!.resume();
        resolve({ port: Number(m[1]), proc });
      }
    });
  });
}

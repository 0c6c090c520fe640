// Debian's nats-server as a member of a cluster, for the route tests: it
// listens for clients and routes on free ports (read from its log lines)
// and solicits the given routes.

import { spawn, type ChildProcess } from 'node:child_process';

const START_TIMEOUT_MS = 10_000;

export interface GoNode {
  port: number;
  routePort: number;
  proc: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

export function startGoNode(routes: string[], extra: string[] = [], cluster = 'c1'): Promise<GoNode> {
  const args = ['-a', '127.0.0.1', '-p', '-1', '--cluster', 'nats://127.0.0.1:-1', '--cluster_name', cluster, '-D'];
  if (routes.length) args.push('--routes', routes.join(','));
  const proc = spawn('nats-server', [...args, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      clearInterval(poll);
      proc.kill('SIGKILL');
      reject(new Error(`nats-server ${why}:\n${log}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    proc.once('exit', () => fail('exited'));
    const poll = setInterval(() => {
      const c = /Listening for client connections on [^\s]+:(\d+)\n/.exec(log);
      const r = /Listening for route connections on [^\s]+:(\d+)\n/.exec(log);
      if (!c || !r) return;
      clearTimeout(timer);
      clearInterval(poll);
      proc.removeAllListeners('exit');
      resolve({
        port: Number(c[1]),
        routePort: Number(r[1]),
        proc,
        log: () => log,
        stop: () =>
          new Promise<void>((res) => {
            if (proc.exitCode !== null) return res();
            proc.once('exit', () => res());
            proc.kill('SIGTERM');
          }),
      });
    }, 10);
  });
}

// Debian's nats-server in a child process, for the -ns (external NATS
// server) tests: whether it is installed, and starting it on a port.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, listening } from './net.js';

/** Whether Debian's nats-server is installed (for the -ns tests). */
export function haveNatsServer(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

/** Starts nats-server on 127.0.0.1 and a port (a free one unless given), with extra arguments. */
export async function startGoNats(port?: number, args: string[] = []): Promise<{ port: number; proc: ChildProcess }> {
  const p = port ?? (await freePort());
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(p), ...args], { stdio: 'ignore' });
  await listening(p, 'nats-server');
  return { port: p, proc };
}

// Loopback ports for test servers: a free one to bind, and waiting until
// something listens on one (a server in another process).

import { createServer, connect } from 'node:net';
import { sleep } from './wait.js';

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Resolves once 127.0.0.1:`port` accepts connections; rejects after `timeout`. */
export async function listening(port: number, what = 'a server', timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await accepts(port))) {
    if (Date.now() > end) throw new Error(`${what} did not listen on ${port}`);
    await sleep(25);
  }
}

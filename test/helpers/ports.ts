// Free TCP ports on loopback, for tests whose servers must know each
// other's ports before they start (route clusters).
//
// A port is chosen between the test's pick and the server's bind, so it is
// taken from below the kernel's ephemeral range: a port the kernel hands
// out itself (listen on 0) is also what it gives the next outgoing
// connection of any test running beside this one as its local port, and a
// route cluster's listener then fails with EADDRINUSE.

import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** Lowest port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

const LOW = 20000;
const TRIES = 50;

/** Listens on `port` (0: any) on 127.0.0.1 and closes again; the port, or undefined if it was taken. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as AddressInfo).port;
      s.close(() => resolve(got));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now, below the ephemeral range when there is room. */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  if (high - LOW >= 1000) {
    for (let i = 0; i < TRIES; i++) {
      const got = await probe(LOW + Math.floor(Math.random() * (high - LOW + 1)));
      if (got !== undefined) return got;
    }
  }
  const any = await probe(0);
  if (any === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return any;
}

// Many raw connections (issue #18): what an open, idle client connection
// costs the server, and that closing them gives it back. Measured in this
// process after forced collections (heap plus memory outside it: buffers,
// parser state), with the client sockets counted too, so the bounds are
// loose: before the fix each connection held a 40 KB parser output array
// and a 64 KB output buffer; now it holds a few KB. The server's own
// counters say every connection and subscription is gone after close.
// 1,000 connections here, 4,000 in test:long; 10,000 against nats-server
// in `node dist/bench/run.js connections`.

import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LONG } from '../helpers/cores.js';
import { startServer } from '../helpers/nats.js';
import { until } from '../helpers/wait.js';

const test = suite('nats/many-connections');
const N = LONG ? 4000 : 1000;
/** Connections being opened at once. */
const OPENING = 200;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and off-heap memory in use after full collections, bytes. */
function inUse(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A subscribed, idle connection: CONNECT, SUB, and the PONG that says both were processed. */
function open(port: number, i: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let lines = 0;
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      for (let at = d.indexOf(10); at >= 0; at = d.indexOf(10, at + 1)) lines++;
      if (lines === 2) resolve(s); // INFO, PONG
    });
    s.write(`CONNECT {"verbose":false}\r\nSUB many.${i % 50} ${i}\r\nPING\r\n`);
  });
}

async function openAll(port: number): Promise<Socket[]> {
  const out: Socket[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: OPENING }, async () => {
      while (next < N) out.push(await open(port, next++));
    }),
  );
  return out;
}

test(`${N} idle connections cost a few KB each, and closing them gives the memory back`, async () => {
  const server = await startServer();
  try {
    // One connection first: one-time costs (code, the parser output array) are not per connection.
    (await open(server.port, 0)).destroy();
    await until(() => server.clients.size === 0, 'the first connection to close');
    const start = inUse();
    const socks = await openAll(server.port);
    assert.is(server.clients.size, N);
    assert.is(server.router.size, N);
    const opened = inUse();
    const perConn = (opened - start) / N;
    // Both sides of each connection; before: over 100 KB.
    assert.ok(perConn < 16 * 1024, `${(perConn / 1024).toFixed(1)} KB per connection`);
    for (const s of socks) s.destroy();
    socks.length = 0; // this side's sockets are not the server's to give back
    await until(() => server.clients.size === 0, 'every connection to close', 30_000);
    assert.is(server.router.size, 0, 'every subscription released');
    const after = inUse();
    // What stays is /connz's record of each closed connection (nats-server keeps 10,000 too).
    const kept = (after - start) / N;
    assert.ok(kept < 2 * 1024, `${(kept / 1024).toFixed(1)} KB per closed connection kept`);
    assert.ok(after - start < (opened - start) / 2, 'most of the memory is back');
  } finally {
    await server.shutdown();
  }
});

test.run();

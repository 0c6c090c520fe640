// Random and mutated protocol lines against a live server: it must not
// crash, must not leak connections or subscriptions, and its memory must
// stay flat (100k lines in `npm test`, 1M in test:long).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startServer, RawClient } from '../helpers/nats.js';
import { LONG, rng } from '../helpers/cores.js';
import { until } from '../helpers/wait.js';
import { mutateLine, sendFuzzed } from '../helpers/fuzz.js';
import type { NatsServer } from '../../src/nats/server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const test = suite('nats/fuzz');
const LINES = LONG ? 1_000_000 : 100_000;
const LINES_PER_CONN = 100;
/** Connections fuzzed at the same time. */
const PARALLEL = 16;

const TEMPLATES = [
  'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n',
  'CONNECT {"verbose":true,"pedantic":true,"echo":false}\r\n',
  'PUB foo.bar 5\r\nhello\r\n',
  'PUB foo.bar _INBOX.x.y 3\r\nabc\r\n',
  'HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n',
  'SUB foo.* 1\r\n',
  'SUB foo.> q 2\r\n',
  'SUB _INBOX.x.* 3\r\n',
  'UNSUB 1\r\n',
  'UNSUB 2 5\r\n',
  'PING\r\n',
  'PONG\r\n',
  '+OK\r\n',
  "-ERR 'x'\r\n",
  'INFO {}\r\n',
];
const NOISE = Buffer.from('\r\n \t*>.0123456789{}"PUBSHMGINOKCT+-\x00\xff');

function mutate(next: () => number): Buffer {
  const extreme = () => ['PUB a 999999999\r\n', `SUB ${'x.'.repeat(next() % 3000)}y 1\r\n`, 'UNSUB 1 99999999999\r\n'][next() % 3]!;
  return mutateLine(TEMPLATES, NOISE, extreme, next, 95);
}

async function fuzzConnection(port: number, next: () => number): Promise<void> {
  const parts: Buffer[] = [];
  for (let i = 0; i < LINES_PER_CONN; i++) parts.push(mutate(next));
  await sendFuzzed(port, Buffer.concat(parts), next);
}

/** Fuzzes until the server has parsed `lines` more ops (a connection ends at its first fatal one). */
async function round(server: NatsServer, lines: number, next: () => number): Promise<void> {
  const target = server.opsParsed + lines;
  while (server.opsParsed < target) {
    const batch = [];
    for (let k = 0; k < PARALLEL; k++) batch.push(fuzzConnection(server.port, next));
    await Promise.all(batch);
  }
}

/** Waits until every fuzzed connection is gone (the assertions after say so if one is not). */
async function settled(server: NatsServer): Promise<void> {
  await until(() => server.clients.size === 0, 'every fuzzed connection to close').catch(() => {});
}

test('garbage does not crash the server, leak connections or grow memory', async () => {
  const server = await startServer({ maxControlLine: 1024, pingIntervalMs: 0 });
  try {
    const next = rng(0xbadc0de);
    // Warm-up round, then the measured rounds.
    await round(server, Math.min(LINES / 5, 20_000), next);
    await settled(server);
    gc();
    const before = process.memoryUsage();
    await round(server, LINES, next);
    await settled(server);
    gc();
    const after = process.memoryUsage();
    assert.is(server.clients.size, 0, 'every fuzzed connection is gone');
    assert.is(server.router.size, 0, 'no subscription outlived its connection');
    const heapGrowth = (after.heapUsed - before.heapUsed) / 1e6;
    assert.ok(heapGrowth < 20, `heap grew ${heapGrowth.toFixed(1)} MB over ${LINES} lines`);
    // And it still serves a well-behaved client.
    const [c] = await RawClient.info(server.port);
    c.send('CONNECT {"verbose":false}\r\nSUB ok 1\r\nPUB ok 2\r\nok\r\n');
    await c.expect(/MSG ok 1 2\r\nok\r\n/);
    c.close();
  } finally {
    await server.shutdown();
  }
});

test.run();

// Mutated route protocol over raw route connections (RS+, RS-, RMSG, HMSG,
// INFO, CONNECT, as nats-server 2.9 sends them, then bytes flipped, noise
// inserted, lines cut, sizes and tokens blown up): the server never
// crashes, every fuzzed route goes away with its interest, and it still
// routes for a well-behaved peer afterwards. 20k lines in `npm test`, 400k
// in test:long.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureLog, meshed, routeUrl, startNode } from '../../helpers/cluster.js';
import { LONG, rng } from '../../helpers/cores.js';
import { until } from '../../helpers/wait.js';
import { mutateLine, sendFuzzed } from '../../helpers/fuzz.js';
import type { NatsServer } from '../../../src/nats/server.js';

const test = suite('route fuzz');
const LINES = LONG ? 400_000 : 10_000;
const LINES_PER_CONN = 100;
const PARALLEL = 8;

const TEMPLATES = [
  'RS+ $G foo.>\r\n',
  'RS+ $G foo.bar q 3\r\n',
  'RS+ $SYS $SYS.x\r\n',
  'RS- $G foo.>\r\n',
  'RS- $G foo.bar q\r\n',
  'RMSG $G foo.bar 5\r\nhello\r\n',
  'RMSG $G foo.bar _INBOX.1 2\r\nhi\r\n',
  'RMSG $G foo.bar + _INBOX.2 q r 2\r\nhi\r\n',
  'RMSG $G foo.bar | q 2\r\nhi\r\n',
  'RMSG $SYS foo.bar 2\r\nhi\r\n',
  'HMSG $G foo.bar 12 14\r\nNATS/1.0\r\n\r\nhi\r\n',
  'HMSG $G foo.bar + r q 12 14\r\nNATS/1.0\r\n\r\nhi\r\n',
  'INFO {"server_id":"NOTHER","host":"127.0.0.1","port":1,"ip":"nats-route://127.0.0.1:1/","connect_urls":["127.0.0.1:1"]}\r\n',
  'INFO {"server_id":"NFUZZ","connect_urls":["127.0.0.1:2"]}\r\n',
  'PING\r\n',
  'PONG\r\n',
  "-ERR 'x'\r\n",
];
const NOISE = Buffer.from('\r\n \t*>.0123456789{}"RSMGHINFOPCT+-|$\x00\xff');

function mutate(next: () => number): Buffer {
  const extreme = () =>
    [
      'RMSG $G a 999999999\r\n',
      `RS+ $G ${'x.'.repeat(next() % 3000)}y\r\n`,
      `RMSG $G a + r ${'q '.repeat(next() % 2000)}2\r\nhi\r\n`,
      'RS+ $G a q 99999999999\r\n',
      'INFO [1,2]\r\n',
      'INFO {"server_id":5}\r\n',
    ][next() % 6]!;
  return mutateLine(TEMPLATES, NOISE, extreme, next, 90);
}

/** A route that logs in as server `NF<id>`, then sends mutated lines. */
async function fuzzRoute(port: number, id: number, next: () => number): Promise<void> {
  const parts: Buffer[] = [
    Buffer.from(`CONNECT {"echo":true,"verbose":false,"pedantic":false,"headers":true,"name":"NF${id}","cluster":"c1"}\r\n`),
    Buffer.from(`INFO {"server_id":"NF${id}","server_name":"f","host":"127.0.0.1","port":1,"headers":true,"cluster":"c1"}\r\n`),
  ];
  for (let i = 0; i < LINES_PER_CONN; i++) parts.push(mutate(next));
  await sendFuzzed(port, Buffer.concat(parts), next);
}

test('mutated route lines never crash the server nor leak routes or interest', async () => {
  const log = captureLog();
  const server: NatsServer = await startNode([], { connectRetries: 0 }, { maxControlLine: 4096, pingIntervalMs: 0 }, log);
  const probe = server.internalClient('probe');
  let delivered = 0;
  probe.subscribe('foo.>', null, () => delivered++);
  probe.subscribe('foo.bar', 'q', () => delivered++);
  try {
    const next = rng(0x5eed12);
    const target = server.opsParsed + LINES;
    let id = 0;
    while (server.opsParsed < target) {
      const batch = [];
      for (let k = 0; k < PARALLEL; k++) batch.push(fuzzRoute(server.cluster!.port, id++, next));
      await Promise.all(batch);
    }
    await until(() => server.cluster!.routes.size === 0, 'every fuzzed route gone');
    assert.is(server.cluster!.remote.size, 0, 'no remote interest outlived its route');
    assert.ok(delivered > 0, 'routed messages were delivered along the way');
    // An op that threw would be logged as an error processing it: none did.
    assert.equal(log.lines.filter((l) => l.includes('Error processing op')), []);
    // A well-behaved peer still meshes and carries messages.
    const peer = await startNode([routeUrl(server)]);
    await meshed([server, peer], 1);
    let got = 0;
    peer.internalClient('sink').subscribe('after.fuzz', null, () => got++);
    await until(() => server.cluster!.remote.size === 1, 'the peer interest');
    probe.publish('after.fuzz', undefined, Buffer.from('ok'));
    await until(() => got === 1, 'a message over the route');
    await peer.shutdown();
  } finally {
    probe.close();
    await server.shutdown();
  }
});

test.run();

// The client protocol over raw sockets (STAN-REFERENCE §1): INFO, CONNECT
// options, every op, routing, queue groups, headers, no-responders, split
// writes and pipelining, byte for byte as nats-server v2.9 answers.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RawClient, startServer } from '../helpers/nats.js';
import type { NatsServer } from '../../src/nats/server.js';

const test = suite('nats/protocol');
let server: NatsServer;
const clients: RawClient[] = [];

async function client(connect = '{"verbose":false,"pedantic":false}'): Promise<RawClient> {
  const [c] = await RawClient.info(server.port);
  clients.push(c);
  if (connect) c.send(`CONNECT ${connect}\r\n`);
  return c;
}

test.before(async () => {
  server = await startServer();
});
test.after.each(() => {
  for (const c of clients.splice(0)) c.close();
});
test.after(async () => {
  await server.shutdown();
});

test('INFO carries what clients need and nothing that misleads them', async () => {
  const [c, info] = await RawClient.info(server.port);
  clients.push(c);
  assert.match(String(info.server_id), /^N[A-Z2-7]{55}$/);
  assert.is(info.server_name, info.server_id);
  assert.match(String(info.version), /^\d+\.\d+\.\d+$/);
  assert.is(info.proto, 1);
  assert.is(info.headers, true);
  assert.is(info.max_payload, 1048576);
  assert.is(info.port, server.port);
  assert.is(typeof info.client_id, 'number');
  assert.is(info.client_ip, '127.0.0.1');
  for (const absent of ['nonce', 'tls_available', 'tls_required', 'auth_required', 'jetstream']) {
    assert.is(info[absent], undefined, absent);
  }
});

test('PING before CONNECT is answered (telnet style)', async () => {
  const c = await client('');
  c.send('PING\r\n');
  await c.expect(/PONG\r\n/);
});

test('verbose answers +OK to every op; op names are case-insensitive', async () => {
  const c = await client('{}');
  await c.expect(/\+OK\r\n/);
  c.send('sub a.> 1\r\npub a.b.c 1\r\nz\r\nping\r\n');
  await c.expect(/\+OK\r\n/);
  await c.expect(/MSG a\.b\.c 1 1\r\nz\r\n/);
  await c.expect(/\+OK\r\nPONG\r\n/);
});

test('MSG carries subject, sid, reply and payload; two matching subs get one each', async () => {
  const sub = await client();
  sub.send('SUB foo.* 1\r\nSUB foo.bar 2\r\n');
  await sub.flush();
  const pub = await client();
  pub.send('PUB foo.bar rep.ly 5\r\nhello\r\n');
  const got = [await sub.expect(/MSG foo\.bar (\d) rep\.ly 5\r\nhello\r\n/), await sub.expect(/MSG foo\.bar (\d) rep\.ly 5\r\nhello\r\n/)];
  assert.equal(got.map((m) => m[1]).sort(), ['1', '2']);
});

test('a queue group gets one copy, plain subscribers one each', async () => {
  const a = await client();
  a.send('SUB q.x grp 1\r\nSUB q.x grp 2\r\nSUB q.x 3\r\nSUB q.* 4\r\n');
  await a.flush();
  const pub = await client();
  pub.send('PUB q.x 1\r\nm\r\n');
  pub.send('PING\r\n');
  await pub.expect(/PONG\r\n/);
  await a.flush();
  const sids = [...a.unread.matchAll(/MSG q\.x (\d) 1\r\nm\r\n/g)].map((m) => m[1]);
  assert.is(sids.length, 3, a.unread);
  assert.ok(sids.includes('3') && sids.includes('4'));
  assert.ok(sids.includes('1') !== sids.includes('2'));
});

test('a queue group spreads messages over its members', async () => {
  const a = await client();
  a.send('SUB spread g 1\r\nSUB spread g 2\r\n');
  await a.flush();
  a.send('PUB spread 1\r\nx\r\n'.repeat(200));
  await a.flush();
  const sids = [...a.unread.matchAll(/MSG spread (\d) 1\r\nx\r\n/g)].map((m) => m[1]);
  assert.is(sids.length, 200);
  const ones = sids.filter((s) => s === '1').length;
  assert.ok(ones > 40 && ones < 160, `member 1 got ${ones} of 200`);
});

test('UNSUB with max stops after that many messages counted since SUB', async () => {
  const c = await client();
  c.send('SUB u 3\r\nPUB u 1\r\na\r\n');
  await c.expect(/MSG u 3 1\r\na\r\n/);
  c.send('UNSUB 3 1\r\nPUB u 1\r\nb\r\n');
  await c.flush();
  c.send('SUB w 4\r\nUNSUB 4 2\r\nPUB w 1\r\n1\r\nPUB w 1\r\n2\r\nPUB w 1\r\n3\r\n');
  await c.expect(/MSG w 4 1\r\n1\r\nMSG w 4 1\r\n2\r\n/);
  await c.flush();
  // The sid is free again once the subscription ended.
  c.send('SUB w 4\r\nPUB w 1\r\n4\r\n');
  await c.expect(/MSG w 4 1\r\n4\r\n/);
});

test('a duplicate sid is ignored; an unknown sid in UNSUB too', async () => {
  const c = await client();
  c.send('SUB d 1\r\nSUB e 1\r\nUNSUB 99\r\nPUB e 1\r\nx\r\nPUB d 1\r\ny\r\n');
  await c.expect(/MSG d 1 1\r\ny\r\n/);
});

test('echo:false keeps a connection from receiving its own messages', async () => {
  const c = await client('{"verbose":false,"echo":false,"protocol":1}');
  const other = await client();
  c.send('SUB e 1\r\nPUB e 1\r\nx\r\n');
  await c.flush();
  other.send('PUB e 1\r\ny\r\n');
  await c.expect(/MSG e 1 1\r\ny\r\n/);
});

test('HPUB reaches header clients as HMSG and others as MSG without headers', async () => {
  const h = await client('{"verbose":false,"headers":true}');
  const plain = await client();
  h.send('SUB hd 1\r\n');
  plain.send('SUB hd 2\r\n');
  await h.flush();
  await plain.flush();
  h.send('HPUB hd 12 14\r\nNATS/1.0\r\n\r\nhi\r\n');
  await h.expect(/HMSG hd 1 12 14\r\nNATS\/1\.0\r\n\r\nhi\r\n/);
  await plain.expect(/MSG hd 2 2\r\nhi\r\n/);
});

test('a request nobody answers gets the exact no-responders status', async () => {
  const c = await client('{"verbose":false,"headers":true,"no_responders":true}');
  c.send('SUB _INBOX.abc.* 9\r\nPUB nobody.here _INBOX.abc.1 2\r\nhi\r\n');
  await c.expect(/HMSG _INBOX\.abc\.1 9 16 16\r\nNATS\/1\.0 503\r\n\r\n\r\n/);
});

test('request/reply through a muxed inbox', async () => {
  const responder = await client();
  responder.send('SUB svc 1\r\n');
  await responder.flush();
  const requester = await client();
  requester.send('SUB _INBOX.mux.* 1\r\nPUB svc _INBOX.mux.7 3\r\nreq\r\n');
  await responder.expect(/MSG svc 1 _INBOX\.mux\.7 3\r\nreq\r\n/);
  responder.send('PUB _INBOX.mux.7 3\r\nrep\r\n');
  await requester.expect(/MSG _INBOX\.mux\.7 1 3\r\nrep\r\n/);
});

test('an op split at every byte is parsed the same', async () => {
  const c = await client('{"verbose":false,"headers":true}');
  const stream = 'SUB split 1\r\nPUB split re 5\r\nhello\r\nHPUB x 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n';
  for (const ch of stream) {
    c.send(ch);
    await new Promise((r) => setImmediate(r));
  }
  await c.expect(/MSG split 1 re 5\r\nhello\r\nPONG\r\n/);
  assert.ok(!c.closed);
});

test('pipelined ops in one write all run, in order', async () => {
  const c = await client();
  let ops = 'SUB p.* 1\r\n';
  for (let i = 0; i < 500; i++) ops += `PUB p.${i} ${String(i).length}\r\n${i}\r\n`;
  c.send(ops + 'PING\r\n');
  for (let i = 0; i < 500; i++) await c.expect(new RegExp(`MSG p\\.${i} 1 ${String(i).length}\r\n${i}\r\n`));
  await c.expect(/PONG\r\n/);
});

test('a big payload split over many writes arrives whole', async () => {
  const c = await client();
  const payload = 'x'.repeat(900_000);
  c.send('SUB big 1\r\n');
  const msg = Buffer.from(`PUB big ${payload.length}\r\n${payload}\r\n`);
  for (let i = 0; i < msg.length; i += 50_000) c.send(msg.subarray(i, i + 50_000));
  const m = await c.expect(/MSG big 1 900000\r\n(x+)\r\n/, 10_000);
  assert.is(m[1]!.length, 900_000);
});

test.run();

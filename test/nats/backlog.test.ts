// Slow consumers (src/nats/backlog.ts), over real sockets: a subscriber
// that stops reading slows its producer down (the server stops reading the
// producer's socket while the subscriber's backlog is past half of
// max_pending) instead of being dropped; it is dropped only past its write
// deadline or past max_pending, with nats-server's INF line, and counted in
// /varz slow_consumers. The publisher and other subscribers carry on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Backlog, stallDuration, type BacklogOwner } from '../../src/nats/backlog.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { RawClient, startServer } from '../helpers/nats.js';
import { until } from '../helpers/wait.js';

const test = suite('nats/backlog');

/** A logger keeping the INF and DBG lines. */
function recording(): { log: Logger; info: string[]; debug: string[] } {
  const info: string[] = [];
  const debug: string[] = [];
  const log = { ...silentLogger, info: (m: string) => void info.push(m), debug: (m: string) => void debug.push(m) };
  return { log, info, debug };
}

/** A subscriber to `subject` that does not read (the kernel buffers fill, then the server's). */
async function stalledReader(port: number, subject: string, connect = '{"verbose":false}'): Promise<[RawClient, number]> {
  const [c, info] = await RawClient.info(port);
  c.send(`CONNECT ${connect}\r\nSUB ${subject} 1\r\n`);
  await c.flush();
  c.socket.pause();
  return [c, info.client_id as number];
}

test('stallDuration: 100 ms up to half of max_pending, 100 ms more per twentieth, 1 s at max_pending (nats-server 2.9)', () => {
  const mp = 64 * 1024 * 1024;
  assert.is(stallDuration(0, mp), 100);
  assert.is(stallDuration(mp / 2 + 1, mp), 100);
  assert.is(stallDuration(mp / 2 + (mp / 20) * 3, mp), 400);
  // nats-server 2.9 has no cap just below max_pending: 11 steps.
  assert.is(stallDuration(mp - 1, mp), 1100);
  assert.is(stallDuration(mp, mp), 1000);
});

test('a stall ends as soon as written bytes bring the backlog below half of max_pending, not only once all is written', async () => {
  let pending = 0;
  const owner = {
    log: silentLogger,
    maxPending: 1000,
    pending: () => pending,
    logName: () => 'consumer',
    drop: () => assert.unreachable('not dropped'),
  } as unknown as BacklogOwner;
  const b = new Backlog(owner);
  pending = 700;
  assert.ok(b.overHalf(pending), 'a stall opens past half');
  let released = false;
  const waited = b.wait('producer')!.then(() => (released = true));
  pending = 600;
  assert.ok(b.written(), 'still past half: the stall stays');
  await Promise.resolve();
  assert.not.ok(released);
  pending = 499;
  assert.not.ok(b.written(), 'below half: the stall ends');
  await waited;
  assert.ok(released);
  assert.not.ok(b.stalled);
  assert.not.ok(b.written(), 'nothing to end any more');
});

test('a consumer that stops reading is kept: its producer is slowed instead', async () => {
  const rec = recording();
  // The old rule dropped this subscriber once 4 MiB were pending (0.44 s
  // into a fast producer at the default 64 MiB); the write deadline is 10 s.
  const server = await startServer({ maxPending: 4 * 1024 * 1024 }, rec.log);
  try {
    const [slow, slowCid] = await stalledReader(server.port, 'big');
    const [pub, pubInfo] = await RawClient.info(server.port);
    pub.send('CONNECT {"verbose":false}\r\n');
    const payload = 'x'.repeat(32 * 1024);
    const count = 1024; // 32 MiB: far more than the socket buffers and max_pending hold
    for (let i = 0; i < count; i++) pub.send(`PUB big ${payload.length}\r\n${payload}\r\n`);
    const producer = server.clients.get(pubInfo.client_id as number)!;
    // Each stall that runs out is one wait of at least 100 ms of the producer:
    // eight are the subscriber not reading for well over the old 0.44 s.
    await until(() => rec.debug.filter((l) => l.includes('Timed out of fast producer stall')).length >= 8, 'the producer to be stalled', 20_000);
    assert.ok(server.clients.has(slowCid), 'the subscriber that stopped reading is kept');
    assert.ok(producer.inMsgs < count, 'the producer was not read to the end');
    assert.ok(server.clients.get(slowCid)!.outbound.pending <= 4 * 1024 * 1024);
    assert.match(rec.debug.find((l) => l.includes('stall'))!, /^127\.0\.0\.1:\d+ - cid:\d+ - Timed out of fast producer stall \(\d+ms\)$/);
    // It reads again: everything arrives, nobody was dropped.
    let received = 0;
    slow.socket.on('data', (d: string) => (received += d.length));
    slow.socket.resume();
    await until(() => received >= count * payload.length, 'the subscriber to get every message', 30_000);
    await pub.flush(30_000);
    assert.is(producer.inMsgs, count);
    assert.is(server.slowConsumers, 0);
    assert.ok(!rec.info.some((l) => l.includes('Slow Consumer')), rec.info.join('\n'));
    slow.close();
    pub.close();
  } finally {
    await server.shutdown();
  }
});

test('a write blocked past write_deadline drops the consumer, logged at INF as nats-server does', async () => {
  const rec = recording();
  const server = await startServer({ writeDeadlineMs: 300 }, rec.log);
  try {
    // nats-server names the connection with what CONNECT said of the client.
    const [slow, slowCid] = await stalledReader(server.port, 'big', '{"verbose":false,"name":"slow","lang":"raw","version":"1.0"}');
    const [pub] = await RawClient.info(server.port);
    pub.send('CONNECT {"verbose":false}\r\n');
    const payload = 'y'.repeat(64 * 1024);
    // Enough to fill the socket buffers, far below half of max_pending (64 MiB): no stall.
    for (let i = 0; i < 100; i++) pub.send(`PUB big ${payload.length}\r\n${payload}\r\n`);
    await pub.flush();
    await until(() => !server.clients.has(slowCid), 'the blocked connection to be dropped', 10_000);
    assert.ok(!pub.closed);
    const line = rec.info.find((l) => l.includes('Slow Consumer'));
    assert.match(line ?? '', new RegExp(`^127\\.0\\.0\\.1:\\d+ - cid:${slowCid} - "v1\\.0:raw:slow" - Slow Consumer Detected: WriteDeadline of 300ms exceeded with \\d+ chunks of \\d+ total bytes\\.$`));
    assert.is(server.slowConsumers, 1);
    assert.is(server.closed.find((c) => c.cid === slowCid)?.reason, 'Slow Consumer (Write Deadline)');
    slow.close();
    pub.close();
  } finally {
    await server.shutdown();
  }
});

test('pending bytes past max_pending still drop the consumer the stall cannot hold, not the others', async () => {
  const rec = recording();
  // Messages of 900 KiB: one stalled publish can take a backlog from half of
  // max_pending past it.
  const maxPending = 2 * 1024 * 1024;
  const server = await startServer({ maxPending, maxPayload: 1024 * 1024 }, rec.log);
  try {
    const [slow, slowCid] = await stalledReader(server.port, 'big');
    const [good, goodInfo] = await RawClient.info(server.port);
    good.send('CONNECT {"verbose":false}\r\nSUB big 1\r\n');
    await good.flush();
    let received = 0;
    good.socket.on('data', (d: string) => (received += d.length));
    const [pub] = await RawClient.info(server.port);
    pub.send('CONNECT {"verbose":false}\r\n');
    const payload = 'z'.repeat(900 * 1024);
    const count = 40;
    for (let i = 0; i < count; i++) pub.send(`PUB big ${payload.length}\r\n${payload}\r\n`);
    await until(() => !server.clients.has(slowCid), 'the slow consumer to be dropped', 20_000);
    assert.ok(server.clients.has(goodInfo.client_id as number), 'the reading subscriber stays');
    assert.ok(rec.info.some((l) => new RegExp(`^127\\.0\\.0\\.1:\\d+ - cid:${slowCid} - Slow Consumer Detected: MaxPending of ${maxPending} Exceeded$`).test(l)), rec.info.join('\n'));
    assert.is(server.closed.find((c) => c.cid === slowCid)?.reason, 'Slow Consumer (Pending Bytes)');
    assert.is(server.slowConsumers, 1);
    await until(() => received >= count * payload.length, 'the good subscriber to get everything', 20_000);
    assert.ok(!pub.closed && !good.closed);
    for (const c of [slow, good, pub]) c.close();
  } finally {
    await server.shutdown();
  }
});

test.run();

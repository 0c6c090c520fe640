// A subscriber that stops reading is dropped once its pending bytes pass
// max_pending (nats-server: silently, no -ERR) or its writes stay blocked
// past write_deadline; the publisher and other subscribers carry on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RawClient, startServer } from '../helpers/nats.js';
import { until } from '../helpers/wait.js';

const test = suite('nats/slow-consumer');

test('pending bytes over max_pending drop the slow subscriber, not the others', async () => {
  // Roomy enough for a reader in this same event loop that keeps up in bursts.
  const server = await startServer({ maxPending: 8 * 1024 * 1024 });
  try {
    const [slow, slowInfo] = await RawClient.info(server.port);
    slow.send('CONNECT {"verbose":false}\r\nSUB big 1\r\n');
    await slow.flush();
    // Stop reading: the kernel buffers fill, then the server's.
    slow.socket.pause();
    const [good, goodInfo] = await RawClient.info(server.port);
    good.send('CONNECT {"verbose":false}\r\nSUB big 1\r\n');
    await good.flush();
    const [pub] = await RawClient.info(server.port);
    pub.send('CONNECT {"verbose":false}\r\n');
    const payload = 'x'.repeat(32 * 1024);
    let received = 0;
    good.socket.on('data', (d: Buffer | string) => (received += d.length));
    // Far more than loopback socket buffers absorb (a few MB each way).
    const count = 1200;
    for (let i = 0; i < count; i++) pub.send(`PUB big ${payload.length}\r\n${payload}\r\n`);
    // The PONG follows ~38 MB the server must route first: slow on a loaded machine.
    await pub.flush(15_000);
    await until(() => !server.clients.has(slowInfo.client_id as number), 'the slow consumer to be dropped', 15_000);
    assert.ok(server.clients.has(goodInfo.client_id as number), 'the reading subscriber stays');
    assert.ok(!pub.closed && !good.closed);
    await until(() => received >= count * payload.length, 'the good subscriber to get everything', 15_000);
    for (const c of [slow, good, pub]) c.close();
  } finally {
    await server.shutdown();
  }
});

test('a write blocked past write_deadline drops the connection', async () => {
  const server = await startServer({ writeDeadlineMs: 300 });
  try {
    const [slow] = await RawClient.info(server.port);
    slow.send('CONNECT {"verbose":false}\r\nSUB big 1\r\n');
    await slow.flush();
    slow.socket.pause();
    const [pub] = await RawClient.info(server.port);
    pub.send('CONNECT {"verbose":false}\r\n');
    const payload = 'y'.repeat(64 * 1024);
    // Enough to fill the socket buffers, far below max_pending (64 MiB).
    for (let i = 0; i < 100; i++) pub.send(`PUB big ${payload.length}\r\n${payload}\r\n`);
    await pub.flush();
    await until(() => server.clients.size === 1, 'the blocked connection to be dropped', 5000);
    assert.ok(!pub.closed);
    slow.close();
    pub.close();
  } finally {
    await server.shutdown();
  }
});

test.run();

// The embedding API through the package's public entry point (src/index.ts)
// only: startServer() with config-file option names, the handle's URLs,
// events and close(), with node-nats-streaming as the client.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, startServer, type EmbeddedServer } from '../../src/index.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stan: any = require('node-nats-streaming');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Conn = any;

function connect(server: EmbeddedServer, clientId: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sc = stan.connect(server.clusterId, clientId, { url: server.url, connectTimeout: 5_000 });
    sc.once('connect', () => resolve(sc));
    sc.once('error', reject);
  });
}

function closeConn(sc: Conn): Promise<void> {
  return new Promise((resolve) => {
    sc.once('close', () => resolve());
    sc.close();
  });
}

/** Publishes one message and resolves with what a new subscription receives from the start. */
async function roundTrip(server: EmbeddedServer, clientId: string, channel: string, text: string): Promise<string[]> {
  const sc = await connect(server, clientId);
  try {
    await new Promise<void>((resolve, reject) => sc.publish(channel, text, (err: Error | undefined) => (err ? reject(err) : resolve())));
    return await new Promise<string[]>((resolve) => {
      const sub = sc.subscribe(channel, sc.subscriptionOptions().setDeliverAllAvailable());
      sub.on('message', (m: { getData(): string | Buffer }) => {
        sub.unsubscribe();
        resolve([String(m.getData())]);
      });
    });
  } finally {
    await closeConn(sc);
  }
}

test('startServer: a server on a free loopback port, with the given cluster id, serving pub/sub', async () => {
  const server = await startServer({ streaming: { cluster_id: 'embedded' } });
  try {
    assert.match(server.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.is.not(server.url, 'nats://127.0.0.1:4222');
    assert.is(server.clusterId, 'embedded');
    assert.is(server.monitoringUrl, undefined);
    assert.ok(server.core === 'native' || server.core === 'wasm');
    assert.equal(await roundTrip(server, 'c1', 'greetings', 'hello'), ['hello']);
  } finally {
    await server.close();
  }
});

test('events: clientConnected and channelCreated, once each, after ready', async () => {
  const server = createServer({ streaming: { cluster_id: 'ev' } });
  const seen: string[] = [];
  server.on('ready', (info) => seen.push(`ready ${info.url === server.url}`));
  server.on('clientConnected', (id) => seen.push(`client ${id}`));
  server.on('channelCreated', (name) => seen.push(`channel ${name}`));
  await server.start();
  try {
    await roundTrip(server, 'watcher', 'orders', 'x');
    await roundTrip(server, 'watcher', 'orders', 'y');
    await new Promise((r) => setImmediate(r));
    assert.equal(seen, ['ready true', 'client watcher', 'channel orders', 'client watcher']);
  } finally {
    await server.close();
  }
});

test('a listener that throws becomes an error event; the server keeps serving', async () => {
  const server = createServer({ streaming: { cluster_id: 'errs' } });
  const errors: string[] = [];
  server.on('channelCreated', () => {
    throw new Error('listener bug');
  });
  server.on('error', (err) => errors.push(err.message));
  await server.start();
  try {
    assert.equal(await roundTrip(server, 'c', 'a', '1'), ['1']);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors, ['listener bug']);
    assert.equal(await roundTrip(server, 'c', 'b', '2'), ['2']);
  } finally {
    await server.close();
  }
});

test('monitoring: http_port -1 gives a monitoring URL that serves the Go endpoints', async () => {
  const server = await startServer({ http_port: -1, streaming: { cluster_id: 'mon' } });
  try {
    assert.match(server.monitoringUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    await roundTrip(server, 'm1', 'metrics.chan', 'v');
    const serverz = (await (await fetch(`${server.monitoringUrl}/streaming/serverz`)).json()) as { cluster_id: string };
    assert.is(serverz.cluster_id, 'mon');
    const channelsz = (await (await fetch(`${server.monitoringUrl}/streaming/channelsz`)).json()) as { names: string[] };
    assert.equal(channelsz.names, ['metrics.chan']);
  } finally {
    await server.close();
  }
});

test('file store: messages survive close() and a new server on the same dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-embed-'));
  try {
    const options = { streaming: { cluster_id: 'files', store: 'file', dir } } as const;
    const first = await startServer(options);
    try {
      await roundTrip(first, 'w', 'kept', 'stored');
    } finally {
      await first.close();
    }
    const second = await startServer(options);
    try {
      const sc = await connect(second, 'r');
      const got = await new Promise<string>((resolve) => {
        const sub = sc.subscribe('kept', sc.subscriptionOptions().setDeliverAllAvailable());
        sub.on('message', (m: { getData(): string }) => resolve(String(m.getData())));
      });
      await closeConn(sc);
      assert.is(got, 'stored');
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('options are checked as a config file is: the key and <options> in the error', async () => {
  const err = await startServer({ streaming: { store: 'disk' as 'file' } }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err, 'an unknown store type is refused');
  assert.match(err!.message, /<options>/);
  assert.match(err!.message, /store/);
  const bad = await startServer({ port: 70000 }).then(() => undefined, (e: Error) => e);
  assert.match(bad?.message ?? '', /port/);
});

test('a port in use: start() rejects with the listen error, nothing left running', async () => {
  const blocker = createNetServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const err = await startServer({ port }).then(() => undefined, (e: Error) => e);
    assert.match(err?.message ?? '', /did not start: Error listening on port: 127\.0\.0\.1:\d+/);
  } finally {
    blocker.close();
  }
});

test('close() twice is one close; start() after close() is refused', async () => {
  const server = await startServer();
  const url = server.url;
  await Promise.all([server.close(), server.close()]);
  const refused = await new Promise<boolean>((resolve) => {
    const sc = stan.connect('test-cluster', 'late', { url, connectTimeout: 500, maxReconnectAttempts: 0 });
    sc.once('connect', () => {
      sc.close();
      resolve(false);
    });
    sc.once('error', () => resolve(true));
  });
  assert.ok(refused, 'no server answers at the old URL');
  const again = await server.start().then(() => undefined, (e: Error) => e);
  assert.match(again?.message ?? '', /already started/);
});

test.run();

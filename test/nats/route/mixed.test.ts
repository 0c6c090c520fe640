// A mixed mesh: Debian's nats-server 2.9 (G1, G2) and our servers (O1, O2)
// joined by routes, with nats.js clients on every node. O1 solicits G1,
// O2 and G2 solicit O1: the rest is found by gossip, in both directions.
// Checked: the full mesh forms; plain and wildcard interest, queue groups
// over all nodes (each message once), request/reply and headers cross
// between any two kinds of node.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, headers, type NatsConnection } from 'nats';
import type { NatsServer } from '../../../src/nats/server.js';
import { routeUrl, startNode } from '../../helpers/cluster.js';
import { haveNatsServer } from '../../helpers/go-nats.js';
import { startGoNode, type GoNode } from '../../helpers/go-nats-cluster.js';
import { until } from '../../helpers/wait.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const test = suite('route mixed mesh');
const have = haveNatsServer();

let g1: GoNode, g2: GoNode, o1: NatsServer, o2: NatsServer;
const conns: NatsConnection[] = [];
let nodes: { name: string; port: number }[] = [];

test.before(async () => {
  if (!have) return;
  g1 = await startGoNode([]);
  o1 = await startNode([routeUrl(g1)]);
  o2 = await startNode([routeUrl(o1)]);
  g2 = await startGoNode([routeUrl(o1)]);
  await until(() => o1.cluster!.routes.size === 3 && o2.cluster!.routes.size === 3, 'a full mesh of four', 15_000);
  nodes = [
    { name: 'G1', port: g1.port },
    { name: 'O1', port: o1.port },
    { name: 'O2', port: o2.port },
    { name: 'G2', port: g2.port },
  ];
});

test.after(async () => {
  if (!have) return;
  for (const nc of conns) await nc.close().catch(() => {});
  await o1.shutdown();
  await o2.shutdown();
  await g1.stop();
  await g2.stop();
});

async function clients(): Promise<NatsConnection[]> {
  const out: NatsConnection[] = [];
  for (const n of nodes) {
    const nc = await connect({ port: n.port, name: n.name });
    conns.push(nc);
    out.push(nc);
  }
  return out;
}

/** Publishes a probe from `from` until `done` holds: interest takes a moment to cross. */
async function settle(nc: NatsConnection, subject: string, done: () => boolean): Promise<void> {
  await until(() => {
    if (!done()) nc.publish(subject, enc('probe'));
    return done();
  }, `interest in ${subject}`, 15_000);
}

test('the go servers see the full mesh', async () => {
  if (!have) return console.log('  skipped: nats-server (Debian package nats-server) is not installed');
  const want = [o1.id, o2.id];
  await until(() => want.every((id) => g1.log().includes(`Registering remote route "${id}"`)), 'G1 registers O1 and O2', 15_000);
  await until(() => want.every((id) => g2.log().includes(`Registering remote route "${id}"`)), 'G2 registers O1 and O2', 15_000);
  assert.ok(o1.cluster!.routes.size === 3 && o2.cluster!.routes.size === 3);
});

test('every node reaches every other node, wildcards included', async () => {
  if (!have) return;
  const cs = await clients();
  const got = new Set<string>();
  cs.forEach((nc, i) => {
    nc.subscribe(`mix.${nodes[i]!.name}.>`, { callback: (_e, m) => got.add(`${nodes[i]!.name}<${dec(m.data)}`) });
  });
  for (const nc of cs) await nc.flush();
  const want = new Set<string>();
  for (let i = 0; i < cs.length; i++) {
    for (let j = 0; j < cs.length; j++) {
      if (i === j) continue;
      want.add(`${nodes[j]!.name}<${nodes[i]!.name}`);
      const target = `${nodes[j]!.name}<${nodes[i]!.name}`;
      await settle(cs[i]!, `mix.${nodes[j]!.name}.probe`, () => got.has(`${nodes[j]!.name}<probe`) || got.has(target));
      cs[i]!.publish(`mix.${nodes[j]!.name}.x`, enc(nodes[i]!.name));
    }
  }
  await until(() => [...want].every((w) => got.has(w)), `all ${want.size} pairs`, 15_000);
});

test('a queue group on two nodes gets each message once from publishers on the other two', async () => {
  if (!have) return;
  const cs = await clients();
  const seen = new Map<string, number>();
  const served = new Map<string, number>();
  // Two members on G1 and two on O1; the publishers on O2 and G2 have none,
  // so every message crosses a route, carrying the queue name in RMSG.
  for (const i of [0, 1]) {
    for (let k = 0; k < 2; k++) {
      cs[i]!.subscribe('mix.jobs', {
        queue: 'q',
        callback: (_e, m) => {
          const key = dec(m.data);
          seen.set(key, (seen.get(key) ?? 0) + 1);
          served.set(nodes[i]!.name, (served.get(nodes[i]!.name) ?? 0) + 1);
        },
      });
    }
    await cs[i]!.flush();
  }
  for (const i of [2, 3]) await settle(cs[i]!, 'mix.jobs', () => (seen.get('probe') ?? 0) > 0);
  await until(() => o2.cluster!.remote.match('mix.jobs').groups.flat().length === 2, 'both member routes known on O2', 15_000);
  seen.clear();
  served.clear();
  for (const i of [2, 3]) for (let k = 0; k < 100; k++) cs[i]!.publish('mix.jobs', enc(`${i}-${k}`));
  await until(() => seen.size === 200, '200 jobs', 15_000);
  for (const nc of cs) await nc.flush();
  assert.ok([...seen.values()].every((n) => n === 1), `each once: ${JSON.stringify([...seen].filter(([, n]) => n !== 1))}`);
  assert.ok((served.get('G1') ?? 0) > 0 && (served.get('O1') ?? 0) > 0, `both nodes served: ${JSON.stringify([...served])}`);
});

test('request/reply with headers between our node and nats-server, both ways', async () => {
  if (!have) return;
  const [cg1, co1, co2, cg2] = await clients();
  for (const [nc, name] of [[cg1!, 'G1'], [co2!, 'O2']] as const) {
    nc.subscribe(`mix.svc.${name}`, {
      callback: (_e, m) => {
        const h = headers();
        h.set('X-Echo', m.headers?.get('X-Ask') ?? 'none');
        m.respond(enc(`${name}:${dec(m.data)}`), { headers: h });
      },
    });
    await nc.flush();
  }
  for (const [nc, target] of [[co1!, 'G1'], [cg2!, 'O2'], [cg1!, 'O2'], [co2!, 'G1']] as const) {
    const h = headers();
    h.set('X-Ask', 'q');
    let r: Awaited<ReturnType<NatsConnection['request']>> | undefined;
    for (let tries = 0; r === undefined && tries < 50; tries++) {
      r = await nc.request(`mix.svc.${target}`, enc('ping'), { timeout: 1000, headers: h }).catch(() => undefined);
    }
    assert.ok(r, `reply from ${target}`);
    assert.is(dec(r!.data), `${target}:ping`);
    assert.is(r!.headers?.get('X-Echo'), 'q');
  }
});

test.run();

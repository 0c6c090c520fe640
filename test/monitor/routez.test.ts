// /routez and the cluster parts of /varz (STAN-REFERENCE §6.6) on a node of
// a two-node mesh of ours: nats-server 2.9's RouteInfo fields, subs=1, the
// route count and the cluster section.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'nats';
import { core } from '../../src/core/index.js';
import { createMonitorApp, createMonitorContext } from '../../src/monitor/index.js';
import { meshed, routeUrl, startNode } from '../helpers/cluster.js';
import { until } from '../helpers/wait.js';
import { inject } from './fixture.js';

const test = suite('monitor/routez');

const ROUTE_KEYS = [
  'rid', 'remote_id', 'did_solicit', 'is_configured', 'ip', 'port', 'start', 'last_activity', 'rtt', 'uptime', 'idle',
  'import', 'export', 'pending_size', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'subscriptions', 'subscriptions_list',
];

test('routes, their subscriptions, and /varz counts', async () => {
  const a = await startNode([], { permissions: { export: { deny: ['x.>'] } } });
  const b = await startNode([routeUrl(a)]);
  await meshed([a, b], 1);
  const nc = await connect({ port: b.port });
  try {
    nc.subscribe('rz.a', { callback: () => {} });
    nc.subscribe('rz.q', { queue: 'g', callback: () => {} });
    await nc.flush();
    await until(() => a.cluster!.remote.size === 2, 'interest on A');
    const app = await createMonitorApp(createMonitorContext({ nats: b, coreKind: core().kind }));
    const appA = await createMonitorApp(createMonitorContext({ nats: a, coreKind: core().kind }));
    const rb = (await inject(app, '/routez')).json as { num_routes: number; routes: Record<string, unknown>[] };
    assert.is(rb.num_routes, 1);
    const r = rb.routes[0]!;
    assert.equal(Object.keys(r), ROUTE_KEYS.filter((key) => key in r));
    assert.is(r.remote_id, a.id);
    assert.is(r.did_solicit, true);
    assert.is(r.is_configured, true);
    const ra = (await inject(appA, '/routez?subs=1')).json as { export: unknown; routes: Record<string, unknown>[] };
    assert.equal(ra.export, { deny: ['x.>'] });
    assert.is(ra.routes[0]!.did_solicit, false);
    assert.is(ra.routes[0]!.subscriptions, 2);
    assert.equal((ra.routes[0]!.subscriptions_list as string[]).sort(), ['rz.a', 'rz.q g']);
    const va = (await inject(appA, '/varz')).json as { routes: number; cluster: Record<string, unknown> };
    assert.is(va.routes, 1);
    assert.equal(va.cluster, { name: 'c1', addr: '127.0.0.1', cluster_port: a.cluster!.port });
    const vb = (await inject(app, '/varz')).json as { cluster: Record<string, unknown> };
    assert.equal(vb.cluster.urls, [`127.0.0.1:${a.cluster!.port}`]);
    await app.close();
    await appA.close();
  } finally {
    await nc.close();
    await b.shutdown();
    await a.shutdown();
  }
});

test.run();

// SIGHUP reload of the cluster's routes (src/cli/reload.ts) on the real
// binary started with a `cluster {}` block: a route added to the file is
// solicited at once, a route removed is closed and not dialled again, and
// any other change of the block is refused.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ServerChild as Child } from '../helpers/server-child.js';
import { routeUrl, startNode } from '../helpers/cluster.js';
import { until } from '../helpers/wait.js';

const test = suite('cli/reload routes');

test('routes added and removed by a reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-reload-routes-'));
  const peer = await startNode([]);
  const path = join(dir, 'nats.conf');
  const conf = (routes: string[], name = 'c1') =>
    writeFileSync(path, `cluster {\n  name: ${name}\n  listen: "127.0.0.1:-1"\n  routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]\n}\n`);
  conf([]);
  const r = new Child(['-c', path, '-p', '-1', '-a', '127.0.0.1', '-D']);
  try {
    await r.waitFor(/\[INF\] Server is ready\n/);
    await r.waitFor(/\[INF\] Listening for route connections on 127\.0\.0\.1:\d+\n/);
    assert.is(peer.cluster!.routes.size, 0);
    conf([routeUrl(peer)]);
    let from = r.stderr.length;
    r.child.kill('SIGHUP');
    await r.waitFor(/\[INF\] Reloaded server configuration.*\n/, from);
    assert.ok(r.stderr.slice(from).includes(`[INF] Reloaded: cluster routes (added: ${routeUrl(peer)})\n`), r.stderr.slice(from));
    await until(() => peer.cluster!.routes.size === 1, 'the route from the reloaded server');
    conf([]);
    from = r.stderr.length;
    r.child.kill('SIGHUP');
    await r.waitFor(/\[INF\] Reloaded server configuration.*\n/, from);
    await r.waitFor(/Router connection closed: Route Removed\n/, from);
    await until(() => peer.cluster!.routes.size === 0, 'the route gone');
    conf([], 'other');
    from = r.stderr.length;
    r.child.kill('SIGHUP');
    await r.waitFor(/\[INF\] Reloaded server configuration.*\n/, from);
    assert.match(r.stderr.slice(from), /\[ERR\] Reload refused: config key "cluster" \(.*nats\.conf:1:1\) cannot be changed at runtime/);
    assert.is(peer.cluster!.routes.size, 0);
  } finally {
    r.child.kill('SIGTERM');
    await r.exited;
    await peer.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

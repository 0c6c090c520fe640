// Route authorization (cluster { authorization }, --cluster with
// credentials): a route with the right credentials joins, one with wrong
// ones is dropped with nats-server's log line ("authentication error") and
// -ERR 'Authorization Violation', which the soliciting side logs as a
// Route Error. Between our servers, and with Debian's nats-server on
// either side.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureLog, meshed, routeUrl, startNode } from '../../helpers/cluster.js';
import { haveNatsServer } from '../../helpers/go-nats.js';
import { startGoNode } from '../../helpers/go-nats-cluster.js';
import { until } from '../../helpers/wait.js';

const test = suite('route auth');
const AUTH = { user: 'ruser', password: 'T0pS3cr3t' };

test('between our servers', async () => {
  const la = captureLog();
  const a = await startNode([], AUTH, {}, la);
  const b = await startNode([routeUrl(a, 'ruser:T0pS3cr3t@')]);
  await meshed([a, b], 1);
  const lc = captureLog();
  const c = await startNode([routeUrl(a, 'ruser:wrong@')], {}, {}, lc);
  await until(() => la.has(/^\[ERR\] 127\.0\.0\.1:\d+ - rid:\d+ - authentication error$/), 'the auth error on A');
  await until(() => la.has(/Router connection closed: Authentication Failure$/), 'the close on A');
  await until(() => lc.has(/^\[ERR\] 127\.0\.0\.1:\d+ - rid:\d+ - Route Error 'Authorization Violation'$/), 'the route error on C');
  assert.is(a.cluster!.routes.size, 1);
  assert.is(c.cluster!.routes.size, 0);
  for (const s of [c, b, a]) await s.shutdown();
});

test('with nats-server on either side', async () => {
  if (!haveNatsServer()) return console.log('  skipped: nats-server (Debian package nats-server) is not installed');
  // nats-server requires credentials; ours presents them, or wrong ones.
  const g = await startGoNode([], ['--cluster', 'nats://ruser:T0pS3cr3t@127.0.0.1:-1']);
  const good = await startNode([routeUrl(g, 'ruser:T0pS3cr3t@')]);
  await meshed([good], 1);
  const lbad = captureLog();
  const bad = await startNode([routeUrl(g, 'ruser:nope@')], {}, {}, lbad);
  await until(() => /rid:\d+ - authentication error/.test(g.log()), 'nats-server logs the auth error', 15_000);
  await until(() => lbad.has(/Route Error 'Authorization Violation'/), 'ours logs the route error');
  assert.is(bad.cluster!.routes.size, 0);
  // Ours requires credentials; nats-server presents wrong ones.
  const la = captureLog();
  const a = await startNode([], AUTH, {}, la);
  const g2 = await startGoNode([routeUrl(a, 'ruser:nope@')]);
  await until(() => la.has(/authentication error$/), 'ours logs the auth error', 15_000);
  await until(() => /Route Error 'Authorization Violation'/.test(g2.log()), 'nats-server logs the route error', 15_000);
  assert.is(a.cluster!.routes.size, 0);
  for (const s of [bad, good, a]) await s.shutdown();
  await g.stop();
  await g2.stop();
});

test.run();

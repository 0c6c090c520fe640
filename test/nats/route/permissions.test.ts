// Route permissions (cluster { permissions { import, export } }): our node
// O imports only `in.>` and exports only `out.>`; its peer (Debian's
// nats-server when installed, else one of ours) has none. Messages the
// peer's clients publish reach O's clients only on importable subjects,
// and O's clients' messages reach the peer's clients only on exportable
// ones.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from 'nats';
import { captureLog, routeUrl, startNode } from '../../helpers/cluster.js';
import { haveNatsServer } from '../../helpers/go-nats.js';
import { startGoNode } from '../../helpers/go-nats-cluster.js';
import { until } from '../../helpers/wait.js';

const test = suite('route permissions');

test('import and export filter what crosses', async () => {
  const log = captureLog();
  const o = await startNode([], { permissions: { import: { allow: ['in.>'] }, export: { allow: ['out.>'], deny: ['out.secret'] } } }, {}, log);
  const go = haveNatsServer() ? await startGoNode([routeUrl(o)]) : undefined;
  const peer = go ?? (await startNode([routeUrl(o)]));
  const peerPort = go ? go.port : (peer as Awaited<ReturnType<typeof startNode>>).port;
  await until(() => o.cluster!.routes.size === 1, 'the route');
  const co: NatsConnection = await connect({ port: o.port });
  const cp: NatsConnection = await connect({ port: peerPort });
  const atO: string[] = [];
  const atPeer: string[] = [];
  for (const s of ['in.a', 'other.a']) co.subscribe(s, { callback: (_e, m) => atO.push(m.subject) });
  for (const s of ['out.b', 'out.secret', 'elsewhere.b']) cp.subscribe(s, { callback: (_e, m) => atPeer.push(m.subject) });
  await co.flush();
  await cp.flush();
  // Interest in out.b crosses (exportable); O ignores the rest.
  await until(() => o.cluster!.remote.match('out.b').plain.length === 1, 'RS+ out.b on O');
  await until(() => log.has(/Can not export "elsewhere\.b", ignoring remote subscription request/), 'the ignored RS+');
  // Only in.a interest is sent to the peer: a probe on in.a must arrive.
  await until(() => {
    cp.publish('in.a');
    return atO.includes('in.a');
  }, 'in.a from the peer');
  cp.publish('other.a');
  co.publish('out.b');
  co.publish('out.secret');
  co.publish('elsewhere.b');
  co.publish('in.a'); // local to O: delivered there whatever the route permissions
  await until(() => atPeer.includes('out.b'), 'out.b on the peer');
  // Round trips through both servers before checking nothing else came.
  await co.flush();
  await cp.flush();
  await cp.request('in.a', undefined, { timeout: 200 }).catch(() => {});
  assert.not.ok(atO.includes('other.a'), 'other.a was not imported');
  assert.equal(atPeer, ['out.b']);
  await co.close();
  await cp.close();
  if (go) await go.stop();
  else await (peer as Awaited<ReturnType<typeof startNode>>).shutdown();
  await o.shutdown();
});

test.run();

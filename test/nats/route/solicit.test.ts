// Soliciting routes (src/nats/route/solicit.ts, cluster.ts): the back-off
// between attempts, a lost route dialled again until its server is back,
// and duplicate routes when two servers solicit each other (each keeps one
// route, and messages cross once).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { connect } from 'nats';
import { backoff, type SolicitPolicy } from '../../../src/nats/route/solicit.js';
import { meshed, routeUrl, startNode } from '../../helpers/cluster.js';
import { until } from '../../helpers/wait.js';
import { silentLogger } from '../../../src/log/logger.js';

const test = suite('route solicit');

/** A port free now (the OS picks it; the test then binds it itself). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('the wait doubles from the delay up to the maximum', () => {
  const p = { delayMs: 100, maxDelayMs: 1000 } as SolicitPolicy;
  assert.equal([1, 2, 3, 4, 5, 30].map((n) => backoff(p, n)), [100, 200, 400, 800, 1000, 1000]);
});

test('a lost route is dialled again until its server is back', async () => {
  const port = await freePort();
  const a = await startNode([], { port });
  const b = await startNode([routeUrl(a)], { reconnectDelayMs: 20, reconnectMaxMs: 100 });
  await meshed([a, b], 1);
  await a.shutdown();
  await until(() => b.cluster!.routes.size === 0, 'B sees A gone');
  const a2 = await startNode([], { port });
  await meshed([a2, b], 1);
  assert.ok(b.cluster!.routes.has(a2.id));
  await a2.shutdown();
  await b.shutdown();
});

test('two servers soliciting each other keep one route each and carry each message once', async () => {
  const [pa, pb] = [await freePort(), await freePort()];
  const [a, b] = await Promise.all([
    startNode([`nats://127.0.0.1:${pb}`], { port: pa }),
    startNode([`nats://127.0.0.1:${pa}`], { port: pb }),
  ]);
  await meshed([a, b], 1);
  const ca = await connect({ port: a.port });
  const cb = await connect({ port: b.port });
  let got = 0;
  cb.subscribe('dup.x', { callback: () => got++ });
  await cb.flush();
  await until(() => a.cluster!.remote.size === 1, 'interest on A');
  for (let i = 0; i < 10; i++) ca.publish('dup.x');
  await ca.flush();
  await until(() => got >= 10, '10 messages');
  await cb.flush();
  assert.is(got, 10);
  // A route added later to a server already connected is a duplicate too.
  a.cluster!.addRoute(`nats://127.0.0.1:${pb}`);
  assert.is(a.cluster!.routes.size, 1);
  await ca.close();
  await cb.close();
  await a.shutdown();
  await b.shutdown();
});

test('a route to our own listener is dropped and not dialled again', async () => {
  const port = await freePort();
  const logs: string[] = [];
  const log = { ...silentLogger, debugEnabled: true, debug: (m: string) => logs.push(m), info: (m: string) => logs.push(m) };
  const a = await startNode([`nats://127.0.0.1:${port}`], { port }, {}, log);
  await until(() => logs.some((l) => l.includes('Router connection closed: Duplicate Route')), 'the self route closed');
  assert.is(a.cluster!.routes.size, 0);
  assert.equal(a.cluster!.solicitedUrls, []);
  await a.shutdown();
});

test.run();

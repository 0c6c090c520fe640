// Each -ERR of STAN-REFERENCE §1.7 with its exact text, and whether the
// connection survives it.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RawClient, startServer } from '../helpers/nats.js';
import type { NatsServer } from '../../src/nats/server.js';
import type { NatsOptions } from '../../src/nats/options.js';

const test = suite('nats/errors');
const servers: NatsServer[] = [];
const clients: RawClient[] = [];

async function open(over: Partial<NatsOptions> = {}, connect = '{"verbose":false,"pedantic":false}'): Promise<RawClient> {
  const s = await startServer(over);
  servers.push(s);
  const [c] = await RawClient.info(s.port);
  clients.push(c);
  if (connect) c.send(`CONNECT ${connect}\r\n`);
  return c;
}

test.after.each(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.shutdown();
});

async function closesWith(c: RawClient, text: string): Promise<void> {
  const rest = await c.closedBy();
  assert.is(rest, `-ERR '${text}'\r\n`);
}

test('an unknown op: Unknown Protocol Operation, closed', async () => {
  const c = await open();
  c.send('FOO\r\n');
  await closesWith(c, 'Unknown Protocol Operation');
});

test('a control line over max_control_line: maximum control line exceeded, closed', async () => {
  const c = await open({ maxControlLine: 64 });
  c.send(`SUB ${'a'.repeat(100)} 1\r\n`);
  await closesWith(c, 'maximum control line exceeded');
});

test('a payload over max_payload: Maximum Payload Violation, closed', async () => {
  const c = await open({ maxPayload: 10 });
  c.send('PUB a 11\r\n');
  await closesWith(c, 'Maximum Payload Violation');
});

test('max_payload is advertised in INFO', async () => {
  const s = await startServer({ maxPayload: 10 });
  servers.push(s);
  const [c, info] = await RawClient.info(s.port);
  clients.push(c);
  assert.is(info.max_payload, 10);
});

test('CONNECT with protocol 2: invalid client protocol, closed', async () => {
  const c = await open({}, '{"protocol":2}');
  await closesWith(c, 'invalid client protocol');
});

test('no_responders without headers: no responders requires headers support, closed', async () => {
  const c = await open({}, '{"no_responders":true}');
  await closesWith(c, 'no responders requires headers support');
});

test('a bad SUB subject: Invalid Subject, connection stays', async () => {
  const c = await open();
  c.send('SUB foo. 2\r\nSUB foo..bar 3\r\n');
  await c.expect(/-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\n/);
  await c.flush();
});

test('pedantic: a wildcard publish subject is Invalid Publish Subject, connection stays', async () => {
  const c = await open({}, '{"verbose":false,"pedantic":true}');
  c.send('PUB foo.* 1\r\nx\r\n');
  await c.expect(/-ERR 'Invalid Publish Subject'\r\n/);
  await c.flush();
});

test('max_subscriptions: maximum subscriptions exceeded, connection stays', async () => {
  const c = await open({ maxSubscriptions: 1 });
  c.send('SUB a 1\r\nSUB b 2\r\n');
  await c.expect(/-ERR 'maximum subscriptions exceeded'\r\n/);
  await c.flush();
});

test('max_connections: maximum connections exceeded after INFO, closed', async () => {
  const s = await startServer({ maxConnections: 1 });
  servers.push(s);
  const [first] = await RawClient.info(s.port);
  clients.push(first);
  await first.flush();
  const second = await RawClient.open(s.port);
  clients.push(second);
  await second.expect(/INFO \{.*\} \r\n/);
  await closesWith(second, 'maximum connections exceeded');
});

test('no PONG to the server PINGs: Stale Connection, closed', async () => {
  const s = await startServer({ pingIntervalMs: 50, pingMax: 1 });
  servers.push(s);
  const [c] = await RawClient.info(s.port);
  clients.push(c);
  await c.expect(/PING\r\n/);
  const rest = await c.closedBy();
  assert.ok(rest.endsWith("-ERR 'Stale Connection'\r\n"), rest);
});

test('answering the server PINGs keeps the connection', async () => {
  const s = await startServer({ pingIntervalMs: 40, pingMax: 1 });
  servers.push(s);
  const [c] = await RawClient.info(s.port);
  clients.push(c);
  for (let i = 0; i < 4; i++) {
    await c.expect(/PING\r\n/);
    c.send('PONG\r\n');
  }
  assert.ok(!c.closed);
});

test('bad PUB arguments close the connection without an -ERR, as nats-server', async () => {
  const c = await open();
  c.send('PUB a b c 1\r\n');
  assert.is(await c.closedBy(), '');
});

test('MSG from a client is an unknown op', async () => {
  const c = await open();
  c.send('MSG a 1 1\r\nx\r\n');
  await closesWith(c, 'Unknown Protocol Operation');
});

test('HPUB without negotiated headers closes the connection', async () => {
  const c = await open();
  c.send('HPUB a 12 12\r\nNATS/1.0\r\n\r\n\r\n');
  assert.is(await c.closedBy(), '');
});

test.run();

// Protocol traces with a real server process and real clients: -V shows
// the NATS ops both ways (nats-server's `<<- [PUB foo 5]` / `->> [MSG ...]`
// lines), -SV the streaming requests and responses, -SD the streaming debug
// lines; without them there is no trace line at all.

import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, StringCodec } from 'nats';
import { ServerChild } from '../helpers/server-child.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stan: any = require('node-nats-streaming');
const sc = StringCodec();

async function pubSub(port: number): Promise<void> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, name: 'tracer', user: 'u', pass: 'secret' });
  const sub = nc.subscribe('foo', { max: 1 });
  nc.publish('foo', sc.encode('hello'));
  for await (const m of sub) void m;
  await nc.close();
}

/** Connects a streaming client, publishes one message, closes. */
function stanPublish(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = stan.connect('test-cluster', 'tracer1', { url: `nats://127.0.0.1:${port}`, user: 'u', pass: 'secret' });
    c.on('error', reject);
    c.on('connect', () =>
      c.publish('orders', 'hi', (err: Error | undefined) => {
        if (err) return reject(err);
        c.close();
      }),
    );
    c.on('close', () => resolve());
  });
}

async function start(args: string[]): Promise<{ s: ServerChild; port: number }> {
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '--user', 'u', '--pass', 'secret', ...args]);
  const port = Number((await s.waitFor(/Listening for client connections on [^\s]+:(\d+)\n/))[1]);
  await s.waitFor(/\[INF\] Server is ready\n/);
  return { s, port };
}

async function stop(s: ServerChild): Promise<void> {
  s.child.kill('SIGINT');
  assert.equal(await s.exit(), { code: 0, signal: null });
}

const trace = suite('log/trace');

trace('-V traces the NATS protocol both ways, with secrets masked', async () => {
  const { s, port } = await start(['-V']);
  await pubSub(port);
  await s.waitFor(/<<- \[UNSUB 1\]\n/);
  await stop(s);
  const id = `127\\.0\\.0\\.1:\\d+ - cid:\\d+`;
  assert.match(s.stderr, new RegExp(`\\[TRC\\] ${id} - <<- \\[CONNECT \\{.*"pass":"\\[REDACTED\\]".*\\}\\]\n`));
  assert.not.match(s.stderr, /secret/);
  for (const op of ['<<- [PING]', '->> [PONG]', '<<- [SUB foo 1]', '<<- [PUB foo 5]', '<<- MSG_PAYLOAD: ["hello"]', '->> [MSG foo 1 5]']) {
    assert.match(s.stderr, new RegExp(`\\[TRC\\] ${id} - "tracer" - ${op.replace(/[[\]().]/g, '\\$&')}\n`), op);
  }
  assert.not.match(s.stderr, /STREAM: \[Client/, 'no streaming trace without -SV');
});

trace('without -V nothing is traced', async () => {
  const { s, port } = await start([]);
  await pubSub(port);
  await stanPublish(port);
  await stop(s);
  assert.not.match(s.stderr, /\[TRC\]|\[DBG\]/);
});

trace('-SV traces streaming requests and responses; -SD logs streaming debug lines', async () => {
  const { s, port } = await start(['-SDV']);
  await stanPublish(port);
  await s.waitFor(/Received close request\n/);
  await stop(s);
  for (const line of [
    '[TRC] STREAM: [Client:tracer1] Received connect request hbInbox=',
    '[TRC] STREAM: [Client:tracer1] Sending connect response pubPrefix=_STAN.pub.test-cluster',
    '[DBG] STREAM: [Client:tracer1] Connected (Inbox=',
    '[TRC] STREAM: [Client:tracer1] Received message from publisher subj=orders guid=',
    '[TRC] STREAM: [Client:tracer1] Acking Publisher subj=orders guid=',
    '[TRC] STREAM: [Client:tracer1] Received close request\n',
    '[TRC] STREAM: Sending close response\n',
  ]) {
    assert.ok(s.stderr.includes(line), line);
  }
  assert.not.match(s.stderr, /<<- \[/, 'no NATS trace without -V');
});

trace.run();

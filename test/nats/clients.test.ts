// Real, unmodified clients against the embedded server over real sockets:
// nats.js v2 (`nats`) and v3 (`@nats-io/transport-node`), through the same
// behaviours: pub/sub, wildcards, queue groups, request/reply on a muxed
// inbox, headers, no-responders, echo off, max payload.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as v2 from 'nats';
import * as v3 from '@nats-io/transport-node';
import { startServer } from '../helpers/nats.js';
import { until } from '../helpers/wait.js';
import type { NatsServer } from '../../src/nats/server.js';

/** The common surface of both client generations that these tests use. */
interface Conn {
  subscribe(subject: string, opts?: { queue?: string; max?: number }): AsyncIterable<Msg> & { unsubscribe(): void };
  publish(subject: string, data?: Uint8Array, opts?: { headers?: Hdrs; reply?: string }): void;
  request(subject: string, data?: Uint8Array, opts?: { timeout: number; headers?: Hdrs }): Promise<Msg>;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly info?: { max_payload: number };
}
interface Hdrs {
  set(k: string, v: string): void;
  get(k: string): string;
}
interface Msg {
  subject: string;
  data: Uint8Array;
  headers?: Hdrs;
  respond(data?: Uint8Array): boolean;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const CLIENTS = [
  {
    name: 'nats.js v2',
    connect: (o: Record<string, unknown>) => v2.connect(o as v2.ConnectionOptions) as unknown as Promise<Conn>,
    headers: () => v2.headers() as unknown as Hdrs,
  },
  {
    name: 'nats.js v3',
    connect: (o: Record<string, unknown>) => v3.connect(o as v3.ConnectionOptions) as unknown as Promise<Conn>,
    headers: () => v3.headers() as unknown as Hdrs,
  },
];

async function collect(sub: AsyncIterable<Msg>, n: number, into: Msg[]): Promise<void> {
  for await (const m of sub) {
    into.push(m);
    if (into.length >= n) break;
  }
}

for (const client of CLIENTS) {
  const test = suite(`nats/clients [${client.name}]`);
  let server: NatsServer;
  const conns: Conn[] = [];
  const open = async (o: Record<string, unknown> = {}) => {
    const c = await client.connect({ servers: `127.0.0.1:${server.port}`, ...o });
    conns.push(c);
    return c;
  };

  test.before(async () => {
    server = await startServer();
  });
  test.after.each(async () => {
    for (const c of conns.splice(0)) await c.close();
  });
  test.after(async () => {
    await server.shutdown();
  });

  test('publish and subscribe, with wildcards', async () => {
    const c = await open();
    const star: Msg[] = [];
    const gt: Msg[] = [];
    const a = collect(c.subscribe('w.*'), 2, star);
    const b = collect(c.subscribe('w.>'), 3, gt);
    await c.flush();
    c.publish('w.one', enc('1'));
    c.publish('w.two.deep', enc('2'));
    c.publish('w.three', enc('3'));
    await Promise.all([a, b]);
    assert.equal(star.map((m) => m.subject), ['w.one', 'w.three']);
    assert.equal(gt.map((m) => dec(m.data)), ['1', '2', '3']);
  });

  test('queue groups deliver each message to one member', async () => {
    const c = await open();
    const got: string[] = [];
    const members = [1, 2].map((i) => {
      const sub = c.subscribe('work', { queue: 'workers' });
      (async () => {
        for await (const m of sub) got.push(`${i}:${dec(m.data)}`);
      })();
      return sub;
    });
    await c.flush();
    for (let i = 0; i < 50; i++) c.publish('work', enc(String(i)));
    await c.flush();
    await until(() => got.length >= 50, '50 messages to the queue group');
    await c.flush();
    assert.is(got.length, 50);
    assert.equal(new Set(got.map((g) => g.split(':')[1])).size, 50);
    for (const s of members) s.unsubscribe();
  });

  test('request/reply through the muxed inbox', async () => {
    const c = await open();
    const svc = c.subscribe('echo');
    (async () => {
      for await (const m of svc) m.respond(enc(`re:${dec(m.data)}`));
    })();
    await c.flush();
    const other = await open();
    const replies = await Promise.all([1, 2, 3].map((i) => other.request('echo', enc(String(i)), { timeout: 2000 })));
    assert.equal(replies.map((m) => dec(m.data)), ['re:1', 're:2', 're:3']);
  });

  test('headers travel with the message', async () => {
    const c = await open();
    const got: Msg[] = [];
    const done = collect(c.subscribe('h'), 1, got);
    await c.flush();
    const h = client.headers();
    h.set('X-Trace', 'abc');
    c.publish('h', enc('body'), { headers: h });
    await done;
    assert.is(got[0]!.headers?.get('X-Trace'), 'abc');
    assert.is(dec(got[0]!.data), 'body');
  });

  test('a request nobody serves fails at once with no responders', async () => {
    const c = await open();
    try {
      await c.request('nobody.home', enc('x'), { timeout: 30_000 });
      assert.unreachable('request should fail');
    } catch (err) {
      // No responders, not a timeout: failed by the status message.
      const e = err as Error & { code?: string };
      assert.ok(e.code === '503' || /no responders/i.test(e.message) || e.name === 'NoRespondersError', `${e.name}: ${e.message}`);
    }
  });

  test('noEcho keeps a connection from its own messages', async () => {
    const c = await open({ noEcho: true });
    const other = await open();
    const got: Msg[] = [];
    const done = collect(c.subscribe('e'), 1, got);
    await c.flush();
    c.publish('e', enc('mine'));
    await c.flush();
    other.publish('e', enc('theirs'));
    await done;
    assert.equal(got.map((m) => dec(m.data)), ['theirs']);
  });

  test('a payload over max_payload is refused by the client from INFO', async () => {
    const c = await open();
    assert.is(c.info?.max_payload, 1048576);
    assert.throws(() => c.publish('big', new Uint8Array(1048577)));
  });

  test.run();
}

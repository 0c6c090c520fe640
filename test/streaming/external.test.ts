// -ns: the streaming layer on Debian's nats-server, with the credentials
// that server requires, and surviving a restart of that server (the
// transport reconnects and re-subscribes by itself); a handler that throws
// is logged and the transport goes on (issue #18).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import { connectExternal } from '../../src/streaming/transport-external.js';
import { haveNatsServer, startGoNats } from '../helpers/go-nats.js';
import { StartPosition } from '../../src/pb/protocol.js';
import { RawSession, RawStan } from '../helpers/stan-raw.js';
import { closeClient, publish, stanConnect, startStan } from '../helpers/stan.js';
import { sleep, stopProcess, until } from '../helpers/wait.js';

const test = suite('streaming/external');

/**
 * How long the client waits for a PubAck: a lost publish fails in this
 * time rather than in the client's default 30 s.
 */
const ACK_TIMEOUT_MS = 5000;

if (!haveNatsServer()) {
  console.log('SKIP streaming/external: nats-server is not installed (apt-get install nats-server)');
} else {
  test('with --user/--pass the streaming server authenticates to nats-server', async () => {
    const fx = await startStan({ external: true, natsArgs: ['--user', 'stan', '--pass', 's3cret'], credentials: { user: 'stan', pass: 's3cret' } });
    try {
      await connectExternal({ url: fx.url, name: 'no-creds' }, silentLogger).then(
        () => assert.unreachable('a connection without credentials must fail'),
        (err: Error) => assert.match(err.message, /cannot connect to the NATS server/),
      );
      const sc = await stanConnect(`nats://stan:s3cret@127.0.0.1:${fx.port}`, 'ext-auth');
      assert.is(typeof (await publish(sc, 'ext.auth', 'x')), 'string');
      await closeClient(sc);
    } finally {
      await fx.stop();
    }
  });

  test('a restart of nats-server is survived: clients reconnect and publish again', async () => {
    const fx = await startStan({ external: true });
    const transport = fx.transport!;
    try {
      const sc = await stanConnect(fx.url, 'ext-restart', {
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
        ackTimeout: ACK_TIMEOUT_MS,
      });
      assert.is(typeof (await publish(sc, 'ext.r', 'before')), 'string');
      // Both the streaming server's connection and the client's come back;
      // the server has re-subscribed once its flush after the reconnect returns.
      const serverBack = (async () => {
        for await (const st of transport.nc.status()) if (st.type === 'reconnect') return;
      })();
      const clientBack = new Promise((resolve) => sc.once('reconnect', resolve));
      await stopProcess(fx.proc!);
      fx.proc = (await startGoNats(fx.port)).proc;
      await Promise.all([serverBack, clientBack]);
      await transport.flush();
      const ok = await publish(sc, 'ext.r', 'after').then(
        () => true,
        () => false,
      );
      assert.ok(ok, 'publish after the restart');
      assert.is(fx.stan.channels.get('ext.r')?.msgs.lastSeq, 2);
      await closeClient(sc);
    } finally {
      await fx.stop();
    }
  });

  test('a handler that throws is logged at ERR level, and the next message is handled (issue #18)', async () => {
    const go = await startGoNats();
    const errors: string[] = [];
    const log = { ...silentLogger, error: (t: string) => void errors.push(t) };
    const t = await connectExternal({ url: `nats://127.0.0.1:${go.port}`, name: 'throws' }, log);
    try {
      const got: string[] = [];
      t.subscribe('boom', (_s, _r, data) => {
        const text = Buffer.from(data).toString();
        if (text === 'bad') throw new Error('handler broke');
        got.push(text);
      });
      await t.flush();
      t.publish('boom', Buffer.from('bad'));
      t.publish('boom', Buffer.from('good'));
      await until(() => got.length === 1, 'the message after the throw');
      assert.equal(got, ['good']);
      assert.ok(errors.some((e) => e.includes('handler broke')), 'logged');
      assert.is(t.nc.isClosed(), false);
    } finally {
      await t.close();
      await stopProcess(go.proc);
    }
  });

  test('a request with a timeout past 2^31-1 ms (-hbt of weeks) waits for its answer, and no responders is null', async () => {
    const go = await startGoNats();
    const t = await connectExternal({ url: `nats://127.0.0.1:${go.port}`, name: 'long-request' }, silentLogger);
    try {
      const MONTH_MS = 30 * 86_400_000;
      let answer: (() => void) | undefined;
      const sub = t.subscribe('long.req', (_s, reply) => {
        answer = () => t.publish(reply!, Buffer.from('pong'));
      });
      await t.flush();
      const pending = t.request('long.req', Buffer.from('ping'), MONTH_MS);
      // Before the fix the nats package armed 1 ms: null before any answer.
      await until(() => answer !== undefined, 'the request');
      await sleep(50);
      answer!();
      assert.is(Buffer.from((await pending)!).toString(), 'pong');
      sub.unsubscribe();
      assert.is(await t.request('nobody.listens', Buffer.from('x'), MONTH_MS), null);
    } finally {
      await t.close();
      await stopProcess(go.proc);
    }
  });

  test('fuzz finding: inboxes the NATS wire cannot carry ("a b", "", CR LF, 5,000 bytes) do not drop the -ns connection', async () => {
    const fx = await startStan({ external: true, stan: { hbIntervalMs: 20, hbTimeoutMs: 200, hbFailCount: 1 } });
    const transport = fx.transport!;
    let disconnects = 0;
    void (async () => {
      for await (const st of transport.nc.status()) if (st.type === 'disconnect') disconnects++;
    })();
    const raw = await RawStan.open(fx.url);
    const owner = await RawSession.connect(fx.url, 'inbox-owner');
    try {
      // The server's heartbeats go to these inboxes: nobody can answer, the clients are dropped.
      const badHb = ['a b', 'x\r\nPUB y 0', ' ', 'h'.repeat(5000)];
      for (const [i, hb] of badHb.entries()) {
        const r = await raw.connect({ clientID: `bad-hb-${i}`, heartbeatInbox: hb, protocol: 1, connID: Buffer.from(`bad-${i}`), pingInterval: 1, pingMaxOut: 3 });
        assert.is(r.error, '');
      }
      // Deliveries go to these inboxes.
      for (const inbox of ['a b', '', 'p\tq', 'i'.repeat(5000)]) {
        const r = await raw.subscribe({ clientID: 'inbox-owner', subject: 'ext.bad', inbox, maxInFlight: 10, ackWaitInSecs: 1, startPosition: StartPosition.First });
        assert.is(r.error, '');
      }
      assert.is((await owner.publish('ext.bad', 'hi')).error, '');
      await until(() => badHb.every((_, i) => fx.stan.clients.get(`bad-hb-${i}`) === undefined), 'the clients whose heartbeats cannot be sent to be dropped');
      assert.is((await owner.publish('ext.bad', 'again')).error, '');
      const sub = await owner.subscribe('ext.bad');
      await until(() => sub.got.length === 2, 'both messages on a well-formed inbox');
      assert.is(disconnects, 0, 'the streaming server kept its connection to nats-server');
    } finally {
      await owner.close();
      await raw.close();
      await fx.stop();
    }
  });
}

test.run();

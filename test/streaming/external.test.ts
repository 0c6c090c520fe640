// -ns: the streaming layer on Debian's nats-server, with the credentials
// that server requires, and surviving a restart of that server (the
// transport reconnects and re-subscribes by itself).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import { defaultStanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { connectExternal } from '../../src/streaming/transport-external.js';
import { haveNatsServer, startGoNats } from '../helpers/go-nats.js';
import { closeClient, publish, stanConnect } from '../helpers/stan.js';
import { stopProcess } from '../helpers/wait.js';

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
    const { port, proc: go } = await startGoNats(undefined, ['--user', 'stan', '--pass', 's3cret']);
    let stan: StanServer | undefined;
    try {
      await connectExternal({ url: `nats://127.0.0.1:${port}`, name: 'no-creds' }, silentLogger).then(
        () => assert.unreachable('a connection without credentials must fail'),
        (err: Error) => assert.match(err.message, /cannot connect to the NATS server/),
      );
      const transport = await connectExternal({ url: `nats://127.0.0.1:${port}`, name: 't', user: 'stan', pass: 's3cret' }, silentLogger);
      stan = new StanServer(defaultStanOptions(), new MemoryStore(), transport, silentLogger);
      await stan.start();
      await transport.flush();
      const sc = await stanConnect(`nats://stan:s3cret@127.0.0.1:${port}`, 'ext-auth');
      assert.is(typeof (await publish(sc, 'ext.auth', 'x')), 'string');
      await closeClient(sc);
    } finally {
      await stan?.shutdown();
      await stopProcess(go);
    }
  });

  test('a restart of nats-server is survived: clients reconnect and publish again', async () => {
    const first = await startGoNats();
    const port = first.port;
    let go = first.proc;
    const transport = await connectExternal({ url: `nats://127.0.0.1:${port}`, name: 't' }, silentLogger);
    const stan = new StanServer(defaultStanOptions(), new MemoryStore(), transport, silentLogger);
    try {
      await stan.start();
      await transport.flush();
      const sc = await stanConnect(`nats://127.0.0.1:${port}`, 'ext-restart', {
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
      await stopProcess(go);
      go = (await startGoNats(port)).proc;
      await Promise.all([serverBack, clientBack]);
      await transport.flush();
      const ok = await publish(sc, 'ext.r', 'after').then(
        () => true,
        () => false,
      );
      assert.ok(ok, 'publish after the restart');
      assert.is(stan.channels.get('ext.r')?.msgs.lastSeq, 2);
      await closeClient(sc);
    } finally {
      await stan.shutdown();
      await stopProcess(go);
    }
  });
}

test.run();

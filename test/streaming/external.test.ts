// -ns: the streaming layer on Debian's nats-server, with the credentials
// that server requires, and surviving a restart of that server (the
// transport reconnects and re-subscribes by itself).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { silentLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import { defaultStanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { connectExternal } from '../../src/streaming/transport-external.js';
import { closeClient, freePort, haveNatsServer, publish, stanConnect, until } from '../helpers/stan.js';
import { connect as netConnect } from 'node:net';

const test = suite('streaming/external');

async function listening(port: number): Promise<void> {
  await until(() => false, 'never', 0).catch(() => undefined);
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

function goNats(port: number, args: string[] = []): ChildProcess {
  return spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...args], { stdio: 'ignore' });
}

function exited(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => (p.exitCode !== null ? resolve() : p.once('exit', () => resolve())));
}

if (!haveNatsServer()) {
  console.log('SKIP streaming/external: nats-server is not installed (apt-get install nats-server)');
} else {
  test('with --user/--pass the streaming server authenticates to nats-server', async () => {
    const port = await freePort();
    const go = goNats(port, ['--user', 'stan', '--pass', 's3cret']);
    await listening(port);
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
      go.kill('SIGTERM');
      await exited(go);
    }
  });

  test('a restart of nats-server is survived: clients reconnect and publish again', async () => {
    const port = await freePort();
    let go = goNats(port);
    await listening(port);
    const transport = await connectExternal({ url: `nats://127.0.0.1:${port}`, name: 't' }, silentLogger);
    const stan = new StanServer(defaultStanOptions(), new MemoryStore(), transport, silentLogger);
    try {
      await stan.start();
      await transport.flush();
      const sc = await stanConnect(`nats://127.0.0.1:${port}`, 'ext-restart', { maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      assert.is(typeof (await publish(sc, 'ext.r', 'before')), 'string');
      go.kill('SIGTERM');
      await exited(go);
      go = goNats(port);
      await listening(port);
      // Both the streaming server's connection and the client's come back.
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        ok = await publish(sc, 'ext.r', 'after').then(
          () => true,
          () => false,
        );
        if (!ok) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(ok, 'publish after the restart');
      assert.is(stan.channels.get('ext.r')?.msgs.lastSeq, 2);
      await closeClient(sc);
    } finally {
      await stan.shutdown();
      go.kill('SIGTERM');
      await exited(go);
    }
  });
}

test.run();

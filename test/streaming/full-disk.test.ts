// A full disk under the streaming server (issue #18 item 3), with
// node-nats-streaming over real sockets on the FILE store, the disk's
// failures injected by the fault-injecting I/O backend (io-faults.ts):
// (a) every publish of a batch whose commit fails gets an error PubAck;
// (b) while the store is failed, connect, subscribe, durable create,
// unsubscribe, subscription close and client close are answered with the
// error and change nothing, before or after a restart; (c) SIGINT and
// SIGTERM with the store failed end cleanly ("Server Exiting..", the usual
// exit code, no uncaught error); (d) once the disk takes writes again the
// store recovers by itself (a short configured back-off here), says so,
// and what was acknowledged is intact after a restart.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileStore } from '../../src/stores/file/index.js';
import { pickFileIo, setFileIo } from '../../src/stores/file/io.js';
import { FaultyIo } from '../../src/stores/file/io-faults.js';
import { Env } from '../helpers/stan-env.js';
import { closeClient, publish, pubResult, stanConnect, startStan, until } from '../helpers/stan.js';
import { range, subscribe, subscribeError } from '../helpers/stan-sub.js';
import { ServerChild } from '../helpers/server-child.js';

const RETRY = { retryMs: 20, retryMaxMs: 100 };
const RECOVERED = /INF STREAM: file store: writes succeed again after \d+ ms and \d+ retries \(file store failed: ENOSPC/;

interface Ctx {
  io: FaultyIo;
  dir: string;
  env: Env;
  /** The store's log lines (`INF ...`, `ERR ...`). */
  lines: string[];
  /** Stops the server and starts a new one on the same directory, without faults. */
  restart(): Promise<Env>;
}

/** A streaming server on a FILE store over a FaultyIo; everything torn down after. */
async function onFaultyDisk(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stan-full-disk-'));
  const io = new FaultyIo(pickFileIo(process.env.STAN_FILE_IO));
  setFileIo(io);
  const lines: string[] = [];
  const log = { info: (m: string) => void lines.push(`INF ${m}`), warn: (m: string) => void lines.push(`WRN ${m}`), error: (m: string) => void lines.push(`ERR ${m}`) };
  let env = new Env(await startStan({ store: new FileStore({ dir, log, ...RETRY }) }));
  try {
    await fn({
      io,
      dir,
      env,
      lines,
      async restart() {
        await env.dispose();
        setFileIo(undefined);
        env = new Env(await startStan({ store: new FileStore({ dir }) }));
        return env;
      },
    });
  } finally {
    await env.dispose();
    setFileIo(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails the disk and waits until the store knows (a publish answered with ENOSPC). */
async function fillDisk(c: Ctx, sc: unknown, channel: string): Promise<void> {
  c.io.inject({ call: 'write', error: 'ENOSPC' });
  assert.match(await pubResult(sc, channel, 'refused'), /ENOSPC/);
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as Error)?.message ?? err);
  }
  throw new Error('resolved; an error was expected');
}

const t = suite('streaming/full-disk');

t('(a) every publish of a batch whose commit fails gets an error PubAck, none is left unanswered', () =>
  onFaultyDisk(async (c) => {
    const sc = await c.env.connect('pub');
    await publish(sc, 'ch', 'before');
    c.io.inject({ call: 'write', error: 'ENOSPC', path: 'msgs.' });
    const results = await Promise.all(range(1, 50).map((i) => pubResult(sc, 'ch', `m${i}`)));
    assert.equal(
      results.filter((r) => !/ENOSPC/.test(r)),
      [],
    );
    assert.ok(c.io.injected > 0);
  }));

t('(a) a short write and a failed fsync: the same, error PubAcks for the whole batch', () =>
  onFaultyDisk(async (c) => {
    const sc = await c.env.connect('pub');
    await publish(sc, 'ch', 'before');
    c.io.inject({ call: 'write', error: 'short', path: '.dat', count: 1 });
    const short = await Promise.all(range(1, 20).map((i) => pubResult(sc, 'ch', `s${i}`)));
    assert.ok(short.every((r) => /ENOSPC/.test(r)), short.join('|'));
    await until(() => RECOVERED.test(c.lines.join('\n')), 'the store to recover');
    c.io.inject({ call: 'sync', error: 'EIO', count: 1 });
    const sync = await Promise.all(range(1, 20).map((i) => pubResult(sc, 'ch', `f${i}`)));
    assert.ok(sync.every((r) => /EIO/.test(r)), sync.join('|'));
  }));

t('(b) while failed: connect, subscribe, durable create, unsubscribe, close and client close get the error and change nothing', () =>
  onFaultyDisk(async (c) => {
    const sc = await c.env.connect('keeper');
    const durable = await subscribe(sc, 'ch', { durable: 'd1' });
    const plain = await subscribe(sc, 'ch');
    await publish(sc, 'ch', 'x');
    await fillDisk(c, sc, 'ch');
    const s = c.env.f.stan;
    assert.match(await rejection(stanConnect(c.env.f.url, 'newcomer')), /ENOSPC/);
    assert.match(await subscribeError(sc, 'ch', { durable: 'd2' }), /ENOSPC/);
    assert.match(await subscribeError(sc, 'elsewhere'), /ENOSPC/);
    assert.match(await rejection(plain.unsubscribe()), /ENOSPC/);
    assert.match(await rejection(durable.close()), /ENOSPC/);
    assert.match(String(await closeClient(sc)), /ENOSPC/);
    // Nothing changed: the client, its two subscriptions, no new channel or client.
    assert.ok(s.clients.get('keeper') !== undefined);
    assert.is(s.clients.get('newcomer'), undefined);
    assert.is(s.channels.get('elsewhere'), undefined);
    const ch = s.channels.get('ch')!;
    assert.is(ch.subs.size, 2);
    assert.equal([...ch.durables.values()].map((d) => [d.state.durableName, d.state.isClosed]), [['d1', false]]);
    c.io.clear();
    await until(() => RECOVERED.test(c.lines.join('\n')), 'the store to recover');
    // The same after a restart: what was refused was not stored.
    const s2 = (await c.restart()).f.stan;
    assert.ok(s2.clients.get('keeper') !== undefined, 'a refused close leaves the client registered');
    assert.is(s2.clients.get('newcomer'), undefined);
    assert.is(s2.channels.get('elsewhere'), undefined);
    assert.equal([...s2.channels.get('ch')!.durables.values()].map((d) => d.state.durableName), ['d1']);
  }));

t('(d) once the disk takes writes again the store recovers by itself; what was acknowledged is intact after a restart', () =>
  onFaultyDisk(async (c) => {
    const sc = await c.env.connect('pub');
    for (const i of range(1, 5)) await publish(sc, 'ch', `ok${i}`);
    await fillDisk(c, sc, 'ch');
    assert.ok(c.lines.some((l) => /^ERR STREAM: file store: ENOSPC: .*; no write is acknowledged until it succeeds again/.test(l)), c.lines.join('\n'));
    c.io.clear();
    await until(() => RECOVERED.test(c.lines.join('\n')), 'the store to recover');
    // Without a restart: publishes, a durable, a client close are answered ok again.
    await publish(sc, 'ch', 'after');
    await subscribe(sc, 'ch', { durable: 'late' });
    const leaver = await c.env.connect('leaver');
    assert.is(await closeClient(leaver), null);
    const env = await c.restart();
    const s = env.f.stan;
    assert.is(s.clients.get('leaver'), undefined, 'a closed client does not come back');
    assert.equal([...s.channels.get('ch')!.durables.values()].map((d) => d.state.durableName), ['late']);
    const reader = await subscribe(await env.connect('reader'), 'ch', { all: true });
    const acked = ['ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'after'];
    await until(() => reader.got.some((m) => m.data === 'after'), 'the messages after the restart');
    // Acknowledged ones all there, in order; the refused one, written again by the retry, may be too.
    assert.equal(
      reader.got.map((m) => m.data).filter((d) => d !== 'refused'),
      acked,
    );
  }));

const child = suite('streaming/full-disk: shutdown');

/** A child server whose message writes fail with ENOSPC from the start, and a client whose publish found out. */
async function failedChild(): Promise<{ s: ServerChild; dir: string; sc: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'stan-full-disk-'));
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-st', 'file', '--dir', dir], undefined, {
    env: {
      ...process.env,
      STAN_FILE_IO: 'faults',
      // The 3rd write of a message file on: the new slice's two headers pass, its first commit fails.
      STAN_FILE_FAULTS: 'call=write,error=ENOSPC,path=msgs.,nth=3',
    },
  });
  try {
    await s.waitFor(/\[INF\] Server is ready\n/);
    const sc = await stanConnect(`nats://127.0.0.1:${await s.port()}`, 'pub');
    sc.on('error', () => {});
    assert.match(await pubResult(sc, 'ch', 'x'), /ENOSPC/);
    await s.waitFor(/\[ERR\] STREAM: file store: ENOSPC/);
    return { s, dir, sc };
  } catch (err) {
    await s.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 0],
] as const) {
  child(`(c) ${signal} with the store failed: "Server Exiting..", exit ${code}, no uncaught error`, async () => {
    const { s, dir, sc } = await failedChild();
    try {
      // Its close is refused (the store cannot write it); the client goes anyway.
      assert.match(String(await closeClient(sc)), /ENOSPC/);
      assert.equal(await s.stop(signal), { code, signal: null });
      assert.ok(s.stderr.includes('[INF] Server Exiting..\n'), s.stderr);
      assert.not.match(s.stderr, /Uncaught|unhandled|\n\s+at /i);
    } finally {
      await s.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

t.run();
child.run();

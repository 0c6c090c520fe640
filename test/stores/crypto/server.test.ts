// Encryption at rest end to end (issue #17): the server as a child process
// with its flags and the NATS_STREAMING_ENCRYPTION_KEY variable, under
// node-nats-streaming clients. Both ciphers store and replay, a restart
// reads back, the payloads are not on disk, monitoring counts the 29 bytes
// of overhead, the variable wins over the flag, a key given on the command
// line is warned about and printed nowhere, and bad input (a wrong key, no
// key, an unknown cipher) stops the start with a message saying what.
// With GO_STAN_SERVER naming a Go nats-streaming-server, a store it
// encrypted opens in ours and the reverse.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerChild } from '../../helpers/server-child.js';
import { closeClient, stanConnect } from '../../helpers/stan.js';
import { publishRange, range, subscribe } from '../../helpers/stan-sub.js';
import { tempDir } from '../file-helpers.js';

const KEY_ENV = 'NATS_STREAMING_ENCRYPTION_KEY';
const N = 20;

interface Running {
  server: ServerChild;
  url: string;
  http: number;
}

/** A FILE store server on `dir` with `extra` flags and environment; resolves once it is ready. */
async function start(dir: string, extra: string[], env: Record<string, string | undefined> = {}): Promise<Running> {
  const server = new ServerChild(['-st', 'file', '--dir', dir, '-a', '127.0.0.1', '-p', '-1', '-m', '-1', ...extra], undefined, { env: { ...process.env, [KEY_ENV]: undefined, ...env } });
  const http = Number((await server.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
  const port = await server.port();
  await server.waitFor(/Streaming Server is ready/);
  return { server, url: `nats://127.0.0.1:${port}`, http };
}

/** The start fails: resolves with what the server printed. */
async function refused(dir: string, extra: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const server = new ServerChild(['-st', 'file', '--dir', dir, '-a', '127.0.0.1', '-p', '-1', ...extra], undefined, { env: { ...process.env, [KEY_ENV]: undefined, ...env } });
  const e = await server.exit();
  assert.is(e.code, 1, `exit code; stderr:\n${server.stderr}`);
  return server.stdout + server.stderr;
}

/** Publishes m1..mN on `channel`. */
async function fill(url: string, channel: string, n = N): Promise<void> {
  const sc = await stanConnect(url, 'pub');
  await publishRange(sc, channel, 1, n);
  await closeClient(sc);
}

/** Every message of `channel`, from the first, as text. */
async function replay(url: string, channel: string, n = N): Promise<string[]> {
  const sc = await stanConnect(url, 'reader');
  const sub = await subscribe(sc, channel, { start: 'first' });
  await sub.waitCount(n);
  await closeClient(sc);
  return sub.got.map((m) => m.data);
}

async function channelBytes(http: number, channel: string): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${http}/streaming/channelsz?channel=${channel}`);
  return ((await r.json()) as { bytes: number }).bytes;
}

const expected = range(1, N).map((i) => `m${i}`);

const e2e = suite('stores/crypto under the server');

for (const cipher of ['AES', 'CHACHA']) {
  e2e(`${cipher}: stored encrypted, delivered clear, read back after a restart`, async () => {
    const dir = tempDir();
    let s = await start(dir, ['--encrypt', '--encryption_cipher', cipher.toLowerCase()], { [KEY_ENV]: 'e2e key' });
    try {
      await fill(s.url, 'foo');
      assert.equal(await replay(s.url, 'foo'), expected);
    } finally {
      await s.server.stop('SIGTERM');
    }
    const slice = readFileSync(join(dir, 'foo', 'msgs.1.dat'));
    assert.not.ok(slice.includes('m1'), 'no payload in clear on disk');
    s = await start(dir, ['--encrypt'], { [KEY_ENV]: 'e2e key' });
    try {
      assert.equal(await replay(s.url, 'foo'), expected);
    } finally {
      await s.server.stop('SIGTERM');
    }
  });
}

e2e('a wrong key: the start stops, saying the key does not match and naming the channel', async () => {
  const dir = tempDir();
  const s = await start(dir, ['--encrypt'], { [KEY_ENV]: 'right key' });
  try {
    await fill(s.url, 'orders.eu');
  } finally {
    await s.server.stop('SIGTERM');
  }
  const out = await refused(dir, ['--encrypt'], { [KEY_ENV]: 'wrong key' });
  assert.match(out, /encryption key does not match: message \d+ of channel "orders\.eu" cannot be decrypted with it/);
});

e2e('bad options: no key, an unknown cipher (the Go server’s errors)', async () => {
  assert.match(await refused(tempDir(), ['--encrypt']), /encryption key required/);
  assert.match(await refused(tempDir(), ['--encrypt', '--encryption_cipher', 'DES'], { [KEY_ENV]: 'k' }), /encryption cipher not supported/);
});

e2e('the variable wins over --encryption_key; a key on the command line is warned about and printed nowhere', async () => {
  const dir = tempDir();
  const secret = 'flag-key-0123456789';
  let s = await start(dir, ['--encryption_key', secret, '-SD', '-SV'], { [KEY_ENV]: 'env key' });
  try {
    await fill(s.url, 'foo');
  } finally {
    await s.server.stop('SIGTERM');
  }
  assert.match(s.server.stderr, /\[WRN\] STREAM: The encryption key was given on the command line \(--encryption_key\).*NATS_STREAMING_ENCRYPTION_KEY is safer/);
  assert.not.ok((s.server.stdout + s.server.stderr).includes(secret), 'the key is in no output');
  // Written with the variable's key: the flag's alone does not open it, the variable's does.
  assert.match(await refused(dir, ['--encryption_key', secret]), /encryption key does not match/);
  s = await start(dir, ['--encryption_key', 'env key']);
  try {
    assert.equal(await replay(s.url, 'foo'), expected);
  } finally {
    await s.server.stop('SIGTERM');
  }
});

e2e('monitoring counts the 29 bytes of overhead per message, as Go', async () => {
  const counts: number[] = [];
  for (const extra of [[], ['--encrypt']]) {
    const s = await start(tempDir(), extra, { [KEY_ENV]: 'k' });
    try {
      await fill(s.url, 'foo');
      counts.push(await channelBytes(s.http, 'foo'));
    } finally {
      await s.server.stop('SIGTERM');
    }
  }
  assert.is(counts[1]! - counts[0]!, 29 * N);
});

e2e.run();

// ---------- the Go server, when there is one ----------

const GO = process.env.GO_STAN_SERVER;
const interop = suite('stores/crypto with the Go server');

/** Runs the Go server on `dir` until `fn` is done with it. */
async function withGo(dir: string, key: string, fn: (url: string) => Promise<void>): Promise<void> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(GO!, ['-st', 'file', '--dir', dir, '-a', '127.0.0.1', '-p', String(port), '--encrypt', '--encryption_cipher', 'CHACHA'], {
    env: { ...process.env, [KEY_ENV]: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Streaming Server is ready')) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', () => reject(new Error(`the Go server exited:\n${out}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await ready;
    await fn(`nats://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

if (GO === undefined || GO === '') {
  interop('skipped: GO_STAN_SERVER names no Go nats-streaming-server', () => {
    console.log('stores/crypto with the Go server: skipped (set GO_STAN_SERVER to a Go nats-streaming-server binary)');
  });
} else {
  interop('a store the Go server encrypted opens in ours, and ours in the Go server', async () => {
    const goDir = tempDir();
    await withGo(goDir, 'interop key', (url) => fill(url, 'from.go'));
    const s = await start(goDir, ['--encrypt'], { [KEY_ENV]: 'interop key' });
    try {
      assert.equal(await replay(s.url, 'from.go'), expected);
      await fill(s.url, 'from.ts');
    } finally {
      await s.server.stop('SIGTERM');
    }
    await withGo(goDir, 'interop key', async (url) => {
      assert.equal(await replay(url, 'from.ts'), expected);
      assert.equal(await replay(url, 'from.go'), expected);
    });
  });
}

interop.run();

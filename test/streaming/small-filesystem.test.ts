// A real full disk (issue #18 item 3), no injection: the FILE store on a
// small tmpfs mounted for the test (root only; skipped with a note where
// mount is refused). node-nats-streaming over real sockets publishes
// until the filesystem is full and gets error PubAcks; once space is
// freed the store recovers by itself (a short configured back-off) and
// publishes are acknowledged again; after a restart every acknowledged
// message is there, in order.

import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileStore } from '../../src/stores/file/index.js';
import { Env } from '../helpers/stan-env.js';
import { pubResult, startStan, until } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';

/** The filesystem's size: room for the store's files plus a little. */
const FS_SIZE = '4m';
const PAYLOAD = Buffer.alloc(3000, 0x61);
/** Publishes tried before giving up on filling the filesystem. */
const MAX_TRIES = 2000;

/** Mounts a tmpfs on a new directory; undefined (and why) where that is refused. */
function mountTmpfs(): { dir: string } | { why: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stan-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FS_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { why: String((err as { stderr?: Buffer }).stderr ?? err).trim() };
  }
}

/** Writes a file until the filesystem has no room left; returns its path. */
function fillUp(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let size = chunk.length; size >= 1; ) {
      try {
        writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

const t = suite('streaming/small-filesystem');

t('a real full tmpfs: error PubAcks, recovery by itself once space is freed, acknowledged messages intact', async () => {
  const m = mountTmpfs();
  if ('why' in m) {
    console.log(`NOTE: streaming/small-filesystem: cannot mount a tmpfs (${m.why}): the real full-disk test is SKIPPED`);
    return;
  }
  const storeDir = join(m.dir, 'store');
  mkdirSync(storeDir);
  const lines: string[] = [];
  const log = { info: (s: string) => void lines.push(`INF ${s}`), warn: (s: string) => void lines.push(`WRN ${s}`), error: (s: string) => void lines.push(`ERR ${s}`) };
  let env = new Env(await startStan({ store: new FileStore({ dir: storeDir, log, retryMs: 20, retryMaxMs: 100 }) }));
  try {
    const sc = await env.connect('pub');
    const acked: string[] = [];
    for (let i = 1; i <= 3; i++) {
      assert.is(await pubResult(sc, 'ch', `ok${i}`), '');
      acked.push(`ok${i}`);
    }
    const filler = fillUp(m.dir);
    // The last pages of the store's files may still take a few records.
    let error = '';
    for (let i = 1; i <= MAX_TRIES && error === ''; i++) {
      const data = Buffer.concat([Buffer.from(`full${i}:`), PAYLOAD]);
      error = await pubResult(sc, 'ch', data);
      if (error === '') acked.push(data.toString());
    }
    assert.match(error, /ENOSPC/);
    assert.ok(lines.some((l) => /^ERR STREAM: file store: ENOSPC/.test(l)), lines.join('\n'));
    // Still full: refused, with the error.
    assert.match(await pubResult(sc, 'ch', 'while-full'), /ENOSPC/);
    rmSync(filler);
    await until(() => lines.some((l) => /^INF STREAM: file store: writes succeed again/.test(l)), 'the store to recover');
    assert.is(await pubResult(sc, 'ch', 'after'), '');
    acked.push('after');
    await env.dispose();
    env = new Env(await startStan({ store: new FileStore({ dir: storeDir }) }));
    const reader = await subscribe(await env.connect('reader'), 'ch', { all: true });
    await until(() => reader.got.some((g) => g.data === 'after'), 'every message after the restart');
    const isAcked = new Set(acked);
    // Every acknowledged one, in order; refused ones written again by the retry may be among them.
    assert.equal(
      reader.got.map((g) => g.data).filter((d) => isAcked.has(d)),
      acked,
    );
  } finally {
    await env.dispose();
    execFileSync('umount', [m.dir]);
    rmSync(m.dir, { recursive: true, force: true });
  }
});

t.run();

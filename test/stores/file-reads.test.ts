// The FILE store's reads off the event loop (src/stores/file/msg-reads.ts,
// msg-batch.ts) on damaged files: a record that fails its checks or a
// file cut short is never served; the batch ends before it, and a read
// starting at it rejects with a StoreError naming channel, slice and
// sequence. (The contract's reads suite covers the healthy cases.)

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, openSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileMsgStore, FileStore } from '../../src/stores/file/index.js';
import { RECENT_TTL_MS } from '../../src/stores/file/recent.js';
import { StoreError } from '../../src/stores/store.js';
import { limitsOf, storeN, T0 } from './fixtures.js';
import { logLines, openFile, tempDir } from './file-helpers.js';

const t = suite('stores/file-reads');

const N = 10;

/** A store with N messages in slice 1 of channel foo, flushed and out of the cache. */
async function written(): Promise<{ store: FileStore; m: FileMsgStore; dir: string; log: ReturnType<typeof logLines> }> {
  const dir = tempDir();
  const log = logLines();
  const { store } = await openFile(dir, { log });
  const m = store.createChannel('foo', limitsOf()).msgs as FileMsgStore;
  storeN(m, N);
  await m.flush();
  m.sweep(Date.now() + 2 * RECENT_TTL_MS, false);
  return { store, m, dir, log };
}

/** Offset of message `seq`'s record in msgs.1.dat (all records are the same size here). */
function recordAt(dir: string, seq: number): number {
  const size = statSync(join(dir, 'foo', 'msgs.1.dat')).size;
  return 4 + (seq - 1) * ((size - 4) / N);
}

function flip(path: string, at: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0xff;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, String(err));
    return err as StoreError;
  }
  throw new Error('the read did not reject');
}

t('a corrupted record ends the batch before it; a read from it rejects naming channel, slice, sequence', async () => {
  const { store, m, dir, log } = await written();
  try {
    flip(join(dir, 'foo', 'msgs.1.dat'), recordAt(dir, 4) + 8 + 3);
    assert.equal((await m.read(1, N)).map((x) => x.sequence), [1, 2, 3]);
    const err = await rejection(m.read(4, N));
    assert.match(err.message, /channel "foo": message 4 of slice 1 cannot be read: corrupted data, expected crc/);
    assert.match(err.message, /msgs\.1\.dat/);
    assert.match(log.text(), /Message 4 cannot be read/);
    assert.equal((await m.read(5, N)).map((x) => x.sequence), [5, 6, 7, 8, 9, 10]);
  } finally {
    await store.close();
  }
});

t('a corrupted index record is never used', async () => {
  const { store, m, dir } = await written();
  try {
    flip(join(dir, 'foo', 'msgs.1.idx'), 4 + 6 * 32 + 9); // message 7's offset
    assert.equal((await m.read(1, N)).map((x) => x.sequence), [1, 2, 3, 4, 5, 6]);
    const err = await rejection(m.read(7, 1));
    assert.match(err.message, /message 7 of slice 1 cannot be read: .*msgs\.1\.idx/);
    // The binary search for message 7's time probes 5, 8, then 7.
    assert.match((await rejection(m.seqFromTimestamp(T0 + 6n))).message, /message 7 of slice 1/);
  } finally {
    await store.close();
  }
});

t('a data file cut short: the records past its end are not served', async () => {
  const { store, m, dir } = await written();
  try {
    truncateSync(join(dir, 'foo', 'msgs.1.dat'), recordAt(dir, 9) + 5);
    assert.equal((await m.read(1, N)).map((x) => x.sequence), [1, 2, 3, 4, 5, 6, 7, 8]);
    const err = await rejection(m.read(9, 2));
    assert.match(err.message, /message 9 of slice 1 cannot be read: record of \d+ bytes is past the end of the file/);
  } finally {
    await store.close();
  }
});

t('batches going forward through one big slice are served from read-ahead windows and their refills alike', async () => {
  const { store } = await openFile(tempDir());
  try {
    const m = store.createChannel('foo', limitsOf()).msgs as FileMsgStore;
    storeN(m, 3000, 700); // 2 MB: several index and data read-aheads
    await m.flush();
    m.sweep(Date.now() + 2 * RECENT_TTL_MS, false);
    for (const max of [1, 64, 333]) {
      let next = 1;
      while (next <= 3000) {
        const got = await m.read(next, max);
        assert.is(got[0]!.sequence, next);
        for (const x of got) assert.equal(x, m.lookup(x.sequence));
        next += got.length;
      }
    }
    // Going backwards and jumping around too.
    for (const from of [2990, 5, 1500, 1024, 1025, 2048, 1]) assert.equal(await m.read(from, 3), [m.lookup(from), m.lookup(from + 1), m.lookup(from + 2)]);
  } finally {
    await store.close();
  }
});

t.run();

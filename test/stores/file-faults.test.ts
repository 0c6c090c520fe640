// The FILE store when its I/O fails (src/stores/file/committer.ts,
// msg-reads.ts), through the fault-injecting backend (io-faults.ts): a
// failed fsync or write rejects the flush with a StoreError, and every
// later one until a retry succeeds (file-fault-recovery.test.ts), so
// nothing not durable is reported durable; stores are refused meanwhile;
// reads never serve garbage.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileMsgStore } from '../../src/stores/file/index.js';
import { setFileIo } from '../../src/stores/file/io.js';
import type { FaultyIo } from '../../src/stores/file/io-faults.js';
import { installFaultyIo, readsTrue, rejection } from './fault-helpers.js';
import { RECENT_TTL_MS } from '../../src/stores/file/recent.js';
import { StoreError } from '../../src/stores/store.js';
import { limitsOf, storeFrom, storeN, T0 } from './fixtures.js';
import { logLines, openFile, tempDir } from './file-helpers.js';

const t = suite('stores/file-faults');

/** A recovered store on a new directory over a FaultyIo, channel foo; the backend restored after. */
async function withFaults(fn: (io: FaultyIo, m: FileMsgStore, log: ReturnType<typeof logLines>) => Promise<void>): Promise<void> {
  const io = installFaultyIo();
  const log = logLines();
  // No retry during these tests: the latch is what they look at.
  const { store } = await openFile(tempDir(), { log, retryMs: 3_600_000, retryMaxMs: 3_600_000 });
  try {
    await fn(io, store.createChannel('foo', limitsOf()).msgs as FileMsgStore, log);
  } finally {
    await store.close();
    setFileIo(undefined);
  }
}

t('a failed fsync rejects the flush with a StoreError, and every flush after it', () =>
  withFaults(async (io, m, log) => {
    storeN(m, 5);
    await m.flush();
    io.inject({ call: 'sync', error: 'EIO' });
    storeFrom(m, 6, 3);
    const first = await rejection(m.flush(), /^file store failed: EIO: i\/o error, fdatasync '.*' \(injected\)$/);
    assert.is((first.cause as NodeJS.ErrnoException).code, 'EIO');
    io.clear();
    // Latched: the failed commit's messages may not be on disk, so no later flush says they are.
    assert.is(await rejection(m.flush(), /EIO/), first);
    assert.is(await rejection(m.flush(), /EIO/), first);
    assert.throws(() => m.store(new Uint8Array(1), '', T0), (err: unknown) => err instanceof StoreError && /file store failed: EIO/.test(String(err)));
    assert.match(log.text(), /ERR STREAM: file store: EIO: i\/o error, fdatasync .*; no write is acknowledged until it succeeds again \(retrying in 3600000 ms\)/);
    await readsTrue(m, 8);
  }));

t('a failed write (disk full) rejects the flush; the unwritten messages are still read right, from memory', () =>
  withFaults(async (io, m) => {
    storeN(m, 4);
    await m.flush();
    m.sweep(Date.now() + 2 * RECENT_TTL_MS, false);
    io.inject({ call: 'write', error: 'ENOSPC' });
    storeFrom(m, 5, 4);
    await rejection(m.flush(), /^file store failed: ENOSPC/);
    io.clear();
    await rejection(m.flush(), /ENOSPC/);
    await readsTrue(m, 8);
  }));

t('flushes waiting on a failing commit all reject, the queued one too', () =>
  withFaults(async (io, m) => {
    io.inject({ call: 'sync', error: 'EIO' });
    storeN(m, 2);
    const inflight = m.flush();
    storeFrom(m, 3, 2);
    const queued = m.flush();
    const [a, b] = await Promise.all([rejection(inflight, /EIO/), rejection(queued, /EIO/)]);
    assert.is(a, b);
  }));

t('a read that fails with an I/O error rejects with a StoreError naming channel, slice and sequence', () =>
  withFaults(async (io, m) => {
    storeN(m, 6);
    await m.flush();
    m.sweep(Date.now() + 2 * RECENT_TTL_MS, false);
    io.inject({ call: 'read', error: 'EIO', path: 'msgs.1.' });
    const err = await rejection(m.read(2, 10) as Promise<never>, /^channel "foo": message 2 of slice 1 cannot be read: EIO: i\/o error, read '.*msgs\.1\.(dat|idx)' \(injected\)$/);
    assert.is((err.cause as NodeJS.ErrnoException).code, 'EIO');
    await rejection(m.seqFromTimestamp(T0 + 3n) as Promise<never>, /channel "foo": message \d of slice 1 cannot be read: EIO/);
    io.clear();
    await readsTrue(m, 6);
  }));

t.run();

// The FILE store recovering from a failed commit by itself (issue #18
// item 3d; src/stores/file/committer.ts): while failed it refuses every
// write that needs an answer and changes nothing; once the disk takes
// writes again a retry (a short configured back-off here) rewinds each
// file to its last good sync and writes everything again, logs that it
// resumed, and what was flushed before is intact, on disk, after a
// restart. Faults through io-faults.ts: ENOSPC, a short write, a failed
// fsync, EROFS.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileMsgStore, FileStore } from '../../src/stores/file/index.js';
import { setFileIo } from '../../src/stores/file/io.js';
import type { FaultRule, FaultyIo } from '../../src/stores/file/io-faults.js';
import { StoreError, type SubStore } from '../../src/stores/store.js';
import { installFaultyIo, readsTrue, rejection } from './fault-helpers.js';
import { clientInfo, limitsOf, serverInfo, storeFrom, storeN, subState, T0 } from './fixtures.js';
import { logLines, openFile, tempDir, type LogLines } from './file-helpers.js';
import { until } from '../helpers/wait.js';

const t = suite('stores/file-fault-recovery');

interface Ctx {
  io: FaultyIo;
  dir: string;
  store: FileStore;
  m: FileMsgStore;
  subs: SubStore;
  log: LogLines;
}

const RETRY = { retryMs: 5, retryMaxMs: 40 };

/** A store over a FaultyIo with a short retry back-off, channel foo created. */
async function openFaulty(): Promise<Ctx> {
  const io = installFaultyIo();
  const log = logLines();
  const dir = tempDir();
  const { store } = await openFile(dir, { log, ...RETRY });
  const ch = store.createChannel('foo', limitsOf());
  return { io, dir, store, m: ch.msgs as FileMsgStore, subs: ch.subs, log };
}

/** openFaulty(), then `fn`; closed and the backend restored after. */
async function withStore(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const c = await openFaulty();
  try {
    await fn(c);
  } finally {
    await c.store.close();
    setFileIo(undefined);
  }
}

function refused(fn: () => unknown, what: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof StoreError && what.test((err as Error).message));
}

/** Waits until the store takes writes again (the retry succeeded). */
async function resumed(c: Ctx): Promise<void> {
  const line = /INF STREAM: file store: writes succeed again after \d+ ms and \d+ retries \(file store failed: .*\): they are acknowledged again/;
  await until(() => line.test(c.log.text()), 'the store to recover');
  assert.is(c.store.writeFailure(), undefined);
}

/** Messages 1..n as storeN/storeFrom wrote them, read back from a fresh open of `dir`. */
async function reopenedHas(dir: string, n: number): Promise<void> {
  setFileIo(undefined);
  const { store, state } = await openFile(dir);
  try {
    const m = state.channels.find((x) => x.name === 'foo')!.msgs;
    assert.is(m.lastSeq, n);
    await readsTrue(m, n);
  } finally {
    await store.close();
  }
}

/** A fault on the message files' writes or syncs; then the disk is freed and the store recovers. */
async function failThenRecover(rule: FaultRule): Promise<void> {
  let dir = '';
  await withStore(async (c) => {
    dir = c.dir;
    storeN(c.m, 5);
    await c.m.flush();
    c.io.inject(rule);
    storeFrom(c.m, 6, 3);
    await rejection(c.m.flush(), new RegExp(`^file store failed: ${rule.error === 'short' ? 'ENOSPC' : rule.error}`));
    // Retries keep failing while the fault is there.
    await until(() => /still failing after 2 retries/.test(c.log.text()), 'two failed retries');
    refused(() => c.m.store(new Uint8Array(1), '', T0), /file store failed/);
    c.io.clear();
    await resumed(c);
    storeFrom(c.m, 9, 2);
    await c.m.flush();
    await readsTrue(c.m, 10);
  });
  // The failed batch was written again by the retry: nothing lost, nothing torn.
  await reopenedHas(dir, 10);
}

t('a full disk (ENOSPC on write): the store recovers by itself once there is room, nothing lost', () =>
  failThenRecover({ call: 'write', error: 'ENOSPC', path: 'msgs.' }));

t('a short write (half the bytes, then ENOSPC): the torn tail is cut and written again', () =>
  failThenRecover({ call: 'write', error: 'short', path: '.dat' }));

t('a failed fsync: everything since the last good sync is written and synced again', () =>
  failThenRecover({ call: 'sync', error: 'EIO' }));

t('a read-only file system (EROFS) that comes back: the same', () => failThenRecover({ call: 'write', error: 'EROFS' }));

t('what was refused while failed is not there after a restart; what was kept is', async () => {
  const { io, dir, store, subs: subStore, log } = await openFaulty();
  store.addClient(clientInfo('me'));
  const sub = subState({ clientId: 'me', durableName: 'dur', isDurable: true });
  subStore.create(sub);
  await store.flush();
  io.inject({ call: 'write', error: 'ENOSPC' });
  subStore.sent(sub.id, 1);
  await rejection(store.flush(), /ENOSPC/);
  refused(() => store.deleteClient('me'), /ENOSPC/);
  refused(() => subStore.update({ ...sub, isClosed: true }), /ENOSPC/);
  refused(() => subStore.create(subState({ clientId: 'me', durableName: 'late', isDurable: true })), /ENOSPC/);
  io.clear();
  await until(() => /writes succeed again/.test(log.text()), 'the store to recover');
  await store.flush();
  await store.close();
  setFileIo(undefined);
  const again = await openFile(dir);
  try {
    assert.equal(
      again.state.clients.map((x) => x.id),
      ['me'],
    );
    const subs = again.state.channels.find((x) => x.name === 'foo')!.recovered;
    assert.equal(
      subs.map((s) => [s.state.durableName, s.state.isClosed, s.pending]),
      [['dur', false, [1]]],
    );
  } finally {
    await again.store.close();
  }
});

t('while a retry runs, the store stays failed: nothing is taken before the retry succeeded', () =>
  withStore(async (c) => {
    storeN(c.m, 2);
    await c.m.flush();
    c.io.inject({ call: 'sync', error: 'EIO' });
    storeFrom(c.m, 3, 1);
    await rejection(c.m.flush(), /EIO/);
    // Each retry's sync fails a turn later (as a real fsync): at no turn meanwhile is the store writable.
    while (!/still failing after 3 retries/.test(c.log.text())) {
      assert.ok(c.store.writeFailure() !== undefined, 'failed during a retry');
      refused(() => c.m.store(new Uint8Array(1), '', T0), /file store failed/);
      await new Promise((r) => setImmediate(r));
    }
    c.io.clear();
    await resumed(c);
  }));

/** Messages 1..good flushed, then more stored under `rule`'s fault: close() cuts back to the good ones. */
async function closeWhileFailed(rule: FaultRule, good: number): Promise<void> {
  const { io, dir, store, m } = await openFaulty();
  storeN(m, good);
  await store.flush();
  io.inject(rule);
  storeFrom(m, good + 1, 3);
  await rejection(store.flush(), /file store failed/);
  await store.close(); // resolves: never rejects
  await reopenedHas(dir, good);
}

t('close() of a store whose fsync failed resolves and cuts back to the last good sync: 1-4 there, the unsure ones not', () =>
  closeWhileFailed({ call: 'sync', error: 'EIO' }, 4));

t('close() while a short write left a torn record: cut back, the next start is clean', () =>
  closeWhileFailed({ call: 'write', error: 'short', path: '.dat' }, 3));

t('a rewrite (server.dat) whose temp file cannot be created is done again after recovery', async () => {
  const { io, dir, store, log } = await openFaulty();
  store.init(serverInfo());
  await store.flush();
  io.inject({ call: 'open', error: 'ENOSPC', path: '.tmp' });
  store.init({ ...serverInfo(), nodeId: 'second' });
  await rejection(store.flush(), /ENOSPC/);
  io.clear();
  await until(() => /writes succeed again/.test(log.text()), 'the store to recover');
  await store.close();
  setFileIo(undefined);
  const again = await openFile(dir);
  assert.is(again.state.info?.nodeId, 'second');
  await again.store.close();
});

t.run();

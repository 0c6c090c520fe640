// The FILE store when its I/O fails (src/stores/file/committer.ts,
// msg-reads.ts), through a file I/O backend that fails on demand (io.ts's
// setFileIo): a failed fsync or write rejects the flush with a StoreError,
// and every later one too, so nothing not durable is reported durable;
// stores are refused from then on; reads never serve garbage.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileMsgStore } from '../../src/stores/file/index.js';
import { pickFileIo, setFileIo, type FileIo, type StoreFile } from '../../src/stores/file/io.js';
import { RECENT_TTL_MS } from '../../src/stores/file/recent.js';
import { StoreError, type MsgStore } from '../../src/stores/store.js';
import { limitsOf, storeFrom, storeN, T0 } from './fixtures.js';
import { logLines, openFile, tempDir } from './file-helpers.js';

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: injected failure, ${syscall}`);
  e.code = code;
  return e;
}

/** The backend of this process, failing the operations asked (by errno code) until told otherwise. */
class FaultyIo implements FileIo {
  readonly kind: FileIo['kind'];
  syncFails: string | undefined;
  writeFails: string | undefined;
  readFails: string | undefined;

  constructor(readonly inner: FileIo) {
    this.kind = inner.kind;
  }

  open(path: string, create: boolean): StoreFile {
    return new FaultyFile(this, this.inner.open(path, create));
  }

  async sync(files: readonly StoreFile[], dirs: readonly string[], dataOnly: boolean): Promise<void> {
    await new Promise((r) => setImmediate(r)); // fails later, as a real fsync would
    if (this.syncFails) throw errno(this.syncFails, 'fsync');
    return this.inner.sync(
      files.map((f) => (f as FaultyFile).inner),
      dirs,
      dataOnly,
    );
  }
}

class FaultyFile implements StoreFile {
  constructor(
    private readonly io: FaultyIo,
    readonly inner: StoreFile,
  ) {}
  write(views: readonly Uint8Array[], pos: number): number {
    if (this.io.writeFails) throw errno(this.io.writeFails, 'write');
    return this.inner.write(views, pos);
  }
  read(buf: Uint8Array, off: number, len: number, pos: number): number {
    return this.inner.read(buf, off, len, pos);
  }
  readAsync(buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
    if (this.io.readFails) return Promise.reject(errno(this.io.readFails, 'read'));
    return this.inner.readAsync(buf, off, len, pos);
  }
  size(): number {
    return this.inner.size();
  }
  truncate(len: number): void {
    this.inner.truncate(len);
  }
  datasyncNow(): void {
    this.inner.datasyncNow();
  }
  close(): void {
    this.inner.close();
  }
}

const t = suite('stores/file-faults');

/** A recovered store on a new directory over a FaultyIo, channel foo; the backend restored after. */
async function withFaults(fn: (io: FaultyIo, m: FileMsgStore, log: ReturnType<typeof logLines>) => Promise<void>): Promise<void> {
  const io = new FaultyIo(pickFileIo(process.env.STAN_FILE_IO));
  setFileIo(io);
  const log = logLines();
  const { store } = await openFile(tempDir(), { log });
  try {
    await fn(io, store.createChannel('foo', limitsOf()).msgs as FileMsgStore, log);
  } finally {
    await store.close();
    setFileIo(undefined);
  }
}

async function rejection(p: Promise<void> | void, what: RegExp): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, String(err));
    assert.match((err as Error).message, what);
    return err as StoreError;
  }
  throw new Error('did not reject');
}

/** Whatever read() returns is what storeN stored. */
async function readsTrue(m: MsgStore, n: number): Promise<void> {
  const got = await m.read(1, 1000);
  assert.equal(
    got.map((x) => x.sequence),
    Array.from({ length: n }, (_, i) => i + 1),
  );
  for (const x of got) {
    assert.is(x.timestamp, T0 + BigInt(x.sequence - 1));
    assert.ok(x.data.every((b) => b === ((x.sequence - 1) & 0xff)));
  }
}

t('a failed fsync rejects the flush with a StoreError, and every flush after it', () =>
  withFaults(async (io, m, log) => {
    storeN(m, 5);
    await m.flush();
    io.syncFails = 'EIO';
    storeFrom(m, 6, 3);
    const first = await rejection(m.flush(), /^file store failed: EIO: injected failure, fsync$/);
    assert.is((first.cause as NodeJS.ErrnoException).code, 'EIO');
    io.syncFails = undefined;
    // Latched: the failed commit's messages may not be on disk, so no later flush says they are.
    assert.is(await rejection(m.flush(), /EIO/), first);
    assert.is(await rejection(m.flush(), /EIO/), first);
    assert.throws(() => m.store(new Uint8Array(1), '', T0), (err: unknown) => err instanceof StoreError && /file store failed: EIO/.test(String(err)));
    assert.match(log.text(), /ERR STREAM: file store: EIO: injected failure, fsync; no more writes will be acknowledged/);
    await readsTrue(m, 8);
  }));

t('a failed write (disk full) rejects the flush; the unwritten messages are still read right, from memory', () =>
  withFaults(async (io, m) => {
    storeN(m, 4);
    await m.flush();
    m.sweep(Date.now() + 2 * RECENT_TTL_MS, false);
    io.writeFails = 'ENOSPC';
    storeFrom(m, 5, 4);
    await rejection(m.flush(), /^file store failed: ENOSPC/);
    io.writeFails = undefined;
    await rejection(m.flush(), /ENOSPC/);
    await readsTrue(m, 8);
  }));

t('flushes waiting on a failing commit all reject, the queued one too', () =>
  withFaults(async (io, m) => {
    io.syncFails = 'EIO';
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
    io.readFails = 'EIO';
    const err = await rejection(m.read(2, 10) as Promise<never>, /^channel "foo": message 2 of slice 1 cannot be read: EIO: injected failure, read$/);
    assert.is((err.cause as NodeJS.ErrnoException).code, 'EIO');
    await rejection(m.seqFromTimestamp(T0 + 3n) as Promise<never>, /channel "foo": message \d of slice 1 cannot be read: EIO/);
    io.readFails = undefined;
    await readsTrue(m, 6);
  }));

t.run();

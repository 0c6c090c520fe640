// Helpers of the FILE store's fault tests (file-faults, file-fault-recovery):
// a store over the fault-injecting backend, a flush's expected rejection,
// and the check that reads return what storeN/storeFrom stored.

import * as assert from 'uvu/assert';
import { pickFileIo, setFileIo } from '../../src/stores/file/io.js';
import { FaultyIo } from '../../src/stores/file/io-faults.js';
import { StoreError, type MsgStore } from '../../src/stores/store.js';
import { T0 } from './fixtures.js';

/** A FaultyIo over this process's backend, installed for every file opened from now on (setFileIo(undefined) restores). */
export function installFaultyIo(): FaultyIo {
  const io = new FaultyIo(pickFileIo(process.env.STAN_FILE_IO));
  setFileIo(io);
  return io;
}

/** Resolves to the StoreError `p` rejects with (its text matching `what`); fails if it resolves. */
export async function rejection(p: Promise<unknown> | void, what: RegExp): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, String(err));
    assert.match((err as Error).message, what);
    return err as StoreError;
  }
  throw new Error('did not reject');
}

/** Whatever read() returns is messages 1..n as storeN/storeFrom stored them. */
export async function readsTrue(m: MsgStore, n: number): Promise<void> {
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

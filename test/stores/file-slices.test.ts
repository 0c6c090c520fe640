// FILE store message slices (STAN-REFERENCE §5.4): rolling over on each
// slice limit and on the limits derived from the channel limits, whole
// slices removed by limits (deleted once newer data is durable) or handed
// to the archive script; and the compaction of subs.dat and clients.dat
// (§5.3, §5.5).

import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileMsgStore } from '../../src/stores/file/index.js';
import type { ChannelLimits } from '../../src/stores/store.js';
import { clientInfo, limitsOf, MS, serverInfo, subState, T0 } from './fixtures.js';
import { openFile, tempDir } from './file-helpers.js';
import { until } from '../helpers/wait.js';

const enc = (s: string) => new TextEncoder().encode(s);

function sliceFiles(dir: string): string[] {
  return readdirSync(join(dir, 'foo'))
    .filter((f) => f.startsWith('msgs.'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

async function withChannel(
  opts: Parameters<typeof openFile>[1],
  limits: ChannelLimits,
  fn: (m: FileMsgStore, dir: string, flush: () => Promise<void>) => Promise<void> | void,
): Promise<string> {
  const dir = tempDir();
  const { store } = await openFile(dir, opts);
  store.init(serverInfo());
  try {
    await fn(store.createChannel('foo', limits).msgs, dir, async () => void (await store.flush()));
  } finally {
    await store.close();
  }
  return dir;
}

const sl = suite('stores/file slices');

sl('slices roll over on slice_max_msgs; all of them come back', async () => {
  const dir = await withChannel({ sliceMaxMsgs: 3 }, limitsOf(), (m) => {
    for (let i = 1; i <= 7; i++) m.store(enc(`m${i}`), '', T0 + BigInt(i));
    assert.equal(
      m.slices.map((s) => [s.firstSeq, s.lastSeq]),
      [
        [1, 3],
        [4, 6],
        [7, 7],
      ],
    );
  });
  assert.equal(sliceFiles(dir), ['msgs.1.dat', 'msgs.1.idx', 'msgs.2.dat', 'msgs.2.idx', 'msgs.3.dat', 'msgs.3.idx']);
  const { store, state } = await openFile(dir, { sliceMaxMsgs: 3 });
  const m = state.channels[0]!.msgs;
  assert.equal(m.state().msgs, 7);
  for (let i = 1; i <= 7; i++) assert.is(Buffer.from(m.lookup(i)!.data).toString(), `m${i}`);
  assert.is(m.firstSeqAtOrAfter(T0 + 5n), 5);
  // The last slice is still written to, up to its limit.
  for (let i = 8; i <= 10; i++) m.store(enc(`m${i}`), '', T0 + BigInt(i));
  await store.close();
  assert.is(statSync(join(dir, 'foo', 'msgs.3.idx')).size, 4 + 3 * 32);
  assert.is(statSync(join(dir, 'foo', 'msgs.4.idx')).size, 4 + 32);
});

sl('slices roll over on slice_max_bytes (payload + 40 per message)', async () => {
  await withChannel({ sliceMaxBytes: 1 }, limitsOf(), (m) => {
    m.store(enc('a'), '', T0);
    const one = m.state().bytes;
    assert.is(m.slices.length, 1);
    m.store(enc('b'), '', T0);
    assert.is(m.slices.length, 2);
    void one;
  });
  await withChannel({ sliceMaxBytes: 3 * 60 }, limitsOf(), (m) => {
    for (let i = 0; i < 10; i++) m.store(new Uint8Array(10), '', T0);
    const per = m.state().bytes / 10;
    const perSlice = Math.ceil((3 * 60) / per);
    assert.is(m.slices[0]!.count, perSlice);
  });
});

sl('slices roll over on slice_max_age, from the first message of the slice', async () => {
  await withChannel({ sliceMaxAgeMs: 1000, sliceMaxBytes: 0 }, limitsOf(), (m) => {
    for (const ms of [0n, 400n, 999n, 1000n, 1500n, 2100n]) m.store(enc('x'), '', T0 + ms * MS);
    assert.equal(
      m.slices.map((s) => s.count),
      [3, 2, 1],
    );
  });
});

sl('without slice limits, they are derived from the channel limits (a quarter)', async () => {
  const none = { sliceMaxMsgs: 0, sliceMaxBytes: 0, sliceMaxAgeMs: 0 };
  await withChannel(none, limitsOf({ maxMsgs: 8 }), (m) => {
    for (let i = 0; i < 8; i++) m.store(enc('x'), '', T0);
    assert.equal(
      m.slices.map((s) => s.count),
      [2, 2, 2, 2],
    );
  });
  await withChannel(none, limitsOf({ maxAgeMs: 2000 }), (m) => {
    // A quarter of 2 s is under the 1 s minimum.
    for (const ms of [0n, 900n, 1000n]) m.store(enc('x'), '', T0 + ms * MS);
    assert.equal(
      m.slices.map((s) => s.count),
      [2, 1],
    );
  });
  await withChannel(none, limitsOf(), (m) => {
    for (let i = 0; i < 50; i++) m.store(enc('x'), '', T0);
    assert.is(m.slices.length, 1);
  });
});

sl('limits remove whole slices, deleted once newer data is durable; a restart re-applies them', async () => {
  const dir = await withChannel({ sliceMaxMsgs: 2 }, limitsOf({ maxMsgs: 4 }), async (m, d, flush) => {
    for (let i = 1; i <= 9; i++) m.store(enc(`m${i}`), '', T0 + BigInt(i));
    assert.equal(m.state(), { ...m.state(), firstSeq: 6, lastSeq: 9, msgs: 4 });
    assert.equal(
      m.slices.map((s) => s.num),
      [3, 4, 5],
    );
    await flush();
    assert.equal(sliceFiles(d), ['msgs.3.dat', 'msgs.3.idx', 'msgs.4.dat', 'msgs.4.idx', 'msgs.5.dat', 'msgs.5.idx']);
  });
  const { store, state } = await openFile(dir, { sliceMaxMsgs: 2 });
  const m = state.channels[0]!.msgs;
  // Slice 3 holds 5 and 6: 5 is back until the limits are applied again.
  assert.equal([m.firstSeq, m.lastSeq], [5, 9]);
  m.setLimits(limitsOf({ maxMsgs: 4 }));
  assert.equal([m.firstSeq, m.lastSeq, m.state().msgs], [6, 9, 4]);
  assert.is(m.lookup(5), undefined);
  assert.is(Buffer.from(m.lookup(6)!.data).toString(), 'm6');
  await store.close();
});

sl('max_age expires whole slices; the last one stays so the sequence goes on', async () => {
  const dir = await withChannel({ sliceMaxMsgs: 2 }, limitsOf({ maxAgeMs: 1000 }), async (m, d, flush) => {
    for (let i = 1; i <= 5; i++) m.store(enc(`m${i}`), '', T0 + BigInt(i));
    assert.is(m.expire(T0 + 10_000n * MS), 5);
    assert.equal(m.state(), { firstSeq: 6, lastSeq: 5, msgs: 0, bytes: 0 });
    await flush();
    assert.equal(sliceFiles(d), ['msgs.3.dat', 'msgs.3.idx']);
  });
  const { store, state } = await openFile(dir, { sliceMaxMsgs: 2 });
  const m = state.channels[0]!.msgs;
  m.setLimits(limitsOf({ maxAgeMs: 1000 }));
  assert.equal([m.firstSeq, m.lastSeq], [6, 5]);
  assert.is(m.store(enc('m6'), '', BigInt(Date.now()) * MS), 6);
  await store.close();
});

sl('the archive script gets the channel, the .dat.bak and the .idx.bak', async () => {
  const work = tempDir();
  const out = join(work, 'args.txt');
  const script = join(work, 'archive.sh');
  writeFileSync(script, `#!/bin/sh\necho "$1 $2 $3" >> ${out}\n`);
  chmodSync(script, 0o755);
  const dir = await withChannel({ sliceMaxMsgs: 1, sliceArchiveScript: script }, limitsOf({ maxMsgs: 1 }), async (m, _d, flush) => {
    for (let i = 1; i <= 3; i++) m.store(enc(`m${i}`), '', T0);
    await flush();
  });
  await until(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 2, 'two runs of the archive script');
  const foo = join(dir, 'foo');
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').sort(), [
    `foo ${foo}/msgs.1.dat.bak ${foo}/msgs.1.idx.bak`,
    `foo ${foo}/msgs.2.dat.bak ${foo}/msgs.2.idx.bak`,
  ]);
  assert.ok(existsSync(join(foo, 'msgs.1.dat.bak')));
  assert.not.ok(existsSync(join(foo, 'msgs.1.dat')));
  // .bak files are not slices.
  const { store, state } = await openFile(dir);
  assert.equal([state.channels[0]!.msgs.firstSeq, state.channels[0]!.msgs.lastSeq], [3, 3]);
  await store.close();
});

sl('subs.dat is compacted when fragmented, and recovers the same state', async () => {
  const dir = tempDir();
  const opts = { compactMinSize: 0, compactFragmentation: 50, compactIntervalSec: 1 };
  const { store } = await openFile(dir, opts);
  store.init(serverInfo());
  const { subs } = store.createChannel('foo', limitsOf());
  const a = subState({ durableName: 'a', isDurable: true });
  const b = subState();
  subs.create(a);
  subs.create(b);
  for (let seq = 1; seq <= 100; seq++) {
    subs.sent(a.id, seq);
    if (seq <= 90) subs.acked(a.id, seq);
  }
  subs.delete(b.id);
  await store.flush();
  await store.flush();
  const path = join(dir, 'foo', 'subs.dat');
  // One type-1 record for `a` and one type-5 record per pending message.
  const bytes = readFileSync(path);
  let recs = 0;
  for (let p = 4; p < bytes.length; p += 8 + (bytes.readUInt32LE(p) & 0xffffff)) recs++;
  assert.is(recs, 1 + 10);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temp file left');
  // Appends after the compaction go to the new file.
  subs.acked(a.id, 91);
  await store.close();
  const again = await openFile(dir, opts);
  const r = again.state.channels[0]!.recovered;
  assert.is(r.length, 1);
  assert.equal(r[0]!.state, { ...a, lastSent: 100 });
  assert.equal(r[0]!.pending, [92, 93, 94, 95, 96, 97, 98, 99, 100]);
  // As with the Go server, a compacted file no longer knows deleted ids:
  // the next id follows the highest live one.
  const next = subState();
  again.state.channels[0]!.subs.create(next);
  assert.is(next.id, 2);
  await again.store.close();
});

sl('clients.dat is compacted when fragmented', async () => {
  const dir = tempDir();
  const opts = { compactMinSize: 0, compactFragmentation: 50, compactIntervalSec: 1 };
  const { store } = await openFile(dir, opts);
  store.init(serverInfo());
  for (let i = 0; i < 10; i++) store.addClient(clientInfo(`c${i}`));
  for (let i = 0; i < 6; i++) store.deleteClient(`c${i}`);
  await store.flush();
  await store.close();
  const bytes = readFileSync(join(dir, 'clients.dat'));
  const types: number[] = [];
  for (let p = 4; p < bytes.length; p += 8 + (bytes.readUInt32LE(p) & 0xffffff)) types.push(bytes[p + 3]!);
  // Compaction is asked at the 5th delete (5 of 10 records garbage) and made at
  // the commit, after the 6th: only the 4 live clients are left.
  assert.equal(types, [1, 1, 1, 1]);
  const again = await openFile(dir, opts);
  assert.equal(
    again.state.clients.map((c) => c.id),
    ['c6', 'c7', 'c8', 'c9'],
  );
  await again.store.close();
});

sl.run();

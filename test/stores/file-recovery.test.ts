// FILE store recovery from damaged files (STAN-REFERENCE §5.7), built by
// truncating, extending and flipping bytes in real files: rebuilt indexes,
// uncommitted tails cut, torn records refused with the file and offset (or
// truncated with --file_truncate_bad_eof), corrupted records reported and
// never served. The directory lock: file-lock.test.ts.

import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileStore } from '../../src/stores/file/index.js';
import { clientInfo, limitsOf, serverInfo, subState, T0 } from './fixtures.js';
import { logLines, openFile, tempDir } from './file-helpers.js';

const N = 5;
const IDX = 32;
const enc = (s: string) => new TextEncoder().encode(s);

/** A store with channel foo holding msg-1 .. msg-N (timestamps T0+i). */
async function written(): Promise<string> {
  const dir = tempDir();
  const { store } = await openFile(dir);
  store.init(serverInfo());
  store.addClient(clientInfo('me'));
  const { msgs, subs } = store.createChannel('foo', limitsOf());
  for (let i = 1; i <= N; i++) msgs.store(enc(`msg-${i}`), '', T0 + BigInt(i));
  const st = subState({ durableName: 'dur', isDurable: true });
  subs.create(st);
  subs.sent(st.id, 1);
  subs.sent(st.id, 2);
  subs.acked(st.id, 1);
  await store.close();
  return dir;
}

const file = (dir: string, name: string) => join(dir, 'foo', name);
const size = (p: string) => statSync(p).size;

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at]! ^= 0xff;
  writeFileSync(path, b);
}

/** Offset of the record of message `seq` in msgs.1.dat, from the index. */
function recordOffset(dir: string, seq: number): number {
  const idx = readFileSync(file(dir, 'msgs.1.idx'));
  return idx.readUInt32LE(4 + (seq - 1) * IDX + 8);
}

async function expectRefused(dir: string, opts: Parameters<typeof openFile>[1], ...parts: (string | RegExp)[]): Promise<string> {
  try {
    const { store } = await openFile(dir, opts);
    await store.close();
  } catch (err) {
    const m = (err as Error).message;
    for (const p of parts) assert.match(m, p);
    return m;
  }
  assert.unreachable('recovery was expected to fail');
  return '';
}

async function check(dir: string, opts: Parameters<typeof openFile>[1], fn: (s: Awaited<ReturnType<typeof openFile>>) => void | Promise<void>): Promise<void> {
  const s = await openFile(dir, opts);
  try {
    await fn(s);
  } finally {
    await s.store.close();
  }
}

const rec = suite('stores/file recovery');

rec('a missing index is rebuilt from the data file, the same bytes', async () => {
  const dir = await written();
  const idx = readFileSync(file(dir, 'msgs.1.idx'));
  unlinkSync(file(dir, 'msgs.1.idx'));
  const log = logLines();
  await check(dir, { log }, ({ state }) => {
    const m = state.channels[0]!.msgs;
    assert.equal(m.state().msgs, N);
    assert.is(Buffer.from(m.lookup(3)!.data).toString(), 'msg-3');
  });
  assert.equal(readFileSync(file(dir, 'msgs.1.idx')), idx);
  assert.match(log.text(), 'rebuilt from the data file (5 messages)');
});

rec('an index whose last record is corrupt is rebuilt', async () => {
  const dir = await written();
  const idx = readFileSync(file(dir, 'msgs.1.idx'));
  flip(file(dir, 'msgs.1.idx'), 4 + (N - 1) * IDX + 3);
  const log = logLines();
  await check(dir, { log }, ({ state }) => assert.equal(state.channels[0]!.msgs.state().msgs, N));
  assert.equal(readFileSync(file(dir, 'msgs.1.idx')), idx);
  assert.match(log.text(), /msgs\.1\.idx.*last record.*rebuilding/);
});

rec('an index pointing past the data is rebuilt (strictly)', async () => {
  const dir = await written();
  // The last record cut short while the index covers it: an unexpected EOF.
  const dat = file(dir, 'msgs.1.dat');
  const cut = size(dat) - 3;
  truncateSync(dat, cut);
  const at = recordOffset(dir, N);
  await expectRefused(dir, {}, 'msgs.1.dat', `offset ${at}`, 'unexpected EOF', '--file_truncate_bad_eof');
  // With the flag: truncated at the bad record, the rest recovered.
  const log = logLines();
  await check(dir, { truncateBadEof: true, log }, ({ state }) => {
    const m = state.channels[0]!.msgs;
    assert.equal([m.firstSeq, m.lastSeq], [1, N - 1]);
    assert.is(m.store(enc('again'), '', T0 + 10n), N);
  });
  assert.match(log.text(), `has been truncated to offset: ${at}`);
  // Not twice in a row...
  await expectRefused(dir, { truncateBadEof: true }, 'should not be opened consecutively');
  // ...and a start without it clears the witness.
  await check(dir, {}, ({ state }) => assert.is(state.channels[0]!.msgs.lastSeq, N));
  assert.not.ok(existsSync(join(dir, '.truncate.lck')));
});

rec('data past the last index record was never committed: cut', async () => {
  const dir = await written();
  const dat = file(dir, 'msgs.1.dat');
  const before = size(dat);
  appendFileSync(dat, Buffer.from([9, 0, 0, 0, 1, 2]));
  const log = logLines();
  await check(dir, { log }, ({ state }) => assert.is(state.channels[0]!.msgs.lastSeq, N));
  assert.is(size(dat), before);
  assert.match(log.text(), 'never committed');
});

rec('a torn index record: that message was never committed', async () => {
  const dir = await written();
  const idx = file(dir, 'msgs.1.idx');
  truncateSync(idx, size(idx) - 10);
  const lastAt = recordOffset(dir, N);
  await check(dir, {}, ({ state }) => {
    const m = state.channels[0]!.msgs;
    assert.equal([m.firstSeq, m.lastSeq], [1, N - 1]);
    assert.is(m.store(enc('next'), '', T0 + 10n), N);
  });
  // The data of the torn message was cut before the new one went in its place.
  assert.is(recordOffset(dir, N), lastAt);
});

rec('an empty index with data: the data is recovered, a torn tail cut', async () => {
  const dir = await written();
  truncateSync(file(dir, 'msgs.1.idx'), 4);
  const dat = file(dir, 'msgs.1.dat');
  truncateSync(dat, size(dat) - 2);
  await check(dir, {}, ({ state }) => assert.is(state.channels[0]!.msgs.lastSeq, N - 1));
});

rec('zero-filled tails are cut', async () => {
  const dir = await written();
  const dat = file(dir, 'msgs.1.dat');
  const idx = file(dir, 'msgs.1.idx');
  const [d, i] = [size(dat), size(idx)];
  appendFileSync(dat, Buffer.alloc(16));
  appendFileSync(idx, Buffer.alloc(2 * IDX));
  await check(dir, {}, ({ state }) => assert.is(state.channels[0]!.msgs.state().msgs, N));
  assert.equal([size(dat), size(idx)], [d, i]);
});

rec('files left empty by a crash right after their creation hold nothing', async () => {
  const dir = await written();
  truncateSync(file(dir, 'subs.dat'), 0);
  writeFileSync(file(dir, 'msgs.2.dat'), '');
  await check(dir, {}, ({ state }) => {
    const ch = state.channels[0]!;
    assert.equal([ch.msgs.firstSeq, ch.msgs.lastSeq], [1, N]);
    assert.equal(ch.recovered, []);
  });
  assert.not.ok(existsSync(file(dir, 'msgs.2.dat')));
});

rec('a corrupted message in the middle is reported and never served', async () => {
  const dir = await written();
  flip(file(dir, 'msgs.1.dat'), recordOffset(dir, 3) + 12);
  const log = logLines();
  await check(dir, { log }, ({ state }) => {
    const m = state.channels[0]!.msgs;
    assert.is(m.state().msgs, N);
    assert.is(m.lookup(3), undefined);
    assert.is(Buffer.from(m.lookup(2)!.data).toString(), 'msg-2');
    assert.is(Buffer.from(m.lookup(4)!.data).toString(), 'msg-4');
  });
  assert.match(log.text(), new RegExp(`Message 3 cannot be read.*corrupted data.*msgs\\.1\\.dat", offset ${recordOffset(dir, 3)}`));
});

rec('a corrupted index record in the middle is reported and never served', async () => {
  const dir = await written();
  flip(file(dir, 'msgs.1.idx'), 4 + IDX + 2);
  const log = logLines();
  await check(dir, { log }, ({ state }) => {
    const m = state.channels[0]!.msgs;
    assert.is(m.lookup(2), undefined);
    assert.ok(m.lookup(3));
  });
  assert.match(log.text(), /Message 2 cannot be read.*corrupted index record.*msgs\.1\.idx/);
});

rec('a torn last record of subs.dat: refused, or truncated with --file_truncate_bad_eof', async () => {
  const dir = await written();
  const subs = file(dir, 'subs.dat');
  const full = size(subs);
  truncateSync(subs, full - 3);
  const ackAt = full - 12; // the ack record: 8-byte header + 4-byte payload
  await expectRefused(dir, {}, 'subs.dat', `offset ${ackAt}`, 'unexpected EOF');
  await check(dir, { truncateBadEof: true }, ({ state }) => {
    // Without the ack record, 1 and 2 are both pending.
    assert.equal(state.channels[0]!.recovered[0]!.pending, [1, 2]);
  });
  assert.is(size(subs), ackAt);
});

rec('a corrupted record in clients.dat is refused with file and offset', async () => {
  const dir = await written();
  flip(join(dir, 'clients.dat'), 4 + 8 + 1);
  await expectRefused(dir, { truncateBadEof: true }, 'clients.dat', 'offset 4', 'corrupted data, expected crc');
});

rec('server.dat of the wrong size is refused', async () => {
  const dir = await written();
  appendFileSync(join(dir, 'server.dat'), Buffer.from([0]));
  await expectRefused(dir, {}, 'server.dat', /incorrect file size, expected \d+ bytes, got \d+ bytes/);
});

rec('a different --file_crc_poly over existing data is detected at start', async () => {
  const dir = await written();
  await expectRefused(dir, { crcPoly: 0x82f63b78 }, 'server.dat', 'default CRC polynomial', '--file_crc_poly');
});

rec('recovery reports what it found', async () => {
  const dir = await written();
  await check(dir, {}, ({ store }) => {
    const s = (store as FileStore).stats!;
    assert.equal([s.channels, s.msgs, s.clients, s.subs], [1, N, 1, 1]);
  });
});

rec.run();

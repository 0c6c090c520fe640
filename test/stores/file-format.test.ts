// The FILE store's byte formats, pinned byte for byte (STAN-REFERENCE
// §5.2-§5.5): a known sequence of writes is compared with files built by
// hand from the reference, with an independent CRC-32; and files built by
// hand (as the Go server writes them) are read back.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clientInfo, limitsOf, serverInfo, subState, T0 } from './fixtures.js';
import {
  indexRecord,
  lenField,
  msgProto,
  openFile,
  record,
  tempDir,
  u32,
  varField,
  VERSION,
} from './file-helpers.js';

const fmt = suite('stores/file format');

const bytesOf = (path: string) => [...readFileSync(path)];
const enc = (s: string) => new TextEncoder().encode(s);

function serverInfoProto(cid: string): number[] {
  const i = serverInfo(cid);
  return [
    ...lenField(0x0a, i.clusterId),
    ...lenField(0x12, i.discovery),
    ...lenField(0x1a, i.publish),
    ...lenField(0x22, i.subscribe),
    ...lenField(0x2a, i.unsubscribe),
    ...lenField(0x32, i.close),
    ...lenField(0x3a, i.subClose),
    ...lenField(0x42, i.acksSubs),
    ...lenField(0x4a, i.nodeId),
  ];
}

function clientInfoProto(id: string): number[] {
  const c = clientInfo(id);
  return [
    ...lenField(0x0a, c.id),
    ...lenField(0x12, c.hbInbox),
    ...lenField(0x1a, c.connId),
    ...varField(0x20, c.protocol),
    ...varField(0x28, c.pingInterval),
    ...varField(0x30, c.pingMaxOut),
  ];
}

function subStateProto(s: ReturnType<typeof subState>): number[] {
  return [
    ...varField(0x08, s.id),
    ...lenField(0x12, s.clientId),
    ...lenField(0x1a, s.qGroup),
    ...lenField(0x22, s.inbox),
    ...lenField(0x2a, s.ackInbox),
    ...varField(0x30, s.maxInFlight),
    ...varField(0x38, s.ackWaitInSecs),
    ...lenField(0x42, s.durableName),
    ...varField(0x48, s.lastSent),
    ...varField(0x50, s.isDurable),
    ...varField(0x58, s.isClosed),
  ];
}

fmt('server.dat, clients.dat, subs.dat and a message slice, byte for byte', async () => {
  const dir = tempDir();
  const { store } = await openFile(dir);
  store.init(serverInfo('pinned'));
  store.addClient(clientInfo('c1'));
  store.addClient(clientInfo('c2'));
  store.deleteClient('c2');
  const { msgs, subs } = store.createChannel('foo', limitsOf());
  msgs.store(enc('hello'), '', T0);
  msgs.store(enc('world'), 'inbox', T0 + 1n);
  const st = subState({ durableName: 'dur', isDurable: true, lastSent: 0 });
  subs.create(st);
  subs.sent(st.id, 1);
  subs.sent(st.id, 2);
  subs.acked(st.id, 1);
  subs.update({ ...st, lastSent: 2, isClosed: true });
  subs.delete(st.id);
  await store.close();

  assert.equal(bytesOf(join(dir, 'server.dat')), [...VERSION, ...record(serverInfoProto('pinned'))]);
  assert.equal(bytesOf(join(dir, 'clients.dat')), [
    ...VERSION,
    ...record(clientInfoProto('c1'), 1),
    ...record(clientInfoProto('c2'), 1),
    ...record(lenField(0x0a, 'c2'), 2),
  ]);
  const m1 = msgProto(1, 'foo', '', 'hello', T0);
  const m2 = msgProto(2, 'foo', 'inbox', 'world', T0 + 1n);
  assert.equal(bytesOf(join(dir, 'foo', 'msgs.1.dat')), [...VERSION, ...record(m1), ...record(m2)]);
  assert.equal(bytesOf(join(dir, 'foo', 'msgs.1.idx')), [
    ...VERSION,
    ...indexRecord(1, 4, T0, m1.length),
    ...indexRecord(2, 4 + 8 + m1.length, T0 + 1n, m2.length),
  ]);
  const upd = (id: number, seq: number) => [0x08, id, 0x10, seq];
  assert.equal(bytesOf(join(dir, 'foo', 'subs.dat')), [
    ...VERSION,
    ...record(subStateProto({ ...st }), 1),
    ...record(upd(1, 1), 5),
    ...record(upd(1, 2), 5),
    ...record(upd(1, 1), 4),
    ...record(subStateProto({ ...st, lastSent: 2, isClosed: true }), 2),
    ...record([0x08, 1], 3),
  ]);
});

fmt('the CRC polynomial is configurable (Go crc32.MakeTable semantics)', async () => {
  const castagnoli = 0x82f63b78;
  const dir = tempDir();
  const { store } = await openFile(dir, { crcPoly: castagnoli });
  store.init(serverInfo());
  store.createChannel('foo', limitsOf()).msgs.store(enc('x'), '', T0);
  await store.close();
  const m = msgProto(1, 'foo', '', 'x', T0);
  assert.equal(bytesOf(join(dir, 'foo', 'msgs.1.dat')), [...VERSION, ...record(m, 0, castagnoli)]);
  assert.equal(bytesOf(join(dir, 'foo', 'msgs.1.idx')), [...VERSION, ...indexRecord(1, 4, T0, m.length, castagnoli)]);
  // It reopens with the same polynomial.
  const again = await openFile(dir, { crcPoly: castagnoli });
  assert.is(again.state.channels[0]!.msgs.lookup(1)!.timestamp, T0);
  await again.store.close();
});

fmt('a store written by hand as the Go server writes it is recovered', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'server.dat'), Uint8Array.from([...VERSION, ...record(serverInfoProto('go'))]));
  writeFileSync(
    join(dir, 'clients.dat'),
    Uint8Array.from([
      ...VERSION,
      ...record(clientInfoProto('a'), 1),
      ...record(clientInfoProto('b'), 1),
      ...record(lenField(0x0a, 'a'), 2),
    ]),
  );
  mkdirSync(join(dir, 'bar.baz'));
  const msgs = [1, 2, 3].map((i) => msgProto(i, 'bar.baz', i === 2 ? 'r' : '', `msg${i}`, T0 + BigInt(i)));
  const dat = [...VERSION];
  const idx = [...VERSION];
  for (let i = 0; i < msgs.length; i++) {
    idx.push(...indexRecord(i + 1, dat.length, T0 + BigInt(i + 1), msgs[i]!.length));
    dat.push(...record(msgs[i]!));
  }
  writeFileSync(join(dir, 'bar.baz', 'msgs.1.dat'), Uint8Array.from(dat));
  writeFileSync(join(dir, 'bar.baz', 'msgs.1.idx'), Uint8Array.from(idx));
  const durable = subState({ id: 7, clientId: 'b', durableName: 'd', isDurable: true, lastSent: 1 });
  writeFileSync(
    join(dir, 'bar.baz', 'subs.dat'),
    Uint8Array.from([
      ...VERSION,
      ...record(subStateProto(durable), 1),
      ...record([0x08, 7, 0x10, 2], 5),
      ...record([0x08, 7, 0x10, 3], 5),
      ...record([0x08, 7, 0x10, 2], 4),
      ...record(subStateProto(subState({ id: 8 })), 1),
      ...record([0x08, 8], 3),
    ]),
  );

  const { store, state } = await openFile(dir);
  try {
    assert.equal(state.info, serverInfo('go'));
    assert.equal(
      state.clients.map((c) => c.id),
      ['b'],
    );
    assert.is(state.channels.length, 1);
    const ch = state.channels[0]!;
    assert.is(ch.name, 'bar.baz');
    assert.equal(ch.msgs.state(), { firstSeq: 1, lastSeq: 3, msgs: 3, bytes: msgs.reduce((a, m) => a + m.length + 40, 0) });
    const two = ch.msgs.lookup(2)!;
    assert.equal([two.sequence, two.reply, Buffer.from(two.data).toString(), two.timestamp], [2, 'r', 'msg2', T0 + 2n]);
    assert.equal(ch.recovered, [{ state: { ...durable, lastSent: 3 }, pending: [3] }]);
    // Writing goes on in the same formats.
    assert.is(ch.msgs.store(enc('msg4'), '', T0 + 4n), 4);
    await store.flush();
    const m4 = msgProto(4, 'bar.baz', '', 'msg4', T0 + 4n);
    assert.equal(bytesOf(join(dir, 'bar.baz', 'msgs.1.dat')), [...dat, ...record(m4)]);
    assert.equal(bytesOf(join(dir, 'bar.baz', 'msgs.1.idx')), [...idx, ...indexRecord(4, dat.length, T0 + 4n, m4.length)]);
  } finally {
    await store.close();
  }
});

fmt('every file starts with the version header; bad versions are refused', async () => {
  const dir = tempDir();
  const { store } = await openFile(dir);
  store.init(serverInfo());
  store.createChannel('foo', limitsOf());
  await store.close();
  for (const f of ['server.dat', 'clients.dat', join('foo', 'subs.dat')]) {
    assert.equal(bytesOf(join(dir, f)).slice(0, 4), VERSION, f);
  }
  writeFileSync(join(dir, 'clients.dat'), Uint8Array.from(u32(2)));
  try {
    await openFile(dir);
    assert.unreachable('version 2 accepted');
  } catch (err) {
    assert.match((err as Error).message, 'unsupported file version: 2 (supports [1..1])');
    assert.match((err as Error).message, 'clients.dat');
  }
});

fmt.run();

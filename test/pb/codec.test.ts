// The pb and spb codecs (src/pb/protocol.ts, spb.ts, rules in codec.ts):
// the wire examples of STAN-REFERENCE Appendix B byte for byte, and every
// message round-tripped with its field numbers checked by the schema-free
// reader against the table below, typed from §3 independently of the
// .proto texts in src.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as pb from '../../src/pb/protocol.js';
import * as spb from '../../src/pb/spb.js';
import type { MessageCodec } from '../../src/pb/codec.js';
import { ProtoError } from '../../src/pb/wire.js';
import { plain, readFields, readPacked, unknownFields } from './wire-reader.js';

const test = suite('pb/codec');

type Kind = 'string' | 'bytes' | 'u64' | 'i64' | 'i32' | 'u32' | 'bool' | 'enum' | `msg:${string}`;
type FieldRow = [name: string, no: number, kind: Kind, repeated?: 'repeated'];

/** STAN-REFERENCE §3, field by field. */
const SCHEMA: Record<string, FieldRow[]> = {
  'pb.PubMsg': [['clientID', 1, 'string'], ['guid', 2, 'string'], ['subject', 3, 'string'], ['reply', 4, 'string'],
    ['data', 5, 'bytes'], ['connID', 6, 'bytes'], ['sha256', 10, 'bytes']],
  'pb.PubAck': [['guid', 1, 'string'], ['error', 2, 'string']],
  'pb.MsgProto': [['sequence', 1, 'u64'], ['subject', 2, 'string'], ['reply', 3, 'string'], ['data', 4, 'bytes'],
    ['timestamp', 5, 'i64'], ['redelivered', 6, 'bool'], ['redeliveryCount', 7, 'u32'], ['CRC32', 10, 'u32']],
  'pb.Ack': [['subject', 1, 'string'], ['sequence', 2, 'u64']],
  'pb.ConnectRequest': [['clientID', 1, 'string'], ['heartbeatInbox', 2, 'string'], ['protocol', 3, 'i32'],
    ['connID', 4, 'bytes'], ['pingInterval', 5, 'i32'], ['pingMaxOut', 6, 'i32']],
  'pb.ConnectResponse': [['pubPrefix', 1, 'string'], ['subRequests', 2, 'string'], ['unsubRequests', 3, 'string'],
    ['closeRequests', 4, 'string'], ['error', 5, 'string'], ['subCloseRequests', 6, 'string'],
    ['pingRequests', 7, 'string'], ['pingInterval', 8, 'i32'], ['pingMaxOut', 9, 'i32'], ['protocol', 10, 'i32'],
    ['publicKey', 100, 'string']],
  'pb.Ping': [['connID', 1, 'bytes']],
  'pb.PingResponse': [['error', 1, 'string']],
  'pb.SubscriptionRequest': [['clientID', 1, 'string'], ['subject', 2, 'string'], ['qGroup', 3, 'string'],
    ['inbox', 4, 'string'], ['maxInFlight', 5, 'i32'], ['ackWaitInSecs', 6, 'i32'], ['durableName', 7, 'string'],
    ['startPosition', 10, 'enum'], ['startSequence', 11, 'u64'], ['startTimeDelta', 12, 'i64']],
  'pb.SubscriptionResponse': [['ackInbox', 2, 'string'], ['error', 3, 'string']],
  'pb.UnsubscribeRequest': [['clientID', 1, 'string'], ['subject', 2, 'string'], ['inbox', 3, 'string'],
    ['durableName', 4, 'string']],
  'pb.CloseRequest': [['clientID', 1, 'string']],
  'pb.CloseResponse': [['error', 1, 'string']],
  'spb.SubState': [['ID', 1, 'u64'], ['clientID', 2, 'string'], ['qGroup', 3, 'string'], ['inbox', 4, 'string'],
    ['ackInbox', 5, 'string'], ['maxInFlight', 6, 'i32'], ['ackWaitInSecs', 7, 'i32'], ['durableName', 8, 'string'],
    ['lastSent', 9, 'u64'], ['isDurable', 10, 'bool'], ['isClosed', 11, 'bool']],
  'spb.SubStateDelete': [['ID', 1, 'u64']],
  'spb.SubStateUpdate': [['ID', 1, 'u64'], ['seqno', 2, 'u64']],
  'spb.ServerInfo': [['ClusterID', 1, 'string'], ['Discovery', 2, 'string'], ['Publish', 3, 'string'],
    ['Subscribe', 4, 'string'], ['Unsubscribe', 5, 'string'], ['Close', 6, 'string'], ['SubClose', 7, 'string'],
    ['AcksSubs', 8, 'string'], ['NodeID', 9, 'string']],
  'spb.ClientInfo': [['ID', 1, 'string'], ['HbInbox', 2, 'string'], ['ConnID', 3, 'bytes'], ['Protocol', 4, 'i32'],
    ['PingInterval', 5, 'i32'], ['PingMaxOut', 6, 'i32']],
  'spb.ClientDelete': [['ID', 1, 'string']],
  'spb.CtrlMsg': [['MsgType', 1, 'enum'], ['ServerID', 2, 'string'], ['Data', 3, 'bytes'], ['RefID', 4, 'string']],
  'spb.RaftJoinRequest': [['NodeID', 1, 'string'], ['NodeAddr', 2, 'string']],
  'spb.RaftJoinResponse': [['Error', 1, 'string']],
  'spb.RaftOperation': [['OpType', 1, 'enum'], ['PublishBatch', 2, 'msg:spb.Batch'], ['Sub', 3, 'msg:spb.AddSubscription'],
    ['Unsub', 4, 'msg:pb.UnsubscribeRequest'], ['SubSentAck', 5, 'msg:spb.SubSentAndAck'],
    ['ClientConnect', 7, 'msg:spb.AddClient'], ['ClientDisconnect', 8, 'msg:pb.CloseRequest'], ['Channel', 9, 'string'],
    ['ChannelID', 10, 'u64']],
  'spb.Batch': [['Messages', 1, 'msg:pb.MsgProto', 'repeated']],
  'spb.AddSubscription': [['Request', 1, 'msg:pb.SubscriptionRequest'], ['AckInbox', 2, 'string'], ['ID', 3, 'u64']],
  'spb.SubSentAndAck': [['Channel', 1, 'string'], ['AckInbox', 2, 'string'], ['Sent', 3, 'u64', 'repeated'],
    ['Ack', 4, 'u64', 'repeated']],
  'spb.AddClient': [['Request', 1, 'msg:pb.ConnectRequest'], ['Refresh', 2, 'bool']],
  'spb.RaftSnapshot': [['Clients', 1, 'msg:spb.ClientInfo', 'repeated'], ['Channels', 2, 'msg:spb.ChannelSnapshot', 'repeated'],
    ['Padding', 3, 'bytes']],
  'spb.ChannelSnapshot': [['Channel', 1, 'string'], ['First', 2, 'u64'], ['Last', 3, 'u64'],
    ['Subscriptions', 4, 'msg:spb.SubscriptionSnapshot', 'repeated'], ['NextSubID', 5, 'u64'], ['ChannelID', 6, 'u64']],
  'spb.SubscriptionSnapshot': [['State', 1, 'msg:spb.SubState'], ['AcksPending', 2, 'u64', 'repeated']],
};

function codecOf(name: string): MessageCodec<unknown> {
  const [pkg, msg] = name.split('.') as [string, string];
  const mod = (pkg === 'pb' ? pb : spb) as unknown as Record<string, MessageCodec<unknown>>;
  const c = mod[msg];
  if (!c) throw new Error(`no codec ${name}`);
  return c;
}

let counter = 0;

/** A value of the kind, distinct from every other one made (and from the default). */
function sampleValue(kind: Kind): unknown {
  const n = ++counter;
  switch (kind) {
    case 'string':
      return `s${n}-ü-✓-😀`;
    case 'bytes':
      return Buffer.from([n & 0xff, 0, 0xff, 0x80]);
    case 'u64':
      return 2 ** 40 + n;
    case 'i64':
      return -(1_700_000_000_000_000_000n + BigInt(n));
    case 'i32':
      return -n; // negative int32: a 10-byte varint, as Go writes it
    case 'u32':
      return 4_000_000_000 + n;
    case 'bool':
      return true;
    case 'enum':
      return 3;
    default:
      return sample(kind.slice(4));
  }
}

function sample(name: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [field, , kind, rep] of SCHEMA[name]!) {
    o[field] = rep ? [sampleValue(kind), sampleValue(kind)] : sampleValue(kind);
  }
  return o;
}

function expectScalar(kind: Kind, v: unknown): bigint | string {
  switch (kind) {
    case 'string':
      return Buffer.from(v as string).toString('hex');
    case 'bytes':
      return Buffer.from(v as Uint8Array).toString('hex');
    case 'bool':
      return v ? 1n : 0n;
    default:
      return BigInt.asUintN(64, BigInt(v as number | bigint));
  }
}

const WIRE_OF: Record<string, number> = { string: 2, bytes: 2, u64: 0, i64: 0, i32: 0, u32: 0, bool: 0, enum: 0 };

/** Checks bytes against the table: every field, its number, wire type and value, in field order. */
function verifyWire(name: string, obj: Record<string, unknown>, bytes: Uint8Array): void {
  const got = readFields(bytes);
  let i = 0;
  const rows = [...SCHEMA[name]!].sort((a, b) => a[1] - b[1]);
  for (const [field, no, kind, rep] of rows) {
    const where = `${name}.${field} (${no})`;
    const values = rep ? (obj[field] as unknown[]) : [obj[field]];
    const packed = rep && !kind.startsWith('msg:');
    const nFields = packed ? 1 : values.length;
    for (let k = 0; k < nFields; k++, i++) {
      const f = got[i];
      assert.ok(f, `${where}: missing`);
      assert.is(f!.field, no, `${where}: field number`);
      if (kind.startsWith('msg:')) {
        assert.is(f!.wireType, 2, `${where}: wire type`);
        verifyWire(kind.slice(4), values[k] as Record<string, unknown>, f!.value as Uint8Array);
      } else if (packed) {
        assert.is(f!.wireType, 2, `${where}: packed`);
        assert.equal(readPacked(f!.value as Uint8Array), values.map((v) => expectScalar(kind, v)), where);
      } else {
        assert.is(f!.wireType, WIRE_OF[kind], `${where}: wire type`);
        const raw = f!.value instanceof Uint8Array ? Buffer.from(f!.value).toString('hex') : f!.value;
        assert.is(raw, expectScalar(kind, values[k]), `${where}: value`);
      }
    }
  }
  assert.is(i, got.length, `${name}: extra fields`);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('Appendix B: wire examples byte for byte', () => {
  assert.is(pb.PingResponse.encode({}).length, 0);
  assert.is(pb.CloseResponse.encode({}).length, 0);
  assert.is(pb.SubscriptionResponse.encode({}).length, 0);
  assert.is(pb.PingResponse.encode({ error: '' }).length, 0);
  assert.is(pb.SubscriptionResponse.encode({ ackInbox: '', error: '' }).length, 0);
  assert.is(hex(pb.PubAck.encode({ guid: 'abc' })), '0a03616263');
  const err = 'stan: invalid publish request';
  assert.is(err.length, 29);
  assert.is(hex(pb.PubAck.encode({ guid: 'abc', error: err })), '0a03616263121d' + Buffer.from(err).toString('hex'));
  assert.is(hex(pb.Ack.encode({ subject: 'foo', sequence: 5 })), '0a03666f6f1005');
  assert.is(hex(pb.SubscriptionResponse.encode({ ackInbox: '_INBOX.x' })), '12085f494e424f582e78');
  assert.is(hex(pb.ConnectResponse.encode({ protocol: 1 })), '5001');
  assert.is(hex(spb.SubStateUpdate.encode({ ID: 1, seqno: 7 })), '08011007');
});

test('Appendix B: decoding the examples', () => {
  assert.equal(pb.PubAck.decode(Buffer.from('0a03616263', 'hex')), { guid: 'abc', error: '' });
  assert.equal(pb.Ack.decode(Buffer.from('0a03666f6f1005', 'hex')), { subject: 'foo', sequence: 5 });
  assert.equal(pb.SubscriptionResponse.decode(Buffer.from('12085f494e424f582e78', 'hex')), { ackInbox: '_INBOX.x', error: '' });
  assert.equal(pb.PingResponse.decode(new Uint8Array(0)), { error: '' });
});

test('every message: all-default encodes to 0 bytes and decodes to defaults', () => {
  for (const name of Object.keys(SCHEMA)) {
    const c = codecOf(name);
    assert.is(c.encode({}).length, 0, name);
    const zeros: Record<string, unknown> = {};
    for (const [field, , kind, rep] of SCHEMA[name]!) {
      zeros[field] = rep ? [] : { string: '', bytes: '', u64: 0, i64: 0n, i32: 0, u32: 0, bool: false, enum: 0 }[kind as string] ?? null;
      if (kind === 'bytes' && !rep) zeros[field] = new Uint8Array(0);
    }
    assert.is(c.encode(zeros).length, 0, `${name} with explicit zeros`);
    assert.equal(plain(c.decode(new Uint8Array(0))), plain(zeros), name);
    assert.equal(plain(c.defaults()), plain(zeros), name);
  }
});

test('every message: field numbers, wire types and values, then round trip', () => {
  for (const name of Object.keys(SCHEMA)) {
    const c = codecOf(name);
    const obj = sample(name);
    const bytes = c.encode(obj);
    verifyWire(name, obj, bytes);
    assert.equal(plain(c.decode(bytes)), plain(obj), name);
    assert.ok(Buffer.isBuffer(bytes), `${name}: encode gives a Buffer`);
  }
});

test('every message: unknown fields of every wire type are skipped', () => {
  for (const name of Object.keys(SCHEMA)) {
    const c = codecOf(name);
    const obj = sample(name);
    const bytes = Buffer.concat([unknownFields(), c.encode(obj), unknownFields()]);
    const got = c.decode(bytes) as Record<string, unknown>;
    assert.equal(plain(got), plain(obj), name);
    assert.not.ok('$unknowns' in got, name);
  }
});

test('64-bit mapping: uint64 -> number, int64 -> bigint, at the edges', () => {
  const edges: [number, bigint][] = [
    [1, -1n],
    [2 ** 32, -(2n ** 63n)],
    [2 ** 53 - 1, 2n ** 63n - 1n],
    [127, 1_700_000_000_123_456_789n],
  ];
  for (const [seq, ts] of edges) {
    const m = pb.MsgProto.decode(pb.MsgProto.encode({ sequence: seq, timestamp: ts }));
    assert.is(m.sequence, seq);
    assert.is(m.timestamp, ts);
  }
  // int64 given as a number, uint64 given as a bigint
  assert.is(hex(pb.MsgProto.encode({ sequence: 5n as unknown as number, timestamp: -1 })), '0805' + '28ffffffffffffffffff01');
  assert.throws(() => pb.Ack.encode({ sequence: -1 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => pb.MsgProto.encode({ timestamp: 2n ** 63n }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => pb.Ack.encode({ sequence: 1.5 }), (e: unknown) => e instanceof TypeError);
  // uint64 above 2^53 decodes to the nearest double, still above every real sequence
  assert.is(pb.Ack.decode(Buffer.from('10ffffffffffffffffff01', 'hex')).sequence, 2 ** 64);
});

test('nested messages: partial inits, null and absent', () => {
  const op = spb.RaftOperation.decode(
    spb.RaftOperation.encode({
      OpType: spb.RaftOperationType.Subscribe,
      Sub: { Request: { clientID: 'me', startPosition: pb.StartPosition.First, startTimeDelta: 10n }, ID: 3 },
      ClientDisconnect: null,
      PublishBatch: { Messages: [{ sequence: 1 }, {}] },
    }),
  );
  assert.is(op.Sub?.Request?.clientID, 'me');
  assert.is(op.Sub?.Request?.startTimeDelta, 10n);
  assert.is(op.Sub?.ID, 3);
  assert.is(op.ClientDisconnect, null);
  assert.is(op.Unsub, null);
  assert.equal(op.PublishBatch?.Messages.map((m) => m.sequence), [1, 0]);
  // a present but empty sub-message is kept (tag + zero length), as Go keeps a non-nil pointer
  assert.is(hex(spb.AddClient.encode({ Request: {} })), '0a00');
  assert.equal(spb.AddClient.decode(Buffer.from('0a00', 'hex')).Request, pb.ConnectRequest.defaults());
});

test('repeated uint64 are packed and keep zeros', () => {
  const bytes = spb.SubSentAndAck.encode({ Sent: [0, 1, 2 ** 40], Ack: [] });
  assert.is(hex(bytes), '1a080001808080808020');
  assert.equal(spb.SubSentAndAck.decode(bytes).Sent, [0, 1, 2 ** 40]);
  // unpacked input is accepted too
  assert.equal(spb.SubSentAndAck.decode(Buffer.from('18011802', 'hex')).Sent, [1, 2]);
});

test('strings: lone surrogates are written as U+FFFD, as Buffer does', () => {
  for (const s of ['a\ud800b', '\udc00', 'x'.repeat(50) + '\ud83d']) {
    assert.is(hex(pb.PubAck.encode({ guid: s })), '0a' + Buffer.from([Buffer.byteLength(s)]).toString('hex') + hex(Buffer.from(s)));
  }
});

test('malformed input throws ProtoError', () => {
  for (const h of ['0a05616263', '0a', '10', '10ff', '0e', '0f']) {
    assert.throws(() => pb.Ack.decode(Buffer.from(h, 'hex')), (e: unknown) => e instanceof ProtoError && /pb\.Ack/.test((e as Error).message), h);
  }
  // a nested message whose own length runs past its parent's
  assert.throws(() => spb.RaftOperation.decode(Buffer.from('1a050a050a0161', 'hex')), (e: unknown) => e instanceof ProtoError);
});

test('strings: invalid UTF-8 decodes to U+FFFD instead of failing (gogo does not validate)', () => {
  assert.equal(pb.Ack.decode(Buffer.from('0a03ff61801002', 'hex')), { subject: '\ufffda\ufffd', sequence: 2 });
});

test.run();

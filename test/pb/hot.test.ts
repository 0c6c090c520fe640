// The codecs of the hot messages, hand-written (src/pb/hot.ts: PubMsg, Ack
// and MsgProto in, MsgProto out) or generated where bench/pb.ts chose it
// (PubAck out), against protobufjs (src/pb/reflect.ts) as the reference,
// in the style of crc32fast's fast == slow property: a seeded random set of
// messages must give the same bytes and the same decoded values; malformed
// input must throw ProtoError (never return garbage or hang); unknown
// fields are skipped.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as pb from '../../src/pb/protocol.js';
import {
  decodeAck,
  decodeMsgProto,
  decodePubMsg,
  encodeMsgProto,
  msgProtoSize,
} from '../../src/pb/hot.js';
import { reference } from '../../src/pb/reflect.js';
import { ProtoError } from '../../src/pb/wire.js';
import { LONG, rng } from '../helpers/cores.js';
import { plain, readFields, tagBytes, unknownFields, varintBytes } from './wire-reader.js';

/** protobufjs's codecs (reflect.ts), the reference the hand-written ones must equal. */
const pbjs = {
  PubMsg: reference<pb.PubMsg>('pb.PubMsg'),
  PubAck: reference<pb.PubAck>('pb.PubAck'),
  MsgProto: reference<pb.MsgProto>('pb.MsgProto'),
  Ack: reference<pb.Ack>('pb.Ack'),
};

const test = suite('pb/hot');

const MIB = 1 << 20;
const ROUNDS = LONG ? 100_000 : 2_000;

const isProtoError = (e: unknown) => e instanceof ProtoError;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Random values for one seeded run. */
function gen(seed: number) {
  const next = rng(seed);
  const below = (n: number) => next() % n;
  const pool = Buffer.allocUnsafe(MIB);
  for (let i = 0; i < MIB; i++) pool[i] = next() & 0xff;
  const ALPHABETS = [
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.>*',
    'àéîõüßçÆØÅñ',
    'дждщ日本語中文한국어✓€',
    '😀🎉𝄞🚀',
  ];
  const chars = (s: string) => [...s];
  const sets = ALPHABETS.map(chars);
  function str(lone = false): string {
    const r = below(10);
    if (r < 2) return '';
    const n = r < 8 ? 1 + below(24) : 1 + below(200); // beyond the JS/native and intern-cache cut-offs
    const set = sets[below(10) < 7 ? 0 : below(sets.length)]!;
    let s = '';
    for (let i = 0; i < n; i++) s += set[below(set.length)];
    if (lone && below(20) === 0) s += below(2) ? '\ud800' : '\udc00';
    return s;
  }
  /** A few strings that repeat, as client IDs and channels do (the intern cache's case). */
  const repeated = Array.from({ length: 50 }, () => str() || 'x');
  const name = () => (below(3) === 0 ? str() : repeated[below(repeated.length)]!);
  function bytes(): Uint8Array {
    const r = below(200);
    if (r < 40) return new Uint8Array(0);
    const n = r === 0 + 199 ? 1 + below(MIB - 1) : r > 190 ? 1 + below(64 * 1024) : 1 + below(300);
    const at = below(MIB - n + 1);
    return pool.subarray(at, at + n);
  }
  function seq(): number {
    switch (below(8)) {
      case 0:
        return 0;
      case 1:
        return [1, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 53 - 1][below(11)]!;
      case 2:
        return Math.floor((next() / 2 ** 32) * 2 ** 53);
      default:
        return next();
    }
  }
  function ts(): bigint {
    switch (below(10)) {
      case 0:
        return 0n;
      case 1:
        return [-1n, 1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n, -(2n ** 32n), 2n ** 56n][below(7)]!;
      case 2:
        return -BigInt(next()) * BigInt(next() >>> 1);
      default:
        return 1_700_000_000_000_000_000n + BigInt(next()) * BigInt(next() & 0xffff);
    }
  }
  const u32 = () => (below(3) === 0 ? 0 : below(2) ? below(10) : next());
  return { next, below, str, name, bytes, seq, ts, u32 };
}

test('PubMsg: decodePubMsg == protobufjs on a seeded random set', () => {
  const g = gen(1);
  const unknown = unknownFields();
  for (let i = 0; i < ROUNDS; i++) {
    const m = {
      clientID: g.name(),
      guid: g.str(),
      subject: g.name(),
      reply: g.str(),
      data: g.bytes(),
      connID: g.below(2) ? Buffer.from(g.str()) : new Uint8Array(0),
      sha256: g.below(5) === 0 ? g.bytes() : new Uint8Array(0),
    };
    let bytes: Uint8Array = pbjs.PubMsg.encode(m);
    if (g.below(10) === 0) bytes = Buffer.concat([unknown, bytes, unknown]);
    const ref = pbjs.PubMsg.decode(bytes);
    const got = decodePubMsg(bytes);
    const { sha256: _, ...want } = ref;
    assert.equal(plain(got), plain(want), `round ${i}`);
    // a view, not a copy
    if (got.data.length) assert.is(got.data.buffer, bytes.buffer, `round ${i}: data is a view`);
    // at an offset inside a larger buffer, given as a plain Uint8Array
    const big = new Uint8Array(bytes.length + 9).fill(0xff);
    big.set(bytes, 4);
    assert.equal(plain(decodePubMsg(big, 4, bytes.length)), plain(want), `round ${i} at offset`);
  }
});

test('PubAck: the generated encode == protobufjs on a seeded random set', () => {
  const g = gen(2);
  for (let i = 0; i < ROUNDS; i++) {
    const guid = g.str(true);
    const error = g.below(3) === 0 ? g.str(true) : '';
    const want = hex(pbjs.PubAck.encode({ guid, error }));
    assert.is(hex(pb.PubAck.encode({ guid, error })), want, `round ${i}`);
  }
});

test('MsgProto: encodeMsgProto and msgProtoSize == protobufjs, decodeMsgProto inverts', () => {
  const g = gen(3);
  let out = Buffer.alloc(2 * MIB);
  for (let i = 0; i < ROUNDS; i++) {
    const m = {
      sequence: g.seq(),
      subject: g.name(),
      reply: g.below(4) === 0 ? g.str(true) : '',
      data: g.bytes(),
      timestamp: g.ts(),
      redelivered: g.below(4) === 0,
      redeliveryCount: g.u32(),
    };
    const want = pbjs.MsgProto.encode(m);
    const size = msgProtoSize(m.sequence, m.subject, m.reply, m.data, m.timestamp, m.redelivered, m.redeliveryCount);
    assert.is(size, want.length, `round ${i}: size`);
    const at = g.below(16);
    if (out.length < at + size) out = Buffer.alloc(at + size);
    const subject = g.below(2) ? m.subject : Buffer.from(m.subject); // pre-encoded channel name
    const end = encodeMsgProto(out, at, m.sequence, subject, m.reply, m.data, m.timestamp, m.redelivered, m.redeliveryCount);
    assert.is(end, at + size, `round ${i}: end`);
    const got = out.subarray(at, end);
    if (!got.equals(want)) assert.is(hex(got), hex(want), `round ${i}: bytes`);
    // decodeMsgProto == protobufjs decode (which covers CRC32 and unknown fields too)
    const withCrc = Buffer.concat([want, g.below(8) === 0 ? Buffer.from([0x50, ...varintBytes(g.next())]) : Buffer.alloc(0)]);
    assert.equal(plain(decodeMsgProto(withCrc)), plain(pbjs.MsgProto.decode(withCrc)), `round ${i}: decode`);
  }
});

test('Ack: decodeAck == protobufjs on a seeded random set', () => {
  const g = gen(4);
  const unknown = unknownFields();
  for (let i = 0; i < ROUNDS; i++) {
    const m = { subject: g.name(), sequence: g.seq() };
    let bytes: Uint8Array = pbjs.Ack.encode(m);
    if (g.below(10) === 0) bytes = Buffer.concat([unknown, bytes, unknown]);
    assert.equal(decodeAck(bytes), pbjs.Ack.decode(bytes), `round ${i}`);
  }
});

test('MsgProto: 64-bit edges byte for byte', () => {
  const out = Buffer.alloc(64);
  const cases: [number, bigint, string][] = [
    [1, 1_700_000_000_123_456_789n, '0801' + '28959a97ece39fe7cb17'],
    [2 ** 53 - 1, -1n, '08ffffffffffffff0f' + '28ffffffffffffffffff01'],
    [2 ** 32, -(2n ** 63n), '088080808010' + '2880808080808080808001'],
    [0, 2n ** 63n - 1n, '28ffffffffffffffff7f'],
  ];
  for (const [seq, ts, want] of cases) {
    assert.is(hex(pbjs.MsgProto.encode({ sequence: seq, timestamp: ts })), want, `protobufjs ${seq} ${ts}`);
    const end = encodeMsgProto(out, 0, seq, '', '', new Uint8Array(0), ts, false, 0);
    assert.is(hex(out.subarray(0, end)), want, `fast ${seq} ${ts}`);
    const back = decodeMsgProto(out, 0, end);
    assert.is(back.sequence, seq);
    assert.is(back.timestamp, ts);
  }
  assert.is(encodeMsgProto(out, 5, 0, '', '', new Uint8Array(0), 0n, false, 0), 5, 'all defaults: no bytes');
});

test('encodeMsgProto throws RangeError when the buffer is too small', () => {
  const data = Buffer.alloc(100, 7);
  const size = msgProtoSize(9, 'foo', '', data, 5n, true, 1);
  const isRange = (e: unknown) => e instanceof RangeError;
  for (const room of [0, 1, 10, size - 1]) {
    assert.throws(() => encodeMsgProto(Buffer.alloc(room), 0, 9, 'foo', '', data, 5n, true, 1), isRange, `room ${room}`);
  }
  assert.throws(() => encodeMsgProto(Buffer.alloc(size), 1, 9, 'foo', '', data, 5n, true, 1), isRange);
});

test('decoders skip unknown fields of every wire type, field numbers up to 2^29-1', () => {
  const u = unknownFields();
  const pub = pbjs.PubMsg.encode({ clientID: 'me', guid: 'g1', subject: 'foo', data: Buffer.from('hi') });
  const p = decodePubMsg(Buffer.concat([u, pub, u]));
  assert.equal([p.clientID, p.guid, p.subject, hex(p.data)], ['me', 'g1', 'foo', '6869']);
  assert.equal(decodeAck(Buffer.concat([u, Buffer.from('0a03666f6f1005', 'hex'), u])), { subject: 'foo', sequence: 5 });
  const msg = decodeMsgProto(Buffer.concat([u, Buffer.from('0807', 'hex'), u]));
  assert.is(msg.sequence, 7);
});

/** Hand-made malformed inputs: [decoder, hex, what]. */
const MALFORMED: [string, string, string][] = [
  ['pub', '0a', 'tag without its length'],
  ['pub', '0a05616263', 'length past the end'],
  ['pub', '0aff', 'truncated length varint'],
  ['pub', '0affffffff0f', 'huge length'],
  ['pub', '80', 'truncated tag'],
  ['pub', '0801', 'clientID as a varint'],
  ['pub', '2d00000000', 'data as fixed32'],
  ['pub', '5001', 'sha256 as a varint'],
  ['pub', '00', 'field number 0'],
  ['pub', '0e', 'wire type 6'],
  ['pub', '0f', 'wire type 7'],
  ['pub', '0c', 'end group without a start'],
  ['pub', '9b0108011c', 'group closed by another field number'],
  ['pub', '9b010801', 'unterminated group'],
  ['pub', '9b01', 'group start at the end'],
  ['pub', '9b019b01a40101', 'inner group left open'],
  ['pub', '79' + '01020304', 'truncated fixed64'],
  ['pub', '7d' + '0102', 'truncated fixed32'],
  ['pub', '78' + 'ff'.repeat(10) + '01', 'varint longer than 10 bytes'],
  ['ack', '10', 'sequence without a value'],
  ['ack', '10' + 'ff'.repeat(10), 'truncated 10-byte varint'],
  ['ack', '10' + 'ff'.repeat(10) + '01', 'varint longer than 10 bytes'],
  ['ack', '0d00000000', 'subject as fixed32'],
  ['ack', '120100', 'sequence as bytes'],
  ['ack', '0a03666f', 'short subject'],
  ['msg', '28' + 'ff'.repeat(9), 'truncated timestamp'],
  ['msg', '2a00', 'timestamp as bytes'],
  ['msg', '3101020304050607', 'redelivered as a short fixed64'],
  ['msg', '220a0102', 'data past the end'],
];

const DECODERS: Record<string, (b: Uint8Array) => unknown> = { pub: decodePubMsg, ack: decodeAck, msg: decodeMsgProto };

test('malformed input throws ProtoError', () => {
  for (const [which, h, what] of MALFORMED) {
    const bytes = Buffer.from(h, 'hex');
    assert.throws(() => DECODERS[which]!(bytes), isProtoError, `${which} ${h}: ${what}`);
  }
  assert.throws(() => decodePubMsg(Buffer.alloc(4), 2, 3), (e: unknown) => e instanceof RangeError);
  assert.throws(() => decodeAck(Buffer.alloc(4), -1, 2), (e: unknown) => e instanceof RangeError);
});

test('every truncation of a valid message: a field-boundary prefix or ProtoError', () => {
  const g = gen(5);
  for (let r = 0; r < 200; r++) {
    const bytes = pbjs.PubMsg.encode({ clientID: g.name(), guid: g.str(), subject: g.name(), reply: g.str(), data: g.bytes().subarray(0, 40), connID: Buffer.from('cid') });
    const ends = new Set([0, ...readFields(bytes).map((f) => f.end)]);
    for (let cut = 0; cut < bytes.length; cut++) {
      if (ends.has(cut)) {
        const { sha256: _, ...want } = pbjs.PubMsg.decode(bytes.subarray(0, cut));
        assert.equal(plain(decodePubMsg(bytes, 0, cut)), plain(want));
      } else {
        assert.throws(() => decodePubMsg(bytes, 0, cut), isProtoError, `cut ${cut} of ${hex(bytes)}`);
      }
    }
  }
});

test('random mutations: ProtoError or the value protobufjs reads, never anything else', () => {
  const g = gen(6);
  const rounds = LONG ? 200_000 : 5_000;
  for (let r = 0; r < rounds; r++) {
    const bytes = Buffer.from(
      pbjs.PubMsg.encode({ clientID: g.name(), guid: g.str(), subject: g.name(), data: g.bytes().subarray(0, 30), sha256: g.below(3) ? Buffer.alloc(0) : Buffer.from('s') }),
    );
    for (let k = 1 + g.below(3); k > 0 && bytes.length; k--) bytes[g.below(bytes.length)] = g.next() & 0xff;
    let got: unknown;
    try {
      got = decodePubMsg(bytes);
    } catch (e) {
      assert.ok(isProtoError(e), `round ${r}: ${String(e)}`);
      continue;
    }
    let ref: pb.PubMsg;
    try {
      ref = pbjs.PubMsg.decode(bytes);
    } catch (e) {
      assert.unreachable(`round ${r}: protobufjs rejects ${hex(bytes)} (${String(e)}), fast accepted it`);
      return;
    }
    const { sha256: _, ...want } = ref;
    assert.equal(plain(got), plain(want), `round ${r}: ${hex(bytes)}`);
  }
});

test('decoded strings: same bytes give the same string, across intern-cache collisions', () => {
  const names = Array.from({ length: 2000 }, (_, i) => `client-${i}`);
  for (let pass = 0; pass < 2; pass++) {
    for (const n of names) {
      const a = decodeAck(pbjs.Ack.encode({ subject: n, sequence: 1 }));
      assert.is(a.subject, n);
    }
  }
  // tags built by hand for a long varint-length string, past the cache cut-off
  const long = 'é'.repeat(100);
  const b = Buffer.from([...tagBytes(1, 2), ...varintBytes(Buffer.byteLength(long)), ...Buffer.from(long)]);
  assert.is(decodeAck(b).subject, long);
});

test.run();

// The generated codecs (src/pb/protocol.ts, spb.ts) against protobufjs
// (src/pb/reflect.ts): for every message of pb and spb, the same bytes on
// encode and the same values on decode over seeded random messages (edge
// values, lone surrogates, nested and repeated fields, unknown fields
// appended); errors named after the message; protobufjs never loaded by
// them; and the checked-in code is what scripts/gen-pb.mjs generates.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type protobuf from 'protobufjs';
import type { MessageCodec } from '../../src/pb/codec.js';
import * as pb from '../../src/pb/protocol.js';
import { reference, spbRoot } from '../../src/pb/reflect.js';
import * as spb from '../../src/pb/spb.js';
import { ProtoError } from '../../src/pb/wire.js';
import { LONG, rng } from '../helpers/cores.js';
import { plain } from './wire-reader.js';

const test = suite('pb/generated');
const ROUNDS = LONG ? 2_000 : 100;
/** The repository (tests run from dist/test/pb). */
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Rec = Record<string, unknown>;

/** Every message type of both schemas, by full name ("pb.PubMsg"). */
function messageTypes(): protobuf.Type[] {
  const out: protobuf.Type[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const o of ns.nestedArray) {
      if ('fieldsArray' in o) out.push(o as protobuf.Type);
      if ('nestedArray' in o) visit(o as protobuf.NamespaceBase);
    }
  };
  visit(spbRoot());
  return out;
}

function generated(t: protobuf.Type): MessageCodec<Rec> {
  const [pkg, name] = t.fullName.slice(1).split('.') as [string, string];
  const c = ((pkg === 'pb' ? pb : spb) as unknown as Record<string, MessageCodec<Rec>>)[name];
  if (c === undefined) throw new Error(`no generated codec for ${t.fullName}`);
  return c;
}

/** A random scalar of a protobuf type, edge values often. */
function scalar(type: string, isEnum: boolean, next: () => number): unknown {
  const pick = next() % 8;
  if (isEnum) return [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), next() | 0, 300, 4][pick]!;
  switch (type) {
    case 'string': {
      const pool = ['', 'a', 'foo.bar', 'héllo wörld', '日本語', '😀x', '\ud800lone', 'x\udc00', 'z'.repeat(200)];
      return pick === 0 ? '' : pool[next() % pool.length]! + (next() % 3 === 0 ? String(next()) : '');
    }
    case 'bytes':
      return pick === 0 ? new Uint8Array(0) : Uint8Array.from({ length: next() % 300 }, () => next() & 0xff);
    case 'uint64':
      return [0, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, next() * 1000][pick]!;
    case 'int64':
      return [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(next()) * 1_000_000n, -BigInt(next()), 1_700_000_000_000_000_000n][pick]!;
    case 'int32':
      return [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), next() | 0, 300, 4][pick]!;
    case 'uint32':
      return [0, 1, 2 ** 32 - 1, next() >>> 0, 128, 16384, 7, 2 ** 31][pick]!;
    case 'bool':
      return pick % 2 === 0;
    default:
      throw new Error(`no sample for ${type}`);
  }
}

/** A random message of t: fields absent, null, or set; nested ones to a few levels. */
function sample(t: protobuf.Type, next: () => number, depth = 0): Rec {
  const m: Rec = {};
  for (const f of t.fieldsArray) {
    if (next() % 4 === 0) continue;
    const sub = f.resolvedType !== null && 'fieldsArray' in f.resolvedType ? (f.resolvedType as protobuf.Type) : undefined;
    const one = () => (sub ? sample(sub, next, depth + 1) : scalar(f.type, f.resolvedType !== null, next));
    if (f.repeated) m[f.name] = Array.from({ length: depth > 2 ? 0 : next() % 4 }, one);
    else if (sub) m[f.name] = depth > 2 || next() % 3 === 0 ? null : one();
    else m[f.name] = one();
  }
  return m;
}

const show = (m: unknown) => JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

test('every message: the same bytes as protobufjs on encode, the same values on decode', () => {
  const next = rng(0x9e4e);
  const types = messageTypes();
  assert.ok(types.length >= 30, `${types.length} message types`);
  for (const t of types) {
    const name = t.fullName.slice(1);
    const mine = generated(t);
    const theirs = reference<Rec>(name);
    assert.equal(plain(mine.defaults()), plain(theirs.defaults()), `${name} defaults`);
    assert.equal(plain(mine.decode(new Uint8Array(0))), plain(theirs.defaults()), `${name} empty`);
    for (let i = 0; i < ROUNDS; i++) {
      const m = sample(t, next);
      const a = mine.encode(m);
      const b = theirs.encode(m);
      if (!a.equals(b)) assert.is(a.toString('hex'), b.toString('hex'), `${name} round ${i}: encode ${show(m)}`);
      assert.equal(plain(mine.decode(b)), plain(theirs.decode(b)), `${name} round ${i}: decode`);
      // An unknown field (number 15, varint) and an unknown group after the known ones.
      const extended = Buffer.concat([b, Buffer.from([0x78, 0x96, 0x01, 0xfb, 0x03, 0x08, 0x01, 0xfc, 0x03])]);
      assert.equal(plain(mine.decode(extended)), plain(theirs.decode(b)), `${name} round ${i}: unknown fields`);
      // at an offset inside a larger buffer, given as a plain Uint8Array
      const big = new Uint8Array(b.length + 9).fill(0xff);
      big.set(b, 4);
      assert.equal(plain(mine.decode(big, 4, b.length)), plain(theirs.decode(b)), `${name} round ${i}: at an offset`);
    }
  }
});

test('decode: a range outside the buffer is a RangeError', () => {
  assert.throws(() => pb.MsgProto.decode(Buffer.alloc(4), 2, 3), (e: unknown) => e instanceof RangeError);
  assert.throws(() => pb.MsgProto.decode(Buffer.alloc(4), -1, 2), (e: unknown) => e instanceof RangeError);
});

test('decode: malformed input is a ProtoError naming the message; a known field with the wrong wire type too', () => {
  for (const bad of [[0x0a, 0x05, 0x61], [0x0a], [0x80], [0x08, 0x01], [0x07]]) {
    try {
      spb.ServerInfo.decode(Buffer.from(bad));
      assert.unreachable(`decoded ${bad}`);
    } catch (err) {
      assert.instance(err, ProtoError);
      assert.match((err as Error).message, /^spb\.ServerInfo: malformed message: /);
    }
  }
  // nested: the outer message is named once
  assert.throws(
    () => spb.RaftOperation.decode(Buffer.from('1a050a050a0161', 'hex')),
    (e: unknown) => e instanceof ProtoError && /^spb\.RaftOperation: malformed message: protobuf:/.test((e as Error).message),
  );
});

test('encode: wrong types and out-of-range integers are refused before any byte is written', () => {
  const c = spb.SubState as unknown as MessageCodec<Rec>;
  assert.throws(() => c.encode({ ID: 1.5 }), /spb\.SubState: ID must be an integer/);
  assert.throws(() => c.encode({ ID: -1 }), /spb\.SubState: ID = -1 is out of range/);
  assert.throws(() => c.encode({ ID: 2n ** 64n }), /out of range/);
  assert.throws(() => c.encode({ maxInFlight: 'x' }), /maxInFlight must be an integer/);
  assert.throws(() => (spb.SubSentAndAck as unknown as MessageCodec<Rec>).encode({ Sent: [1, -2] }), /spb\.SubSentAndAck: Sent = -2 is out of range/);
});

test('the generated and hand-written codecs do not load protobufjs', () => {
  const src = join(REPO, 'dist', 'src');
  const script = `
    import { createRequire } from 'node:module';
    const pb = await import(${JSON.stringify(join(src, 'pb', 'protocol.js'))});
    const spb = await import(${JSON.stringify(join(src, 'pb', 'spb.js'))});
    const hot = await import(${JSON.stringify(join(src, 'pb', 'hot.js'))});
    await import(${JSON.stringify(join(src, 'streaming', 'codec.js'))});
    pb.ConnectRequest.decode(pb.ConnectRequest.encode({ clientID: 'me', protocol: 1 }));
    spb.RaftOperation.decode(spb.RaftOperation.encode({ Sub: { Request: { clientID: 'me' } } }));
    hot.decodePubMsg(pb.PubMsg.encode({ guid: 'g' }));
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('protobufjs'));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), []);
});

test('the checked-in codecs are what scripts/gen-pb.mjs generates from the .proto files', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'gen-pb.mjs'), '--check'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

test.run();

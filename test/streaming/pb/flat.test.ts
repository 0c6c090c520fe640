// The flat codecs (src/streaming/pb/flat.ts) against protobufjs (codec.ts),
// which they replace at run time: for every flat message of pb and spb,
// the same fields as protobufjs reflects, the same bytes on encode, the
// same values on decode, over seeded random messages (edge values, lone
// surrogates, unknown fields appended).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { messageCodec } from '../../../src/streaming/pb/codec.js';
import { flatCodec, flatSchemas, type FlatField } from '../../../src/streaming/pb/flat.js';
import { PB_PROTO, pbRoot } from '../../../src/streaming/pb/protocol.js';
import { SPB_PROTO, spbRoot } from '../../../src/streaming/pb/spb.js';
import { ProtoError } from '../../../src/streaming/pb/wire.js';
import { LONG, rng } from '../../helpers/cores.js';
import { plain } from './wire-reader.js';

const test = suite('streaming/pb/flat');
const ROUNDS = LONG ? 20_000 : 1_000;

const flat = flatSchemas(PB_PROTO, SPB_PROTO);
const root = spbRoot();

test('the flat subset is every message without message-typed or repeated fields, as protobufjs reflects them', () => {
  const want: string[] = [];
  const visit = (ns: { nestedArray: unknown[] }, prefix: string) => {
    for (const o of ns.nestedArray as { name: string; fieldsArray?: { repeated: boolean; resolvedType: unknown; type: string }[]; nestedArray?: unknown[] }[]) {
      if (o.fieldsArray !== undefined) {
        const isFlat = o.fieldsArray.every((f) => !f.repeated && (f.resolvedType === null || (f.resolvedType as { values?: object }).values !== undefined));
        if (isFlat) want.push(`${prefix}${o.name}`);
      }
      if (o.nestedArray !== undefined && o.fieldsArray === undefined) visit(o as { nestedArray: unknown[] }, `${prefix}${o.name}.`);
    }
  };
  visit(root, '');
  assert.equal([...flat.keys()].sort(), want.sort());
  assert.ok(flat.has('spb.ServerInfo') && flat.has('spb.SubState') && flat.has('pb.SubscriptionRequest'));
  assert.not.ok(flat.has('spb.RaftOperation'), 'message-typed fields need protobufjs');
  for (const [name, fields] of flat) {
    const t = root.lookupType(name);
    const got = fields.map((f) => [f.name, f.num, f.kind]);
    const ref = t.fieldsArray
      .slice()
      .sort((a, b) => a.id - b.id)
      .map((f) => [f.name, f.id, f.resolvedType ? 'enum' : f.type]);
    assert.equal(got, ref, name);
  }
});

/** A random value of a field's kind, edge values often. */
function value(f: FlatField, next: () => number): unknown {
  const r = next();
  const pick = r % 8;
  switch (f.kind) {
    case 'string': {
      const pool = ['', 'a', 'foo.bar', 'héllo wörld', '日本語', '😀x', '\ud800lone', 'x\udc00', 'z'.repeat(200)];
      return pick === 0 ? '' : pool[next() % pool.length]! + (next() % 3 === 0 ? String(next()) : '');
    }
    case 'bytes':
      return pick === 0 ? new Uint8Array(0) : Uint8Array.from({ length: next() % 300 }, () => next() & 0xff);
    case 'uint64':
      return [0, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, next(), next() * 1000][pick]!;
    case 'int64':
      return [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(next()) * 1_000_000n, -BigInt(next()), 1_700_000_000_000_000_000n][pick]!;
    case 'int32':
    case 'enum':
      return [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), next() | 0, 300, 4][pick]!;
    case 'uint32':
      return [0, 1, 2 ** 32 - 1, next() >>> 0, 128, 16384, 7, 2 ** 31][pick]!;
    case 'bool':
      return pick % 2 === 0;
  }
}

test('encode: the same bytes as protobufjs; decode: the same values, unknown fields skipped', () => {
  const next = rng(0xf1a7);
  for (const [name, fields] of flat) {
    const mine = flatCodec<Record<string, unknown>>(name, fields, () => root.lookupType(name));
    const theirs = messageCodec<Record<string, unknown>>(spbRoot, name);
    assert.equal(plain(mine.defaults()), plain(theirs.defaults()), `${name} defaults`);
    for (let i = 0; i < ROUNDS / 10; i++) {
      const m: Record<string, unknown> = {};
      for (const f of fields) if (next() % 4 !== 0) m[f.name] = value(f, next);
      const a = mine.encode(m);
      const b = theirs.encode(m);
      assert.is(a.toString('hex'), b.toString('hex'), `${name} round ${i}: encode ${JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      assert.equal(plain(mine.decode(b)), plain(theirs.decode(b)), `${name} round ${i}: decode`);
      // An unknown field (number 15, varint) and an unknown group after the known ones.
      const extended = Buffer.concat([b, Buffer.from([0x78, 0x96, 0x01, 0xfb, 0x03, 0x08, 0x01, 0xfc, 0x03])]);
      assert.equal(plain(mine.decode(extended)), plain(theirs.decode(b)), `${name} round ${i}: unknown fields`);
    }
  }
});

test('decode: malformed input is a ProtoError naming the message; a known field with the wrong wire type too', () => {
  const c = flatCodec<Record<string, unknown>>('spb.ServerInfo', flat.get('spb.ServerInfo')!, () => root.lookupType('spb.ServerInfo'));
  for (const bad of [[0x0a, 0x05, 0x61], [0x0a], [0x80], [0x08, 0x01], [0x07]]) {
    try {
      c.decode(Buffer.from(bad));
      assert.unreachable(`decoded ${bad}`);
    } catch (err) {
      assert.instance(err, ProtoError);
      assert.match((err as Error).message, /^spb\.ServerInfo: malformed message: /);
    }
  }
});

test('encode: wrong types and out-of-range integers are refused before any byte is written', () => {
  const c = flatCodec<Record<string, unknown>>('spb.SubState', flat.get('spb.SubState')!, () => root.lookupType('spb.SubState'));
  assert.throws(() => c.encode({ ID: 1.5 }), /spb\.SubState: ID must be an integer/);
  assert.throws(() => c.encode({ ID: -1 }), /spb\.SubState: ID = -1 is out of range/);
  assert.throws(() => c.encode({ ID: 2n ** 64n }), /out of range/);
  assert.throws(() => c.encode({ maxInFlight: 'x' }), /maxInFlight must be an integer/);
});

test('the codecs in use come from the flat tables (protobufjs stays unloaded for them)', async () => {
  const { ServerInfo } = await import('../../../src/streaming/pb/spb.js');
  const { ConnectRequest } = await import('../../../src/streaming/pb/protocol.js');
  const b = ServerInfo.encode({ ClusterID: 'c', NodeID: 'n' });
  assert.equal(ServerInfo.decode(b).ClusterID, 'c');
  assert.equal(ConnectRequest.decode(ConnectRequest.encode({ clientID: 'me', protocol: 1 })).clientID, 'me');
  assert.ok(pbRoot().lookupType('pb.PubMsg'), 'the reflection is still there on request');
});

test.run();

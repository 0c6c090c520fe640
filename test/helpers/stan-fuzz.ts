// Building blocks of the streaming protocol fuzz (test/streaming/fuzz.test.ts):
// a seeded random source, a protobuf writer that takes raw bytes for
// string fields (so a channel name can hold any byte, and a field can be
// given the wrong wire type), the mutations (truncated, bit-flipped,
// random, wrong wire type) and the odd channel names.

import { rng } from './cores.js';

/** A seeded random source with the helpers the fuzz draws from. */
export class Rand {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = rng(seed);
  }

  /** 0 <= n < max. */
  int(max: number): number {
    return this.#next() % max;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.#next() / 0x1_0000_0000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /**
   * With probability p one of xs (undefined when xs is empty). It draws the
   * same whatever xs holds, so that what the fuzz learnt from answers
   * (whose timing varies) does not shift the draws after it.
   */
  known<T>(xs: readonly T[], p: number): T | undefined {
    const yes = this.chance(p);
    const i = this.#next();
    return yes && xs.length > 0 ? xs[i % xs.length] : undefined;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.#next() & 0xff;
    return b;
  }

  /** An int32 that is mostly small, sometimes at or past the edges. */
  int32(): number {
    return this.pick([0, 1, 2, -1, 1024, 0x7fff_ffff, -0x8000_0000, this.int(100), -this.int(100), this.#next() | 0]);
  }

  /** A uint64/int64 that is mostly small, sometimes at the edges. */
  int64(): bigint {
    return this.pick([0n, 1n, 2n, 5n, -1n, 0xffff_ffff_ffff_ffffn, 0x7fff_ffff_ffff_ffffn, -(2n ** 63n), BigInt(this.int(1000)), BigInt(this.#next()) << 20n]);
  }
}

/** A field of a protobuf message: a number (varint, int64 two's complement when negative), bytes or a string (length-delimited). */
export type Field = [no: number, value: number | bigint | string | Uint8Array];

function varint(v: bigint, out: number[]): void {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

function key(no: number, wire: number, out: number[]): void {
  varint((BigInt(no) << 3n) | BigInt(wire), out);
}

/** Encodes fields in order; `wrongWire` gives that field index a random other wire type. */
export function pbEncode(fields: Field[], r?: Rand, wrongWire = -1): Buffer {
  const out: number[] = [];
  fields.forEach(([no, v], i) => {
    const isLen = typeof v === 'string' || v instanceof Uint8Array;
    if (i === wrongWire && r !== undefined) {
      const wire = r.pick(isLen ? [0, 1, 3, 4, 5, 6, 7] : [1, 2, 3, 4, 5, 6, 7]);
      key(no, wire, out);
      if (wire === 0) varint(BigInt(r.int(1 << 20)), out);
      else if (wire === 1) out.push(...r.bytes(8));
      else if (wire === 5) out.push(...r.bytes(4));
      else if (wire === 2) {
        varint(BigInt(r.int(300)), out);
        out.push(...r.bytes(r.int(8)));
      }
      return;
    }
    if (isLen) {
      const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      key(no, 2, out);
      varint(BigInt(b.length), out);
      for (const x of b) out.push(x);
    } else {
      key(no, 0, out);
      varint(BigInt(v), out);
    }
  });
  return Buffer.from(out);
}

/** How a message was mangled, for the report of a finding. */
export type Mutation = 'valid' | 'truncated' | 'bitflip' | 'random' | 'wire-type' | 'empty' | 'huge-length';

/** Encodes the fields, mostly as they are, else mangled one of the ways of Mutation. */
export function mutate(r: Rand, fields: Field[]): { bytes: Buffer; how: Mutation } {
  const roll = r.int(100);
  if (roll < 55 || fields.length === 0) return { bytes: pbEncode(fields), how: 'valid' };
  if (roll < 67) {
    const b = pbEncode(fields);
    return { bytes: b.subarray(0, r.int(Math.max(1, b.length))), how: 'truncated' };
  }
  if (roll < 80) {
    const b = pbEncode(fields);
    for (let k = 1 + r.int(8); k > 0 && b.length > 0; k--) b[r.int(b.length)]! ^= 1 << r.int(8);
    return { bytes: b, how: 'bitflip' };
  }
  if (roll < 87) return { bytes: r.bytes(r.int(64)), how: 'random' };
  if (roll < 95) return { bytes: pbEncode(fields, r, r.int(fields.length)), how: 'wire-type' };
  if (roll < 97) return { bytes: Buffer.alloc(0), how: 'empty' };
  // A length prefix far past the end.
  const b = pbEncode(fields);
  return { bytes: Buffer.concat([b, Buffer.from([0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f])]), how: 'huge-length' };
}

/** NATS subject bytes that end a token or the subject on the wire. */
const WIRE_BREAKS = new Set([0x20, 0x09, 0x0d, 0x0a]);

/** Whether bytes can be a PUB subject on the wire and reach `<prefix>.>` subscribers: no whitespace, no empty token. */
export function isWireSubject(b: Buffer): boolean {
  if (b.length === 0 || b[0] === 0x2e || b[b.length - 1] === 0x2e) return false;
  for (let i = 0; i < b.length; i++) {
    if (WIRE_BREAKS.has(b[i]!)) return false;
    if (b[i] === 0x2e && b[i + 1] === 0x2e) return false;
  }
  return true;
}

/** A channel name holding byte `b` in a token of its own and beside text. */
export function byteChannel(b: number): Buffer {
  return Buffer.concat([Buffer.from('fz.byte.'), Buffer.from([b]), Buffer.from('.x'), Buffer.from([b]), Buffer.from('y')]);
}

/** The channel names the fuzz draws from: mostly a few plain ones, else odd ones. */
export function channelName(r: Rand): Buffer {
  if (r.chance(0.7)) return Buffer.from(`fz.c${r.int(24)}`);
  switch (r.int(12)) {
    case 0:
      return byteChannel(r.int(256));
    case 1: // one token over a file name's 255 bytes
      return Buffer.from(`fz.${'l'.repeat(250 + r.int(20))}`);
    case 2: // a long name in short tokens
      return Buffer.from(`fz.${'t.'.repeat(100 + r.int(2000))}end`);
    case 3:
      return Buffer.from(r.pick(['*', '>', 'fz.*', 'fz.>', 'fz.*.x', '*.>', 'fz.a*', 'fz.>.x']));
    case 4:
      return Buffer.from(r.pick(['', '.', '..', 'fz..x', '.fz', 'fz.', 'fz/x', '/', 'fz\\x', 'fz x', 'fz\tx']));
    case 5: // names of the file store's own files and directories
      return Buffer.from(r.pick(['server.dat', 'clients.dat', 'subs.dat', 'msgs.1.dat', 'msgs.1.idx', 'fz.c1/subs.dat', '.lock']));
    case 6: // case clashes
      return Buffer.from(r.pick(['FZ.C1', 'Fz.c2', 'fz.C3']));
    case 7: // invalid UTF-8 and control bytes
      return Buffer.concat([Buffer.from('fz.'), r.bytes(1 + r.int(12))]);
    case 8: // very long: past the NATS control line, far past PATH_MAX
      return Buffer.from(`fz.${'v'.repeat(r.pick([4096, 70_000]))}`);
    case 9: // where the fuzz's largest messages go
      return Buffer.from('fz.big');
    default:
      return Buffer.from(`fz.n${r.int(200)}`);
  }
}

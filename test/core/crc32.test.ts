// CRC-32 through the TypeScript interface, once per core (STYLE item 12):
// Go's crc32.Update(crc, MakeTable(poly), data), which the file store's
// record checksums use (STAN-REFERENCE §5.2). Published vectors, plus a
// bitwise reference below as ground truth; native/core/src/crc32.rs does
// the same against its backends, this file checks what crosses the glue.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CRC32_IEEE } from '../../src/core/index.js';
import { cores, rng } from '../helpers/cores.js';

/** Castagnoli (CRC-32C) in reversed form, Go's crc32.Castagnoli. */
const CASTAGNOLI = 0x82f63b78;
/** Koopman in reversed form, Go's crc32.Koopman. */
const KOOPMAN = 0xeb31d82e;
const POLYS = [CRC32_IEEE, CASTAGNOLI, KOOPMAN];
const MIB = 1 << 20;

/** Bit-at-a-time Go crc32.Update: the reference every result must equal. */
function crcRef(data: Uint8Array, crc = 0, poly = CRC32_IEEE): number {
  let c = ~crc;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return ~c >>> 0;
}

const ascii = (s: string) => Buffer.from(s, 'latin1');

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

const FOX = 'The quick brown fox jumps over the lazy dog';
const INTRO = 'Introduction on CRC calculations';

// Sources of the check values:
// - "123456789": Greg Cook, "Catalogue of parametrised CRC algorithms"
//   (reveng.sourceforge.io/crc-catalogue): CRC-32/ISO-HDLC 0xCBF43926,
//   CRC-32/ISCSI 0xE3069283. Koopman 0x2D3DD0AE: the Rust `crc` crate 1.x
//   tests (KOOPMAN_CHECK_VALUE) and BACnet's CRC-32K (ASHRAE 135 Annex G).
// - FOX, IEEE 0x414FA339: Rosetta Code, task "CRC-32" (zlib's crc32).
// - "12345678901234567890" and INTRO for all three polynomials: the test
//   suite of snksoft/java-crc (CrcTest, CRC.Parameters.CRC32/Castagnoli/Koopman).
const VECTORS: [number, string, number][] = [
  [CRC32_IEEE, '123456789', 0xcbf43926],
  [CASTAGNOLI, '123456789', 0xe3069283],
  [KOOPMAN, '123456789', 0x2d3dd0ae],
  [CRC32_IEEE, FOX, 0x414fa339],
  [CRC32_IEEE, '12345678901234567890', 0x906319f2],
  [CASTAGNOLI, '12345678901234567890', 0xa8b4a6b9],
  [KOOPMAN, '12345678901234567890', 0xcc53deac],
  [CRC32_IEEE, INTRO, 0x814f2b45],
  [CASTAGNOLI, INTRO, 0x54f98a9e],
  [KOOPMAN, INTRO, 0x1b8101f9],
];

/** A valid crc32() result: an unsigned 32-bit integer. */
function isU32(n: number, what: string): void {
  assert.type(n, 'number', what);
  assert.ok(Number.isInteger(n) && n >= 0 && n <= 0xffffffff, `${what}: ${n} is not an unsigned 32-bit integer`);
}

for (const core of cores()) {
  const s = suite(`core/crc32 [${core.kind}]`);

  s('published check values', () => {
    for (const [poly, text, want] of VECTORS) {
      const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
      assert.is(crcRef(ascii(text), 0, poly), want, `the reference itself, ${hex(poly)} ${text}`);
      assert.is(core.crc32(ascii(text), 0, poly), want, `${hex(poly)} ${JSON.stringify(text)}`);
    }
    // The defaults are crc 0 and the IEEE polynomial.
    assert.is(core.crc32(ascii('123456789')), 0xcbf43926);
    assert.is(core.crc32(new TextEncoder().encode(FOX), 0), 0x414fa339, 'a plain Uint8Array');
  });

  s('empty input: 0 from 0, and any crc passes through', () => {
    for (const poly of POLYS) {
      assert.is(core.crc32(new Uint8Array(0), 0, poly), 0);
      assert.is(core.crc32(Buffer.alloc(0), 0x12345678, poly), 0x12345678);
      assert.is(core.crc32(new Uint8Array(new ArrayBuffer(8), 8), 0xdeadbeef, poly), 0xdeadbeef, 'empty view at the end of its buffer');
    }
  });

  s('incremental updates compose at every split', () => {
    const data = randomBytes(rng(17), 300);
    for (const poly of POLYS) {
      const whole = core.crc32(data, 0, poly);
      assert.is(whole, crcRef(data, 0, poly));
      for (let at = 0; at <= data.length; at += at < 40 ? 1 : 13) {
        const a = data.subarray(0, at);
        const b = data.subarray(at);
        assert.is(core.crc32(b, core.crc32(a, 0, poly), poly), whole, `poly ${poly} split at ${at}`);
      }
      // Three pieces, and a 1-byte-at-a-time walk over a short prefix.
      const three = core.crc32(data.subarray(200), core.crc32(data.subarray(77, 200), core.crc32(data.subarray(0, 77), 0, poly), poly), poly);
      assert.is(three, whole);
      let c = 0;
      for (let i = 0; i < 64; i++) c = core.crc32(data.subarray(i, i + 1), c, poly);
      assert.is(c, crcRef(data.subarray(0, 64), 0, poly));
    }
  });

  s('every length 0..300 equals the bitwise reference', () => {
    const data = randomBytes(rng(0x5eed), 300);
    const next = rng(99);
    for (let n = 0; n <= 300; n++) {
      const view = data.subarray(0, n);
      const seed = next() >>> 0;
      for (const poly of POLYS) {
        assert.is(core.crc32(view, 0, poly), crcRef(view, 0, poly), `len ${n} poly ${poly}`);
        assert.is(core.crc32(view, seed, poly), crcRef(view, seed, poly), `len ${n} poly ${poly} crc ${seed}`);
      }
    }
  });

  s('1 MiB inputs, and a short one after them', () => {
    const big = randomBytes(rng(3), MIB);
    for (const poly of [CRC32_IEEE, CASTAGNOLI]) {
      assert.is(core.crc32(big, 0, poly), crcRef(big, 0, poly), `1 MiB poly ${poly}`);
      const odd = big.subarray(3, MIB - 5);
      assert.is(core.crc32(odd, 0x01020304, poly), crcRef(odd, 0x01020304, poly), `1 MiB - 8, offset 3, poly ${poly}`);
    }
    assert.is(core.crc32(ascii('123456789')), 0xcbf43926, 'after a large input');
  });

  s('unaligned subarrays read only their own bytes', () => {
    const backing = randomBytes(rng(11), 4200);
    for (let off = 1; off <= 7; off++) {
      for (const len of [0, 1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 4097]) {
        const view = Buffer.from(backing.buffer, backing.byteOffset + off, len);
        assert.is((view.byteOffset - backing.byteOffset) % 8, off % 8);
        // The same bytes at offset 0 of their own buffer.
        const copy = Buffer.from(Uint8Array.prototype.slice.call(view));
        assert.is(copy.byteLength, len);
        for (const poly of POLYS) {
          const want = crcRef(copy, 0, poly);
          assert.is(core.crc32(view, 0, poly), want, `offset ${off} len ${len} poly ${poly}`);
          assert.is(core.crc32(copy, 0, poly), want);
          assert.is(core.crc32(new Uint8Array(view.buffer, view.byteOffset, len), 0, poly), want);
        }
      }
    }
  });

  s('results, crc and poly are unsigned 32-bit', () => {
    const next = rng(5);
    let high = 0;
    for (let i = 0; i < 200; i++) {
      const data = randomBytes(next, next() % 40);
      const got = core.crc32(data, next() >>> 0, CRC32_IEEE);
      isU32(got, `crc of ${data.toString('hex')}`);
      if (got >= 0x80000000) high++;
    }
    assert.ok(high > 50, 'results with the top bit set come back positive');
    const data = ascii('123456789');
    // The crc argument is taken modulo 2^32, as the interface's `>>> 0`.
    assert.is(core.crc32(data, -1), core.crc32(data, 0xffffffff));
    assert.is(core.crc32(data, -1), crcRef(data, 0xffffffff));
    assert.is(core.crc32(data, 0xcbf43926), crcRef(data, 0xcbf43926));
    assert.is(core.crc32(data, 0, KOOPMAN | 0), 0x2d3dd0ae, 'a negative (int32) polynomial');
  });

  s('arbitrary polynomials, more than the core caches', () => {
    const next = rng(0xc0ffee);
    const data = randomBytes(next, 700);
    for (let i = 0; i < 40; i++) {
      const poly = next() >>> 0;
      const view = data.subarray(next() % 8, 8 + (next() % 692));
      const want = crcRef(view, 0, poly);
      const got = core.crc32(view, 0, poly);
      isU32(got, `poly ${poly}`);
      assert.is(got, want, `poly 0x${poly.toString(16)} len ${view.length}`);
      assert.is(core.crc32(view.subarray(5), core.crc32(view.subarray(0, 5), 0, poly), poly), want, 'composes');
    }
  });

  s('crc32Seal checksums every span of a buffer in one call, as record headers lay them out', () => {
    const next = rng(0x5ea1);
    for (const poly of POLYS) {
      const buf = randomBytes(next, 20_000);
      const want = Buffer.from(buf);
      const spans = new Uint32Array(3 * 200);
      let n = 0;
      for (let p = 0; p + 8 < buf.length && n < 200; n++) {
        const size = Math.min(next() % 300, buf.length - p - 8);
        spans.set([p + 4, p + 8, p + 8 + size], n * 3);
        want.writeUInt32LE(crcRef(want.subarray(p + 8, p + 8 + size), 0, poly), p + 4);
        p += 8 + size;
      }
      spans.fill(0xffff_ffff, n * 3); // past count: never read
      core.crc32Seal(buf, spans, n, poly);
      assert.ok(buf.equals(want), `poly ${poly.toString(16)}: ${n} spans`);
    }
  });

  s('crc32Seal refuses a span outside the buffer and writes nothing', () => {
    const buf = Buffer.alloc(64, 7);
    assert.throws(() => core.crc32Seal(buf, new Uint32Array([0, 8, 16, 62, 0, 8]), 2, CRC32_IEEE), /outside the buffer/);
    assert.throws(() => core.crc32Seal(buf, new Uint32Array([0, 0, 65]), 1, CRC32_IEEE), /outside the buffer/);
    assert.throws(() => core.crc32Seal(buf, new Uint32Array([0, 0, 8]), 2, CRC32_IEEE), /count past the spans array/);
    assert.ok(buf.every((b) => b === 7));
  });

  s.run();
}

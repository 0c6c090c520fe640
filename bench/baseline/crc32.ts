// Plain-TypeScript CRC-32 over any reversed polynomial, with the meaning of
// Go's crc32.Update(crc, crc32.MakeTable(poly), data): the baseline the Rust
// crc32 (native/core/src/crc32.rs) is measured against. Slicing-by-8 over
// Int32Array tables, built once per polynomial.

/** Go's crc32.IEEE in reversed form. */
export const IEEE = 0xedb88320;
/** Castagnoli (CRC-32C) in reversed form. */
export const CASTAGNOLI = 0x82f63b78;

/** Bytes consumed per step of the table walk. */
const SLICES = 8;

/** Row k, entry b: the register contribution of byte b followed by k zero bytes. */
class Tables {
  readonly t0 = new Int32Array(256);
  readonly t1 = new Int32Array(256);
  readonly t2 = new Int32Array(256);
  readonly t3 = new Int32Array(256);
  readonly t4 = new Int32Array(256);
  readonly t5 = new Int32Array(256);
  readonly t6 = new Int32Array(256);
  readonly t7 = new Int32Array(256);

  constructor(readonly poly: number) {
    const rows = [this.t0, this.t1, this.t2, this.t3, this.t4, this.t5, this.t6, this.t7];
    const t0 = this.t0;
    for (let b = 0; b < 256; b++) {
      let c = b;
      for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
      t0[b] = c;
    }
    for (let k = 1; k < SLICES; k++) {
      const prev = rows[k - 1]!;
      const cur = rows[k]!;
      for (let b = 0; b < 256; b++) cur[b] = (prev[b]! >>> 8) ^ t0[prev[b]! & 0xff]!;
    }
  }
}

const tablesByPoly = new Map<number, Tables>();
let last = new Tables(IEEE);
tablesByPoly.set(IEEE, last);

/** The tables for `poly`, built on first use and kept. */
function tables(poly: number): Tables {
  if (last.poly !== poly) {
    let t = tablesByPoly.get(poly);
    if (!t) tablesByPoly.set(poly, (t = new Tables(poly)));
    last = t;
  }
  return last;
}

/** Extends the finished checksum `crc` (0 to start) with `data`. */
export function crc32(data: Uint8Array, crc = 0, poly = IEEE): number {
  const { t0, t1, t2, t3, t4, t5, t6, t7 } = tables(poly >>> 0);
  let c = ~crc;
  const n = data.length;
  const fast = n - (n % SLICES);
  let i = 0;
  for (; i < fast; i += SLICES) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c =
      t7[c & 0xff]! ^
      t6[(c >>> 8) & 0xff]! ^
      t5[(c >>> 16) & 0xff]! ^
      t4[c >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

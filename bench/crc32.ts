// CRC-32 throughput of the file store's record checksums: large buffers
// (GB/s) and 128-byte records, where the per-call cost of crossing into
// the core dominates (calls/s). IEEE (the default --file_crc_poly) and
// Castagnoli, which takes the non-IEEE table lookup path.

import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { CASTAGNOLI, IEEE, crc32 } from './baseline/crc32.js';
import { consume, measureAll, printTable, type Row } from './harness.js';
import { TS, contenders, expectSame, type BenchContext, type Suite } from './suite.js';

type Crc = (data: Uint8Array, crc: number, poly: number) => number;

const LARGE = 1024 * 1024;
const RECORD = 128;
/** Records per batch: one MiB's worth, each a view prepared up front. */
const RECORDS = LARGE / RECORD;
/** Native target on large buffers (PCLMULQDQ folding should reach it easily). */
const TARGET_GBPS = 4;

const POLYS = [
  ['IEEE', IEEE],
  ['Castagnoli', CASTAGNOLI],
] as const;

function selfCheck(all: { name: string; impl: Crc }[], data: Uint8Array): void {
  const check = Buffer.from('123456789');
  for (const { name, impl } of all) {
    // Published check values: CRC-32 and CRC-32C of "123456789".
    expectSame(`${name} IEEE("123456789")`, impl(check, 0, IEEE), 0xcbf43926);
    expectSame(`${name} Castagnoli("123456789")`, impl(check, 0, CASTAGNOLI), 0xe3069283);
  }
  const zlibCrc = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (zlibCrc) expectSame('ts IEEE(1 MiB) vs zlib.crc32', crc32(data, 0, IEEE), zlibCrc(data, 0));
  for (const [, poly] of POLYS) {
    for (const { name, impl } of all) {
      // Every short length (the table walk's tail), a large buffer, and
      // Update's chaining: crc(a ++ b) == crc(crc(a), b).
      const short = Array.from({ length: 40 }, (_, n) => impl(data.subarray(0, n), 7, poly));
      expectSame(`${name} short lengths, poly ${poly}`, short, Array.from({ length: 40 }, (_, n) => crc32(data.subarray(0, n), 7, poly)));
      expectSame(`${name} 1 MiB, poly ${poly}`, impl(data, 0, poly), crc32(data, 0, poly));
      expectSame(`${name} chained, poly ${poly}`, impl(data.subarray(1000), impl(data.subarray(0, 1000), 0, poly), poly), crc32(data, 0, poly));
    }
  }
}

export const crc32Suite: Suite = {
  name: 'crc32',
  summary: `CRC-32 on ${LARGE / 1024} KiB buffers and ${RECORD}-byte records (GB = 1e9 bytes)`,
  run(ctx: BenchContext): void {
    const all = contenders<Crc>(ctx, (core) => (d, c, p) => core.crc32(d, c, p), crc32);
    const data = randomBytes(LARGE);
    const records = Array.from({ length: RECORDS }, (_, i) => data.subarray(i * RECORD, (i + 1) * RECORD));
    selfCheck(all, data);
    const rows: Row[] = [];
    for (const [label, poly] of POLYS) {
      const large: Row = { label: `${label}, 1 MiB`, unit: 'GB/s', values: {}, target: TARGET_GBPS };
      const small: Row = { label: `${label}, ${RECORD} B`, unit: 'GB/s', values: {} };
      const calls: Row = { label: `${label}, ${RECORD} B`, unit: 'M calls/s', values: {} };
      const big: Record<string, () => number> = {};
      const rec: Record<string, () => number> = {};
      for (const { name, impl } of all) {
        big[name] = () => {
          consume(impl(data, 0, poly));
          return LARGE;
        };
        rec[name] = () => {
          let acc = 0;
          for (let i = 0; i < RECORDS; i++) acc ^= impl(records[i]!, 0, poly);
          consume(acc);
          return RECORDS * RECORD;
        };
      }
      const bigRates = measureAll(big, ctx.opts);
      const recRates = measureAll(rec, ctx.opts);
      for (const { name } of all) {
        large.values[name] = bigRates[name]! / 1e9;
        small.values[name] = recRates[name]! / 1e9;
        calls.values[name] = recRates[name]! / RECORD / 1e6;
      }
      rows.push(large, small, calls);
    }
    printTable('crc32', all.map((c) => c.name), TS, rows);
  },
};

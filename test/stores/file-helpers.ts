// Helpers of the FILE store tests: temp directories, a reference CRC-32
// (bitwise, any reflected polynomial, as Go's crc32.MakeTable), hand
// encoders for the byte formats of STAN-REFERENCE §5 (independent of
// src/), and a logger that keeps its lines.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, type FileStoreOptions, type StoreLog } from '../../src/stores/file/index.js';

const root = mkdtempSync(join(tmpdir(), 'stan-file-test-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A new empty directory, removed when the process exits. */
export function tempDir(): string {
  return mkdtempSync(join(root, `d${++n}-`));
}

/** Reference CRC-32, one bit at a time. */
export function refCrc(data: Uint8Array, poly = 0xedb88320): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function u64(v: bigint | number): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
  return [...b];
}

export function varint(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

const enc = new TextEncoder();

/** A length-delimited field (omitted when empty, proto3). */
export function lenField(tag: number, v: string | Uint8Array): number[] {
  const b = typeof v === 'string' ? enc.encode(v) : v;
  return b.length === 0 ? [] : [tag, ...varint(b.length), ...b];
}

/** A varint field (omitted when 0 / false). */
export function varField(tag: number, v: bigint | number | boolean): number[] {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  return BigInt(x) === 0n ? [] : [tag, ...varint(x)];
}

export const VERSION = [1, 0, 0, 0];

/** A record: size word (type in the high byte), CRC of the payload, payload. */
export function record(payload: number[], type = 0, poly?: number): number[] {
  return [...u32(((type << 24) | payload.length) >>> 0), ...u32(refCrc(Uint8Array.from(payload), poly)), ...payload];
}

/** A 32-byte index record (seq, offset, timestamp, size, CRC of the 28 before it). */
export function indexRecord(seq: number, offset: number, ts: bigint, size: number, poly?: number): number[] {
  const head = [...u64(seq), ...u64(offset), ...u64(ts), ...u32(size)];
  return [...head, ...u32(refCrc(Uint8Array.from(head), poly))];
}

/** MsgProto{sequence, subject, reply, data, timestamp} as stored. */
export function msgProto(seq: number, subject: string, reply: string, data: string, ts: bigint): number[] {
  return [...varField(0x08, seq), ...lenField(0x12, subject), ...lenField(0x1a, reply), ...lenField(0x22, data), ...varField(0x28, ts)];
}

export interface LogLines extends StoreLog {
  lines: string[];
  text(): string;
}

export function logLines(): LogLines {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INF ${m}`),
    warn: (m) => lines.push(`WRN ${m}`),
    error: (m) => lines.push(`ERR ${m}`),
    text: () => lines.join('\n'),
  } as LogLines;
}

/** A FILE store on `dir`, recovered. */
export async function openFile(dir: string, opts: Partial<FileStoreOptions> = {}): Promise<{ store: FileStore; state: Awaited<ReturnType<FileStore['recover']>> }> {
  const store = new FileStore({ dir, ...opts });
  const state = await store.recover();
  return { store, state };
}

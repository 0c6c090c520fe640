// Protocol parser throughput end to end from Node: a realistic PUB stream
// cut into socket-read-sized chunks, one parse call per chunk, then a loop
// over every record reading what the server reads (kind, subject, reply,
// payload offsets) without making strings. The boundary crossing and, for
// WASM, the copy into linear memory are part of the figure, as in the server.

import {
  FLAG_CARRY,
  H_CONSUMED,
  H_STATUS,
  HEADER_WORDS,
  KIND_MASK,
  Op,
  RECORD_WORDS,
  R_KIND,
  R_PAYLOAD_LEN,
  R_PAYLOAD_OFF,
  R_REPLY_LEN,
  R_SUBJECT_LEN,
  R_SUBJECT_OFF,
  STATUS_ERROR,
  STATUS_FULL,
  type ProtocolParser,
} from '../src/core/index.js';
import { parseChunks } from '../test/helpers/ops.js';
import { BaselineParser } from './baseline/parser.js';
import { consume, measureAll, printTable } from './harness.js';
import { TS, contenders, expectSame, type BenchContext, type Suite } from './suite.js';

const STREAM_BYTES = 16 * 1024 * 1024;
/** A socket read's worth, as Node's net module delivers on a busy connection. */
const CHUNK_BYTES = 64 * 1024;
const PAYLOAD_BYTES = 128;
const SUBJECTS = 100;
/** One publish in this many carries a reply subject (requests). */
const REPLY_EVERY = 4;
/** nats-server's defaults, as the server configures its parsers. */
const MAX_CONTROL_LINE = 4096;
const MAX_PAYLOAD = 1024 * 1024;
/** End-to-end target for the native core. */
const TARGET_OPS = 5e6;

interface Stream {
  chunks: Buffer[];
  bytes: number;
  ops: number;
}

/** `PUB foo.bar.<n%100> [reply] 128\r\n<128 bytes>\r\n` until STREAM_BYTES, in CHUNK_BYTES views. */
function pubStream(): Stream {
  const letters = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  const pool = Buffer.alloc(PAYLOAD_BYTES * 2, letters);
  const parts: Buffer[] = [];
  let bytes = 0;
  let ops = 0;
  while (bytes < STREAM_BYTES) {
    const reply = ops % REPLY_EVERY === 0 ? ` _INBOX.Kq3vE9x2L7.${ops % 1000}` : '';
    const head = Buffer.from(`PUB foo.bar.${ops % SUBJECTS}${reply} ${PAYLOAD_BYTES}\r\n`, 'latin1');
    const from = ops % PAYLOAD_BYTES;
    parts.push(head, pool.subarray(from, from + PAYLOAD_BYTES), CRLF);
    bytes += head.length + PAYLOAD_BYTES + 2;
    ops++;
  }
  const all = Buffer.concat(parts, bytes);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes; at += CHUNK_BYTES) chunks.push(all.subarray(at, at + CHUNK_BYTES));
  return { chunks, bytes, ops };
}

const CRLF = Buffer.from('\r\n');

/** What reading the records of a stream saw: the self-check compares these between parsers. */
interface Tally {
  ops: number;
  sum: number;
}

/**
 * The server's read handler, minus the processing: parses one chunk and
 * reads the fields of every record. Adds the records seen and a sum over
 * the fields read to `t`.
 */
function onChunk(p: ProtocolParser, chunk: Buffer, t: Tally): void {
  let sum = t.sum;
  let rest = chunk;
  for (;;) {
    const n = p.parse(rest);
    const w = p.ops;
    let carry: Buffer | undefined;
    for (let at = HEADER_WORDS, end = HEADER_WORDS + n * RECORD_WORDS; at < end; at += RECORD_WORDS) {
      const k = w[at + R_KIND]!;
      if ((k & KIND_MASK) !== Op.PUB) throw new Error(`unexpected op kind ${k & KIND_MASK} in the PUB stream`);
      const src = k & FLAG_CARRY ? (carry ??= p.carry()) : rest;
      const subOff = w[at + R_SUBJECT_OFF]!;
      const subLen = w[at + R_SUBJECT_LEN]!;
      const payEnd = w[at + R_PAYLOAD_OFF]! + w[at + R_PAYLOAD_LEN]!;
      sum = (sum + src[subOff + subLen - 1]! + subLen + w[at + R_REPLY_LEN]! + src[payEnd - 1]!) | 0;
    }
    t.ops += n;
    const status = w[H_STATUS]!;
    if (status & STATUS_ERROR) throw new Error('parse error in the PUB stream');
    if (status & STATUS_FULL && w[H_CONSUMED]! < rest.length) {
      rest = rest.subarray(w[H_CONSUMED]!);
      continue;
    }
    break;
  }
  t.sum = sum;
}

/** Feeds every chunk to a fresh tally, as socket reads would arrive. */
function drain(p: ProtocolParser, chunks: Buffer[]): Tally {
  const t: Tally = { ops: 0, sum: 0 };
  for (let i = 0; i < chunks.length; i++) onChunk(p, chunks[i]!, t);
  return t;
}

/** Every op kind the benchmark's parsers are compared on, in mixed case and spacing. */
const MIXED = Buffer.from(
  [
    'CONNECT {"verbose":false,"pedantic":false,"name":"bench"}\r\n',
    'PING\r\n',
    'pong\r\n',
    'SUB foo.* 1\r\n',
    'SUB bar.> workers 22\r\n',
    'sub\tbaz  q2\t 3\r\n',
    'PUB foo.bar 5\r\nhello\r\n',
    'PUB foo.bar _INBOX.x.1 0\r\n\r\n',
    'pub  foo.baz  reply.to  11\r\nhello world\r\n',
    'HPUB foo.h 12 17\r\nNATS/1.0\r\n\r\nhello\r\n',
    'HPUB foo.h reply 12 12\r\nNATS/1.0\r\n\r\n\r\n',
    'MSG foo.bar 9 5\r\nhello\r\n',
    'MSG foo.bar 9 reply.x 3\r\nabc\r\n',
    'HMSG foo.bar 9 reply.y 12 14\r\nNATS/1.0\r\n\r\nhi\r\n',
    'UNSUB 22\r\n',
    'UNSUB 3 100\r\n',
    'INFO {"server_id":"x"}\r\n',
    '+OK\r\n',
    "-ERR 'Unknown Protocol Operation'\r\n",
  ].join(''),
  'latin1',
);

/** Cuts `data` into pieces of `size` bytes. */
function cut(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}

function selfCheck(all: { name: string; impl: () => ProtocolParser }[], stream: Stream): void {
  const mixed = Buffer.concat([MIXED, MIXED, MIXED]);
  const want = parseChunks(new BaselineParser(MAX_CONTROL_LINE, MAX_PAYLOAD), [mixed]);
  expectSame('baseline decodes every op of the mixed stream', want.length, 3 * 19);
  for (const { name, impl } of all) {
    for (const size of [mixed.length, 1, 2, 7, 13, 64, 100]) {
      expectSame(`${name} mixed ops, ${size}-byte chunks`, parseChunks(impl(), cut(mixed, size)), want);
    }
  }
  const ref = drain(new BaselineParser(MAX_CONTROL_LINE, MAX_PAYLOAD), stream.chunks);
  expectSame('baseline record count on the PUB stream', ref.ops, stream.ops);
  for (const { name, impl } of all) expectSame(`${name} records of the PUB stream`, drain(impl(), stream.chunks), ref);
}

export const parserSuite: Suite = {
  name: 'parser',
  summary: `PUB stream of ${STREAM_BYTES / 1024 / 1024} MiB in ${CHUNK_BYTES / 1024} KiB chunks, ${PAYLOAD_BYTES}-byte payloads, 1 in ${REPLY_EVERY} with a reply (MB = 1e6 bytes)`,
  run(ctx: BenchContext): void {
    const all = contenders<() => ProtocolParser>(
      ctx,
      (core) => () => core.newParser(MAX_CONTROL_LINE, MAX_PAYLOAD),
      () => new BaselineParser(MAX_CONTROL_LINE, MAX_PAYLOAD),
    );
    const stream = pubStream();
    selfCheck(all, stream);
    const batches: Record<string, () => number> = {};
    for (const { name, impl } of all) {
      const p = impl();
      batches[name] = () => {
        consume(drain(p, stream.chunks).sum);
        return stream.bytes;
      };
    }
    const rates = measureAll(batches, ctx.opts);
    const mbps: Record<string, number> = {};
    const opsps: Record<string, number> = {};
    for (const { name } of all) {
      mbps[name] = rates[name]! / 1e6;
      opsps[name] = (rates[name]! * stream.ops) / stream.bytes / 1e6;
    }
    console.log(`${stream.ops.toLocaleString('en-US')} ops in ${stream.chunks.length} chunks per pass`);
    printTable('parser (end to end from Node: parse per chunk + read every record)', all.map((c) => c.name), TS, [
      { label: 'PUB stream', unit: 'MB/s', values: mbps },
      { label: 'PUB stream', unit: 'M ops/s', values: opsps, target: TARGET_OPS / 1e6 },
    ]);
  },
};

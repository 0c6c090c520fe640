// The native and WASM builds side by side (STYLE item 12): both compile the
// same Rust core, so on the same seeded random inputs every observable
// result — parser records and status words, trie matches and stats, CRC
// values — must be identical. A difference is a glue bug in one of them.
// Loops run 10x longer under `npm run test:long`.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CRC32_IEEE,
  FLAG_CARRY,
  H_CONSUMED,
  H_COUNT,
  H_STATUS,
  HEADER_WORDS,
  RECORD_WORDS,
  R_KIND,
  STATUS_ERROR,
  STATUS_FULL,
  type Core,
  type ProtocolParser,
} from '../../src/core/index.js';
import { cores, LONG, rng } from '../helpers/cores.js';
import { parseChunks } from '../helpers/ops.js';

const SCALE = LONG ? 10 : 1;
/** Random streams parsed per run. */
const PARSER_STREAMS = 300 * SCALE;
/** Random trie operations per (seed, cache mode). */
const TRIE_STEPS = 1500 * SCALE;
/** Random buffers checksummed per run. */
const CRC_BUFFERS = 300 * SCALE;

type Rand = () => number;
const below = (r: Rand, n: number) => r() % n;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[below(r, xs.length)]!;

/** Parser limits tried: defaults, tight ones, and none. */
const LIMITS: [number, number][] = [
  [4096, 1024 * 1024],
  [4096, 1024 * 1024],
  [64, 256],
  [256, 1024],
  [0, 0],
];
const TOKENS = ['foo', 'bar', '_INBOX', 'a', '*', '>', 'x9', '\xe6\x97\xa5'];
const MUTATIONS = '\r\n\t *>.0123456789PUBSMGHINFOK+-';

function subject(r: Rand): string {
  return Array.from({ length: 1 + below(r, 3) }, () => pick(r, TOKENS)).join('.');
}

function payload(r: Rand, max: number): string {
  let s = '';
  for (let n = below(r, max); n > 0; n--) s += String.fromCharCode(below(r, 4) === 0 ? pick(r, [13, 10, 32]) : below(r, 256));
  return s;
}

const sp = (r: Rand) => pick(r, [' ', ' ', ' ', '\t', '  ', ' \t ']);
const name = (r: Rand, op: string) => (below(r, 4) === 0 ? op.toLowerCase() : op);

/** One valid op in wire form (latin1: one char per byte). */
function validOp(r: Rand): string {
  const reply = () => (below(r, 2) ? `${sp(r)}_INBOX.${below(r, 1000)}` : '');
  switch (below(r, 11)) {
    case 0:
      return `${name(r, 'CONNECT')}${sp(r)}{"verbose":false,"pedantic":${below(r, 2) ? 'true' : 'false'}}\r\n`;
    case 1:
      return `${name(r, 'PING')}\r\n`;
    case 2:
      return `${name(r, 'PONG')}\r\n`;
    case 3:
      return `${name(r, 'SUB')}${sp(r)}${subject(r)}${below(r, 2) ? `${sp(r)}q${below(r, 3)}` : ''}${sp(r)}${below(r, 100)}\r\n`;
    case 4:
      return `${name(r, 'UNSUB')}${sp(r)}${below(r, 100)}${below(r, 2) ? `${sp(r)}${below(r, 10)}` : ''}\r\n`;
    case 5:
    case 6: {
      const body = payload(r, 300);
      return `${name(r, 'PUB')}${sp(r)}${subject(r)}${reply()}${sp(r)}${body.length}\r\n${body}\r\n`;
    }
    case 7: {
      const hdr = `NATS/1.0\r\nK-${below(r, 9)}: v\r\n\r\n`;
      const body = hdr + payload(r, 100);
      return `${name(r, 'HPUB')}${sp(r)}${subject(r)}${reply()}${sp(r)}${hdr.length}${sp(r)}${body.length}\r\n${body}\r\n`;
    }
    case 8: {
      const body = payload(r, 100);
      return `MSG ${subject(r)} ${below(r, 50)}${reply()} ${body.length}\r\n${body}\r\n`;
    }
    case 9: {
      const body = `NATS/1.0 503\r\n\r\n${payload(r, 20)}`;
      return `HMSG ${subject(r)} ${below(r, 50)}${reply()} 16 ${body.length}\r\n${body}\r\n`;
    }
    default:
      return pick(r, ['+OK\r\n', "-ERR 'Stale Connection'\r\n", 'INFO {"server_id":"x","max_payload":1048576} \r\n']);
  }
}

/** A stream of valid ops with a few bytes mutated, cut at random points. */
function randomStream(r: Rand): { bytes: Buffer; cuts: number[] } {
  let s = '';
  for (let n = 1 + below(r, 12); n > 0; n--) s += validOp(r);
  const bytes = [...Buffer.from(s, 'latin1')];
  for (let n = below(r, 3) === 0 ? 0 : below(r, 6); n > 0 && bytes.length > 0; n--) {
    const at = below(r, bytes.length);
    const what = below(r, 3);
    if (what === 0) bytes[at] = below(r, 256);
    else if (what === 1) bytes.splice(at, 1);
    else bytes.splice(at, 0, MUTATIONS.charCodeAt(below(r, MUTATIONS.length)));
  }
  const cuts = Array.from({ length: below(r, 6) }, () => below(r, bytes.length + 1)).sort((a, b) => a - b);
  if (below(r, 10) === 0) for (let i = 0; i < 40 && i < bytes.length; i += 1 + below(r, 3)) cuts.push(i); // tiny chunks
  return { bytes: Buffer.from(bytes), cuts: cuts.sort((a, b) => a - b) };
}

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

/**
 * Every parse call's header and records, raw, plus the carry buffer, for
 * `chunks` in order. After an ERROR it parses on from the failing byte
 * (the parser resets), up to MAX_ERRORS per chunk, so one stream exercises
 * more than its first error without walking garbage byte by byte.
 */
/** Errors per chunk after which trace() drops the rest of the chunk. */
const MAX_ERRORS = 3;

function trace(p: ProtocolParser, chunks: Uint8Array[]): unknown[] {
  const log: unknown[] = [];
  for (const chunk of chunks) {
    let rest = chunk;
    let errors = 0;
    for (let calls = 0; ; calls++) {
      assert.ok(calls <= chunk.length + 2, 'the parser makes no progress');
      const n = p.parse(rest);
      const w = p.ops;
      assert.is(w[H_COUNT], n);
      const words = Array.from(w.subarray(0, HEADER_WORDS + n * RECORD_WORDS));
      let carried = false;
      for (let i = 0; i < n; i++) carried ||= (words[HEADER_WORDS + i * RECORD_WORDS + R_KIND]! & FLAG_CARRY) !== 0;
      log.push(words, carried ? p.carry().toString('latin1') : null);
      const consumed = w[H_CONSUMED]!;
      const status = w[H_STATUS]!;
      assert.ok(consumed <= rest.length, `consumed ${consumed} of ${rest.length}`);
      if (status & STATUS_ERROR) {
        const skip = Math.max(consumed, 1);
        if (++errors > MAX_ERRORS || skip >= rest.length) break;
        rest = rest.subarray(skip);
      } else if (status & STATUS_FULL && consumed < rest.length) {
        rest = rest.subarray(consumed);
      } else {
        break;
      }
    }
  }
  return log;
}

/** Parses `chunks` with a fresh parser of each core; the results must agree. */
function sameParse(a: Core, b: Core, limits: [number, number], chunks: Buffer[], what: string): void {
  const [pa, pb] = [a.newParser(...limits), b.newParser(...limits)];
  assert.equal(parseChunks(pa, chunks), parseChunks(pb, chunks), `${what}: decoded ops`);
  const [ta, tb] = [a.newParser(...limits), b.newParser(...limits)];
  assert.equal(trace(ta, chunks), trace(tb, chunks), `${what}: raw records, consumed and status`);
  // Both parsers stay usable and in step after the stream.
  assert.equal(trace(ta, [Buffer.from('PING\r\n')]), trace(tb, [Buffer.from('PING\r\n')]), `${what}: then PING`);
}

const ALPHABET = ['a', 'b', 'c', '日'];
const QUEUES = [null, 'q1', 'q2'];
const BAD = ['', 'a..b', '.a', 'a.', 'a.>.b', 'a b', '>.a'];
/** Keeps every match result under the native glue's first 256 words. */
const MAX_LIVE = 200;

function pattern(r: Rand): string {
  const n = 1 + below(r, 3);
  return Array.from({ length: n }, (_, i) => {
    const k = below(r, 8);
    return k < 2 ? '*' : k === 2 && i === n - 1 ? '>' : pick(r, ALPHABET);
  }).join('.');
}

function publishSubject(r: Rand): string {
  return Array.from({ length: 1 + below(r, 4) }, () => (below(r, 20) === 0 ? '*' : pick(r, ALPHABET))).join('.');
}

/** A random string for isValidSubject: separators, wildcards, whitespace, UTF-8. */
function oddString(r: Rand): string {
  const chars = ['a', 'b', '.', '.', '*', '>', ' ', '\t', '\n', 'é', '日', '🚀'];
  return Array.from({ length: below(r, 8) }, () => pick(r, chars)).join('');
}

const all = cores();
const s = suite('core/parity [native vs wasm]');
const native = all.find((c) => c.kind === 'native');
const wasm = all.find((c) => c.kind === 'wasm');

if (!native || !wasm) {
  console.log(`note: core/parity needs both cores, only ${all.map((c) => c.kind).join(', ') || 'none'} loaded: skipped`);
} else {
  s('parser: seeded random streams of mutated valid ops, cut at random points', () => {
    const r = rng(0x9e3779b9);
    for (let i = 0; i < PARSER_STREAMS; i++) {
      const { bytes, cuts } = randomStream(r);
      const limits = pick(r, LIMITS);
      sameParse(native, wasm, limits, chunksOf(bytes, cuts), `stream ${i} limits ${limits} ${JSON.stringify(bytes.toString('latin1'))} cuts ${cuts}`);
    }
  });

  s('parser: a full output array, a large payload, reset and new limits mid-stream', () => {
    const many = Buffer.from('PING\r\nSUB a 1\r\nPUB a 1\r\nx\r\n'.repeat(900));
    sameParse(native, wasm, LIMITS[0]!, [many], 'more records than one call returns');
    sameParse(native, wasm, LIMITS[0]!, chunksOf(many, [5000, 5001, 40000]), 'the same, in chunks');
    const r = rng(77);
    const body = Buffer.from(payload(r, 1).padEnd(200_000, 'z'), 'latin1');
    const big = Buffer.concat([Buffer.from(`PUB big ${body.length}\r\n`), body, Buffer.from('\r\nPING\r\n')]);
    sameParse(native, wasm, LIMITS[0]!, [big], 'a 200 kB payload in one chunk');
    sameParse(native, wasm, LIMITS[0]!, chunksOf(big, [3, 70_000, 140_000, big.length - 3]), 'a 200 kB payload in chunks');
    for (let i = 0; i < 50 * SCALE; i++) {
      const { bytes, cuts } = randomStream(r);
      const chunks = chunksOf(bytes, cuts);
      const [pa, pb] = [native.newParser(4096, 1024), wasm.newParser(4096, 1024)];
      for (const chunk of chunks) {
        const act = below(r, 4);
        for (const p of [pa, pb]) {
          if (act === 0) p.reset();
          if (act === 1) p.setLimits(...LIMITS[i % LIMITS.length]!);
        }
        assert.equal(trace(pa, [chunk]), trace(pb, [chunk]), `stream ${i} action ${act}`);
      }
    }
  });

  for (const cache of [true, false]) {
    s(`trie: random insert/remove/match sequences (cache ${cache ? 'on' : 'off'})`, () => {
      for (const seed of [1, 0xdecade]) {
        const r = rng(seed);
        const [a, b] = [native.newSublist(cache), wasm.newSublist(cache)];
        const live: [string, string | null, number][] = [];
        let nextId = 1;
        for (let step = 0; step < TRIE_STEPS; step++) {
          const at = `seed ${seed} step ${step}`;
          const k = below(r, 100);
          if (k < 40 && live.length < MAX_LIVE) {
            const queue = below(r, 30) ? pick(r, QUEUES) : 'bad q';
            const sub: [string, string | null, number] = [below(r, 20) ? pattern(r) : pick(r, BAD), queue, nextId++];
            const code = a.insert(...sub);
            assert.is(b.insert(...sub), code, `${at}: insert ${sub}`);
            if (code === 0) live.push(sub);
          } else if (k < 45 && live.length) {
            const sub = pick(r, live);
            assert.is(b.insert(...sub), a.insert(...sub), `${at}: insert again ${sub}`);
          } else if (k < 75 && live.length) {
            const sub = live.splice(below(r, live.length), 1)[0]!;
            assert.ok(a.remove(...sub), `${at}: native remove ${sub}`);
            assert.ok(b.remove(...sub), `${at}: wasm remove ${sub}`);
          } else if (k < 80) {
            const sub: [string, string | null, number] = [pattern(r), pick(r, [...QUEUES, '']), nextId + 1];
            assert.is(b.remove(...sub), a.remove(...sub), `${at}: remove of a stranger ${sub}`);
          }
          for (let j = 0; j < 3; j++) {
            const subject = publishSubject(r);
            assert.equal(Array.from(b.match(subject)), Array.from(a.match(subject)), `${at}: match ${subject}`);
          }
          if (step % 50 === 0) {
            assert.is(b.genid(), a.genid(), `${at}: genid`);
            assert.equal(b.stats(), a.stats(), `${at}: stats`);
            const odd = oddString(r);
            for (const wild of [true, false]) {
              assert.is(wasm.isValidSubject(odd, wild), native.isValidSubject(odd, wild), `${at}: isValidSubject(${JSON.stringify(odd)}, ${wild})`);
            }
          }
        }
        assert.is(b.genid(), a.genid());
        assert.equal(b.stats(), a.stats());
        assert.is(a.stats().num_subscriptions, live.length);
      }
    });
  }

  s('crc32: random buffers, offsets, seeds and polynomials', () => {
    const r = rng(0xc4c);
    const pool = Buffer.alloc(70_000 + 16);
    for (let i = 0; i < pool.length; i++) pool[i] = r() & 0xff;
    for (let i = 0; i < CRC_BUFFERS; i++) {
      const off = below(r, 16);
      const len = below(r, 8) === 0 ? below(r, 70_001) : below(r, 600);
      const view = pool.subarray(off, off + len);
      const crc = below(r, 4) === 0 ? 0 : r();
      const poly = below(r, 3) === 0 ? r() : pick(r, [CRC32_IEEE, 0x82f63b78, 0xeb31d82e]);
      const got = native.crc32(view, crc, poly);
      assert.is(wasm.crc32(view, crc, poly), got, `len ${len} offset ${off} crc ${crc} poly ${poly}`);
    }
    const mib = Buffer.alloc(1 << 20, 0xa5);
    assert.is(wasm.crc32(mib), native.crc32(mib), '1 MiB');
  });
}

s.run();

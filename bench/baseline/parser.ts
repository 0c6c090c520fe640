// A plain-TypeScript NATS protocol parser, the baseline the Rust parser is
// measured against. It writes the same op records (src/core/ops.ts, from
// native/core/src/parser/op.rs) and implements ProtocolParser, so the
// reference decoder and the benchmark loop read both the same way.
//
// Written as a TS developer would, not as a port of the state machine: find
// each line's LF with indexOf, match the op name, split the arguments, jump
// over the payload. An op cut by the end of a chunk is kept and concatenated
// with the next chunk; FLAG_CARRY records index that concatenation.

import {
  FLAG_CARRY,
  FLAG_HAS_NUM,
  H_CONSUMED,
  H_COUNT,
  H_STATUS,
  HEADER_WORDS,
  Op,
  ParseError,
  RECORD_WORDS,
  R_KIND,
  R_NUM,
  R_PAYLOAD_LEN,
  R_PAYLOAD_OFF,
  R_REPLY_OFF,
  R_SID_OFF,
  R_SUBJECT_LEN,
  R_SUBJECT_OFF,
  STATUS_ERROR,
  STATUS_FULL,
  STATUS_PARTIAL,
  type ProtocolParser,
} from '../../src/core/index.js';

const cc = { TAB: 0x09, LF: 0x0a, CR: 0x0d, SPACE: 0x20, ZERO: 0x30, NINE: 0x39, LOWER: 0x20 } as const;

/** Header word the core leaves 0. */
const H_RESERVED = 3;
/** Records one parse call returns at most, as the core's PARSE_RECORDS. */
const PARSE_RECORDS = 1024;
/** Most arguments any op takes (HMSG: subject sid reply hdr total). */
const MAX_ARGS = 5;
/** Longest decimal size accepted, as nats-server's parseSize. */
const MAX_SIZE_DIGITS = 9;
/** Slack over max_control_line for the op name and blanks of an unended line. */
const NAME_SLACK = 16;

/** Op names in lower case, with their kinds; PUB first, as it is the common op. */
const NAMES: readonly (readonly [Buffer, number])[] = (
  [
    ['pub', Op.PUB],
    ['hpub', Op.HPUB],
    ['sub', Op.SUB],
    ['unsub', Op.UNSUB],
    ['ping', Op.PING],
    ['pong', Op.PONG],
    ['connect', Op.CONNECT],
    ['info', Op.INFO],
    ['msg', Op.MSG],
    ['hmsg', Op.HMSG],
    ['+ok', Op.OK],
    ['-err', Op.ERR],
  ] as const
).map(([name, kind]) => [Buffer.from(name, 'latin1'), kind] as const);

/** Record words holding offsets, which a concatenation shifts. */
const OFFSET_WORDS = [R_SUBJECT_OFF, R_REPLY_OFF, R_SID_OFF, R_PAYLOAD_OFF] as const;

const isBlank = (b: number) => b === cc.SPACE || b === cc.TAB;

export class BaselineParser implements ProtocolParser {
  readonly ops = new Uint32Array(HEADER_WORDS + PARSE_RECORDS * RECORD_WORDS);
  #mcl: number;
  #maxPayload: number;
  /** Copies of the chunks an unfinished op has used so far, oldest first. */
  #parts: Uint8Array[] = [];
  #partsLen = 0;
  /** Bytes the unfinished op needs in all, when known (a payload op); else 0. */
  #need = 0;
  /** What FLAG_CARRY records of the last call index. */
  #carry: Buffer = Buffer.alloc(0);
  /** Argument spans of the current line: offset, length pairs. */
  readonly #spans = new Int32Array(MAX_ARGS * 2);

  constructor(maxControlLine = 4096, maxPayload = 1024 * 1024) {
    this.#mcl = maxControlLine;
    this.#maxPayload = maxPayload;
  }

  carry(): Buffer {
    return this.#carry;
  }
  reset(): void {
    this.#parts = [];
    this.#partsLen = 0;
    this.#need = 0;
  }

  dispose(): void {
    this.reset();
  }
  setLimits(maxControlLine: number, maxPayload: number): void {
    this.#mcl = maxControlLine;
    this.#maxPayload = maxPayload;
  }
  setRoute(on: boolean): void {
    // The baseline measures client traffic only.
    if (on) throw new Error('BaselineParser: no route mode');
  }

  parse(chunk: Uint8Array): number {
    const out = this.ops;
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let base = 0; // bytes of earlier chunks in front of `chunk` within buf
    if (this.#partsLen > 0) {
      if (this.#need > this.#partsLen + chunk.length) {
        // Still short of the whole op: keep a copy and wait.
        this.#parts.push(Buffer.from(chunk));
        this.#partsLen += chunk.length;
        return this.#header(0, chunk.length, STATUS_PARTIAL);
      }
      base = this.#partsLen;
      buf = Buffer.concat([...this.#parts, chunk]);
      this.#carry = buf;
      this.reset();
    }
    const len = buf.length;
    let n = 0;
    let pos = 0;
    while (pos < len) {
      if (n === PARSE_RECORDS) return this.#header(n, pos - base, STATUS_FULL);
      const nl = buf.indexOf(cc.LF, pos);
      if (nl < 0) {
        if (this.#mcl > 0 && len - pos > this.#mcl + NAME_SLACK) {
          return this.#fail(n, pos, base, ParseError.CONTROL_LINE);
        }
        break;
      }
      const end = nl > pos && buf[nl - 1] === cc.CR ? nl - 1 : nl;
      const name = opName(buf, pos, end);
      if (name < 0) return this.#fail(n, pos, base, ParseError.UNKNOWN_OP);
      const kind = NAMES[name]![1];
      const at = HEADER_WORDS + n * RECORD_WORDS;
      out.fill(0, at, at + RECORD_WORDS);
      out[at + R_KIND] = kind;
      let next = nl + 1;
      if (kind !== Op.PING && kind !== Op.PONG && kind !== Op.OK) {
        let arg = pos + NAMES[name]![0].length;
        if (arg < end && !isBlank(buf[arg]!) && kind !== Op.CONNECT && kind !== Op.INFO) {
          return this.#fail(n, arg, base, ParseError.UNKNOWN_OP);
        }
        while (arg < end && isBlank(buf[arg]!)) arg++;
        if (this.#mcl > 0 && end - arg > this.#mcl) return this.#fail(n, nl, base, ParseError.CONTROL_LINE);
        const code = this.#args(buf, arg, end, kind, at);
        if (code !== 0) return this.#fail(n, nl, base, code);
        if (kind === Op.PUB || kind === Op.HPUB || kind === Op.MSG || kind === Op.HMSG) {
          const payEnd = next + out[at + R_PAYLOAD_LEN]!;
          if (payEnd + 2 > len) {
            this.#need = payEnd + 2 - pos;
            break;
          }
          if (buf[payEnd] !== cc.CR || buf[payEnd + 1] !== cc.LF) {
            return this.#fail(n, payEnd, base, ParseError.UNKNOWN_OP);
          }
          out[at + R_PAYLOAD_OFF] = next;
          next = payEnd + 2;
        }
      }
      if (pos < base) {
        out[at + R_KIND]! |= FLAG_CARRY;
      } else if (base > 0) {
        // Set offsets are positions past `base`; unset ones are 0.
        for (const w of OFFSET_WORDS) if (out[at + w]! >= base) out[at + w]! -= base;
      }
      n++;
      pos = next;
    }
    if (pos < len) {
      // An op cut by the end of the chunk: keep its bytes for the next call.
      this.#parts = [Buffer.from(buf.subarray(pos))];
      this.#partsLen = len - pos;
      return this.#header(n, chunk.length, STATUS_PARTIAL);
    }
    return this.#header(n, chunk.length, 0);
  }

  /** Fills the record at `at` from the argument line buf[arg, end); returns an error code or 0. */
  #args(buf: Buffer, arg: number, end: number, kind: number, at: number): number {
    const out = this.ops;
    if (kind === Op.CONNECT || kind === Op.INFO || kind === Op.ERR) {
      out[at + R_SUBJECT_OFF] = arg;
      out[at + R_SUBJECT_LEN] = end - arg;
      return 0;
    }
    const s = this.#spans;
    const count = splitArgs(buf, arg, end, s);
    switch (kind) {
      case Op.SUB:
        if (count !== 2 && count !== 3) return ParseError.BAD_ARGS;
        put(out, at, R_SUBJECT_OFF, s, 0);
        if (count === 3) put(out, at, R_REPLY_OFF, s, 1);
        put(out, at, R_SID_OFF, s, count - 1);
        return 0;
      case Op.UNSUB: {
        if (count !== 1 && count !== 2) return ParseError.BAD_ARGS;
        put(out, at, R_SID_OFF, s, 0);
        if (count === 1) return 0;
        const max = parseSize(buf, s[2]!, s[3]!);
        if (max < 0) return ParseError.BAD_SIZE;
        out[at + R_NUM] = max;
        out[at + R_KIND] = kind | FLAG_HAS_NUM;
        return 0;
      }
    }
    // PUB subject [reply] size; HPUB subject [reply] hdr total;
    // MSG subject sid [reply] size; HMSG subject sid [reply] hdr total.
    const lead = kind === Op.MSG || kind === Op.HMSG ? 2 : 1;
    const sizes = kind === Op.HPUB || kind === Op.HMSG ? 2 : 1;
    if (count !== lead + sizes && count !== lead + sizes + 1) return ParseError.BAD_ARGS;
    put(out, at, R_SUBJECT_OFF, s, 0);
    if (lead === 2) put(out, at, R_SID_OFF, s, 1);
    if (count === lead + sizes + 1) put(out, at, R_REPLY_OFF, s, lead);
    const total = parseSize(buf, s[2 * (count - 1)]!, s[2 * (count - 1) + 1]!);
    if (total < 0) return ParseError.BAD_SIZE;
    if (sizes === 2) {
      const hdr = parseSize(buf, s[2 * (count - 2)]!, s[2 * (count - 2) + 1]!);
      if (hdr < 0) return ParseError.BAD_SIZE;
      if (hdr > total) return ParseError.BAD_HEADER_SIZE;
      out[at + R_NUM] = hdr;
    }
    if (this.#maxPayload > 0 && total > this.#maxPayload) return ParseError.MAX_PAYLOAD;
    out[at + R_PAYLOAD_LEN] = total;
    return 0;
  }

  #header(n: number, consumed: number, status: number): number {
    const out = this.ops;
    out[H_COUNT] = n;
    out[H_CONSUMED] = consumed;
    out[H_STATUS] = status;
    out[H_RESERVED] = 0;
    return n;
  }

  /** Appends an ERROR record for buf[pos] and ends the call. */
  #fail(n: number, pos: number, base: number, code: number): number {
    const at = HEADER_WORDS + n * RECORD_WORDS;
    this.ops.fill(0, at, at + RECORD_WORDS);
    this.ops[at + R_KIND] = Op.ERROR;
    this.ops[at + R_SUBJECT_OFF] = Math.max(0, pos - base);
    this.ops[at + R_NUM] = code;
    this.reset();
    return this.#header(n + 1, Math.max(0, pos - base), STATUS_ERROR);
  }
}

/** Index in NAMES of the op whose line is buf[pos, end), or -1; names are case-insensitive. */
function opName(buf: Buffer, pos: number, end: number): number {
  for (let k = 0; k < NAMES.length; k++) {
    const name = NAMES[k]![0];
    if (end - pos < name.length) continue;
    let i = 0;
    while (i < name.length && (buf[pos + i]! | cc.LOWER) === name[i]) i++;
    if (i === name.length) return k;
  }
  return -1;
}

/** Copies argument span `i` into the record words `w` (offset) and `w + 1` (length). */
function put(out: Uint32Array, at: number, w: number, spans: Int32Array, i: number): void {
  out[at + w] = spans[2 * i]!;
  out[at + w + 1] = spans[2 * i + 1]!;
}

/** Splits buf[from, end) on blanks into `spans`; returns the count (may exceed MAX_ARGS). */
function splitArgs(buf: Buffer, from: number, end: number, spans: Int32Array): number {
  let count = 0;
  let start = -1;
  for (let i = from; i < end; i++) {
    const b = buf[i]!;
    const blank = b === cc.SPACE || b === cc.TAB || b === cc.CR;
    if (blank && start >= 0) {
      if (count < MAX_ARGS) {
        spans[2 * count] = start;
        spans[2 * count + 1] = i - start;
      }
      count++;
      start = -1;
    } else if (!blank && start < 0) {
      start = i;
    }
  }
  if (start >= 0) {
    if (count < MAX_ARGS) {
      spans[2 * count] = start;
      spans[2 * count + 1] = end - start;
    }
    count++;
  }
  return count;
}

/** 1 to 9 ASCII digits, else -1. */
function parseSize(buf: Buffer, off: number, len: number): number {
  if (len === 0 || len > MAX_SIZE_DIGITS) return -1;
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const d = buf[i]! - cc.ZERO;
    if (d < 0 || d > cc.NINE - cc.ZERO) return -1;
    n = n * 10 + d;
  }
  return n;
}

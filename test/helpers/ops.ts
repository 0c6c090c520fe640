// Turns the parser's op records into plain objects, for assertions and
// for comparing the native and WASM builds. Mirrors what the server's
// connection code reads, without its speed tricks.

import {
  FLAG_CARRY,
  FLAG_HAS_NUM,
  H_CONSUMED,
  H_STATUS,
  HEADER_WORDS,
  KIND_MASK,
  Op,
  RECORD_WORDS,
  R_KIND,
  R_NUM,
  R_PAYLOAD_LEN,
  R_PAYLOAD_OFF,
  R_REPLY_LEN,
  R_REPLY_OFF,
  R_SID_LEN,
  R_SID_OFF,
  R_SUBJECT_LEN,
  R_SUBJECT_OFF,
  STATUS_ERROR,
  STATUS_FULL,
  type ProtocolParser,
} from '../../src/core/index.js';

export interface DecodedOp {
  kind: number;
  subject?: string;
  reply?: string;
  sid?: string;
  payload?: string;
  num?: number;
}

const text = (b: Buffer, off: number, len: number) => b.subarray(off, off + len).toString('latin1');

/** Parses `chunks` in order (re-calling on a full output); an ERROR ends the list. */
export function parseChunks(p: ProtocolParser, chunks: Uint8Array[]): DecodedOp[] {
  const ops: DecodedOp[] = [];
  for (const chunk of chunks) {
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (;;) {
      const n = p.parse(rest);
      const w = p.ops;
      const carry = n > 0 && w[HEADER_WORDS + R_KIND]! & FLAG_CARRY ? p.carry() : undefined;
      for (let r = 0; r < n; r++) {
        const at = HEADER_WORDS + r * RECORD_WORDS;
        const word = (i: number) => w[at + i]!;
        const kind = word(R_KIND) & KIND_MASK;
        if (kind === Op.ERROR) {
          ops.push({ kind, num: word(R_NUM) });
          continue;
        }
        const src = word(R_KIND) & FLAG_CARRY ? carry! : rest;
        const op: DecodedOp = { kind };
        if (word(R_SUBJECT_LEN)) op.subject = text(src, word(R_SUBJECT_OFF), word(R_SUBJECT_LEN));
        if (word(R_REPLY_LEN)) op.reply = text(src, word(R_REPLY_OFF), word(R_REPLY_LEN));
        if (word(R_SID_LEN)) op.sid = text(src, word(R_SID_OFF), word(R_SID_LEN));
        if (kind === Op.PUB || kind === Op.HPUB || kind === Op.MSG || kind === Op.HMSG) {
          op.payload = text(src, word(R_PAYLOAD_OFF), word(R_PAYLOAD_LEN));
        }
        if (kind === Op.HPUB || kind === Op.HMSG || word(R_KIND) & FLAG_HAS_NUM) op.num = word(R_NUM);
        ops.push(op);
      }
      const consumed = w[H_CONSUMED]!;
      const status = w[H_STATUS]!;
      if (status & STATUS_ERROR) return ops;
      if (status & STATUS_FULL && consumed < rest.length) {
        rest = rest.subarray(consumed);
        continue;
      }
      break;
    }
  }
  return ops;
}

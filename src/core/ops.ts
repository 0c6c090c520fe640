// The op records the Rust parser writes, mirrored from
// native/core/src/parser/op.rs. test/core/ops.test.ts pins both sides
// against the same inputs, so a change on one side that is not made on the
// other fails there.

/** Words of the output header before the first record. */
export const HEADER_WORDS = 4;
/** Words per op record. */
export const RECORD_WORDS = 10;

/** Header word: records written. */
export const H_COUNT = 0;
/** Header word: chunk bytes consumed by the call. */
export const H_CONSUMED = 1;
/** Header word: STATUS_* bits. */
export const H_STATUS = 2;

/** The output array filled up: parse the unconsumed rest again. */
export const STATUS_FULL = 1;
/** The last record is an ERROR: close the connection. */
export const STATUS_ERROR = 2;
/** A partial op waits in the parser for more bytes. */
export const STATUS_PARTIAL = 4;

export const R_KIND = 0;
export const R_SUBJECT_OFF = 1;
export const R_SUBJECT_LEN = 2;
export const R_REPLY_OFF = 3;
export const R_REPLY_LEN = 4;
export const R_SID_OFF = 5;
export const R_SID_LEN = 6;
export const R_PAYLOAD_OFF = 7;
export const R_PAYLOAD_LEN = 8;
export const R_NUM = 9;

export const KIND_MASK = 0xff;
/** Offsets refer to the parser's carry buffer (an op that spanned chunks). */
export const FLAG_CARRY = 0x100;
/** R_NUM holds a number that was present (UNSUB max msgs, RS+ queue weight). */
export const FLAG_HAS_NUM = 0x200;
/** A routed op names an account other than the global `$G`. */
export const FLAG_OTHER_ACCOUNT = 0x400;

/** Op kinds (low byte of R_KIND). */
export const Op = {
  CONNECT: 1,
  PUB: 2,
  HPUB: 3,
  SUB: 4,
  UNSUB: 5,
  PING: 6,
  PONG: 7,
  INFO: 8,
  MSG: 9,
  HMSG: 10,
  OK: 11,
  ERR: 12,
  /** Route mode: `RS+ account subject [queue weight]`. */
  RS_SUB: 13,
  /** Route mode: `RS- account subject [queue]`. */
  RS_UNSUB: 14,
  /** Route mode: `RMSG account subject [reply | + reply queues | | queues] size`. */
  RMSG: 15,
  ERROR: 255,
} as const;
export type OpKind = (typeof Op)[keyof typeof Op];

/** Error codes of ERROR records (R_NUM). */
export const ParseError = {
  UNKNOWN_OP: 1,
  CONTROL_LINE: 2,
  MAX_PAYLOAD: 3,
  BAD_ARGS: 4,
  BAD_SIZE: 5,
  BAD_HEADER_SIZE: 6,
} as const;
export type ParseErrorCode = (typeof ParseError)[keyof typeof ParseError];

/** Results of Sublist.insert. */
export const SubjectCheck = {
  OK: 0,
  INVALID_SUBJECT: 1,
  INVALID_QUEUE: 2,
} as const;
export type SubjectCheckCode = (typeof SubjectCheck)[keyof typeof SubjectCheck];

/** Go's crc32.IEEE, the file store's default polynomial (3988292384). */
export const CRC32_IEEE = 0xedb88320;

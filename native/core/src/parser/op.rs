//! The op records the parser writes: a flat `u32` array that crosses the
//! N-API / WASM boundary once per socket chunk. The TypeScript side mirrors
//! these constants in `src/core/ops.ts`; a parity test pins both.
//!
//! Layout of the output array:
//!
//! ```text
//! [0] number of records    [1] bytes of the chunk consumed
//! [2] status bits (STATUS_*) [3] reserved
//! then RECORD_WORDS words per record:
//! [0] kind | flags          (kind in the low byte, FLAG_* above it)
//! [1] subject offset  [2] subject length   (CONNECT/INFO/-ERR: the JSON/text)
//! [3] reply offset    [4] reply length     (SUB: the queue group)
//! [5] sid offset      [6] sid length       (SUB, UNSUB, MSG, HMSG)
//! [7] payload offset  [8] payload length   (HPUB/HMSG: headers + payload)
//! [9] number: HPUB/HMSG header length, UNSUB max msgs, ERROR code
//! ```
//! A parser in route mode also reads the route ops of nats-server 2.9:
//! `RS+`/`RS-` (word 5 the account, 1 the subject, 3 the queue, 9 the
//! queue weight with `FLAG_HAS_NUM`), and `RMSG`, with `HMSG` and `MSG` in
//! the routed form `<account> <subject> [reply | + reply queues | | queues]
//! [hdr] size`: word 3 the reply, word 5 the queue names (one span, blank
//! separated), `FLAG_OTHER_ACCOUNT` when the account is not `$G`.
//! A length of 0 means the argument is absent (arguments are never empty).
//! Offsets are into the chunk passed to `parse`, or, when the record has
//! `FLAG_CARRY`, into the parser's carry buffer (an op that spanned chunks).
//! For an ERROR record, word 1 is the chunk offset of the offending byte,
//! word 3 the kind of op being parsed (0 if unknown) and word 5 the state.

/// Words of the output header before the first record.
pub const HEADER_WORDS: usize = 4;
/// Words per op record.
pub const RECORD_WORDS: usize = 10;

/// Header word: records written.
pub const H_COUNT: usize = 0;
/// Header word: bytes of the chunk consumed by this call.
pub const H_CONSUMED: usize = 1;
/// Header word: `STATUS_*` bits.
pub const H_STATUS: usize = 2;

/// Status: the output array filled up; call again with the unconsumed rest.
pub const STATUS_FULL: u32 = 1;
/// Status: the last record is an ERROR; the connection must be closed.
pub const STATUS_ERROR: u32 = 2;
/// Status: a partial op is held in the parser, waiting for more bytes.
pub const STATUS_PARTIAL: u32 = 4;

/// Record word: kind and flags.
pub const R_KIND: usize = 0;
/// Record word: subject (or CONNECT/INFO/-ERR argument) offset.
pub const R_SUBJECT_OFF: usize = 1;
/// Record word: subject length.
pub const R_SUBJECT_LEN: usize = 2;
/// Record word: reply (or SUB queue group) offset.
pub const R_REPLY_OFF: usize = 3;
/// Record word: reply length.
pub const R_REPLY_LEN: usize = 4;
/// Record word: sid offset.
pub const R_SID_OFF: usize = 5;
/// Record word: sid length.
pub const R_SID_LEN: usize = 6;
/// Record word: payload offset.
pub const R_PAYLOAD_OFF: usize = 7;
/// Record word: payload length (headers included for HPUB/HMSG).
pub const R_PAYLOAD_LEN: usize = 8;
/// Record word: header length, UNSUB max, or error code.
pub const R_NUM: usize = 9;

/// Mask of the kind in word 0.
pub const KIND_MASK: u32 = 0xff;
/// Flag: offsets refer to the carry buffer, not the chunk.
pub const FLAG_CARRY: u32 = 0x100;
/// Flag: word 9 holds a number that was present (UNSUB max msgs).
pub const FLAG_HAS_NUM: u32 = 0x200;
/// Flag: a routed op names an account other than the global `$G`.
pub const FLAG_OTHER_ACCOUNT: u32 = 0x400;

/// Op kinds (word 0, low byte).
pub mod kind {
    /// `CONNECT {json}`
    pub const CONNECT: u32 = 1;
    /// `PUB subject [reply] size` + payload
    pub const PUB: u32 = 2;
    /// `HPUB subject [reply] hdr total` + headers and payload
    pub const HPUB: u32 = 3;
    /// `SUB subject [queue] sid`
    pub const SUB: u32 = 4;
    /// `UNSUB sid [max]`
    pub const UNSUB: u32 = 5;
    /// `PING`
    pub const PING: u32 = 6;
    /// `PONG`
    pub const PONG: u32 = 7;
    /// `INFO {json}` (client side of a connection)
    pub const INFO: u32 = 8;
    /// `MSG subject sid [reply] size` + payload (client side)
    pub const MSG: u32 = 9;
    /// `HMSG subject sid [reply] hdr total` + headers and payload
    pub const HMSG: u32 = 10;
    /// `+OK`
    pub const OK: u32 = 11;
    /// `-ERR 'text'`
    pub const ERR: u32 = 12;
    /// `RS+ account subject [queue weight]` (route mode)
    pub const RS_SUB: u32 = 13;
    /// `RS- account subject [queue]` (route mode)
    pub const RS_UNSUB: u32 = 14;
    /// `RMSG account subject [reply | + reply queues | | queues] size` + payload (route mode)
    pub const RMSG: u32 = 15;
    /// A protocol error; word 9 holds an `error::*` code.
    pub const ERROR: u32 = 255;
}

/// Error codes of ERROR records (word 9). Each maps to one behaviour of
/// the server (STAN-REFERENCE §1.7); the texts live in `src/nats/proto.ts`.
pub mod error {
    /// Unknown op name, or a payload not followed by CRLF.
    pub const UNKNOWN_OP: u32 = 1;
    /// The arguments of an op are longer than max_control_line.
    pub const CONTROL_LINE: u32 = 2;
    /// PUB/HPUB size above max_payload.
    pub const MAX_PAYLOAD: u32 = 3;
    /// Wrong number of arguments.
    pub const BAD_ARGS: u32 = 4;
    /// A size, header size or max msgs that is not a decimal number.
    pub const BAD_SIZE: u32 = 5;
    /// A header size larger than the total size.
    pub const BAD_HEADER_SIZE: u32 = 6;
}

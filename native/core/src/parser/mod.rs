//! The NATS text-protocol parser: a byte state machine in the shape of
//! nats-server's `parser.go` (STAN-REFERENCE §1.1, §1.4), one state per
//! consumed byte of an op name.
//!
//! One `parse` call takes a whole socket chunk and writes op records (see
//! [`op`]) into a caller-owned `u32` array. Arguments and payloads are
//! reported as offsets into the chunk: nothing is copied, except an op that
//! is cut by the end of a chunk, whose bytes are kept in the carry buffer
//! until it completes on a later call (then its record has `FLAG_CARRY`).
//!
//! The parser only reports: it never decides what an op means. Garbage ends
//! in an ERROR record after at most one pass over the bytes.

pub mod op;
mod route;
mod scan;
mod state;
#[cfg(test)]
mod tests;

pub use op::*;
pub use state::State;
use scan::{find_newline, last_args, parse_size, split_args, Span, MAX_ARGS};

/// nats-server's default `max_control_line`.
pub const DEFAULT_MAX_CONTROL_LINE: u32 = 4096;
/// nats-server's default `max_payload`.
pub const DEFAULT_MAX_PAYLOAD: u32 = 1024 * 1024;
/// A carry buffer grown past this is released once its op is done, so one
/// large message does not pin a megabyte per idle connection.
const CARRY_KEEP: usize = 64 * 1024;

/// Most bytes reserved ahead for a split payload; a larger one grows as it
/// arrives, so a lying size cannot make us allocate up front.
const CARRY_RESERVE_MAX: usize = 1024 * 1024 + 2;

/// Parser state of one connection. Hot fields are short; each says what it
/// holds.
pub struct Parser {
    state: State,
    mcl: u32,            // max control line (argument bytes), 0 = unlimited
    max_payload: u32,    // largest PUB/HPUB/MSG size accepted, 0 = unlimited
    route: bool,         // reads the route ops (RS+, RS-, RMSG, routed HMSG)
    kind: u32,           // kind of the op being parsed
    arg_start: usize,    // position of the first argument byte
    pending: [u32; RECORD_WORDS], // record of a payload op, offsets relative to arg_start
    payload_end: usize,  // position just past the payload
    carrying: bool,      // the op in flight started in an earlier chunk
    shift: usize,        // carry bytes that precede chunk[0] in this call
    synced: usize,       // chunk bytes already appended to the carry
    partial: Vec<u8>,    // bytes of the op in flight that spans chunks
    done: Vec<u8>,       // carry of the last completed spanning op
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(DEFAULT_MAX_CONTROL_LINE, DEFAULT_MAX_PAYLOAD)
    }
}

/// Where one parse call writes: the output array and its record count.
struct Out<'a> {
    words: &'a mut [u32],
    count: usize,
    cap: usize,
}

impl<'a> Out<'a> {
    fn push(&mut self, rec: &[u32; RECORD_WORDS]) {
        let at = HEADER_WORDS + self.count * RECORD_WORDS;
        self.words[at..at + RECORD_WORDS].copy_from_slice(rec);
        self.count += 1;
    }
    fn full(&self) -> bool {
        self.count >= self.cap
    }
}

/// How a call to `parse` ended early.
enum Stop {
    Full(usize),
    Error(usize),
}

impl Parser {
    /// A parser enforcing `max_control_line` and `max_payload` (0 disables
    /// a limit, for trusted peers).
    pub fn new(max_control_line: u32, max_payload: u32) -> Parser {
        Parser {
            state: State::OpStart,
            mcl: max_control_line,
            max_payload,
            route: false,
            kind: 0,
            arg_start: 0,
            pending: [0; RECORD_WORDS],
            payload_end: 0,
            carrying: false,
            shift: 0,
            synced: 0,
            partial: Vec::new(),
            done: Vec::new(),
        }
    }

    /// Changes the limits (a config reload); applies from the next op.
    pub fn set_limits(&mut self, max_control_line: u32, max_payload: u32) {
        self.mcl = max_control_line;
        self.max_payload = max_payload;
    }

    /// Makes this the parser of a route connection: RS+, RS- and RMSG are
    /// ops, and HMSG and MSG have the routed arguments.
    pub fn set_route(&mut self, on: bool) {
        self.route = on;
    }

    /// The current state (tests assert it byte by byte).
    pub fn state(&self) -> State {
        self.state
    }

    /// The bytes of the last op that spanned chunks: what `FLAG_CARRY`
    /// offsets index. Valid until the next call to `parse`.
    pub fn carry(&self) -> &[u8] {
        &self.done
    }

    /// Forgets any partial op (after an error, or to reuse the parser).
    pub fn reset(&mut self) {
        self.state = State::OpStart;
        self.carrying = false;
        self.partial.clear();
    }

    /// Smallest output array that holds one record.
    pub const fn min_output_words() -> usize {
        HEADER_WORDS + RECORD_WORDS
    }

    /// Parses `chunk`, writing the header and records into `out` (at least
    /// [`Parser::min_output_words`] long). Returns the number of records.
    /// Stops early when `out` is full (`STATUS_FULL`: call again with the
    /// bytes past `out[H_CONSUMED]`) or at an error (`STATUS_ERROR`).
    pub fn parse(&mut self, chunk: &[u8], out: &mut [u32]) -> usize {
        let cap = out.len().saturating_sub(HEADER_WORDS) / RECORD_WORDS;
        if self.done.capacity() > CARRY_KEEP {
            self.done = Vec::new();
        } else {
            self.done.clear();
        }
        self.shift = if self.carrying { self.partial.len() } else { 0 };
        self.synced = 0;
        let mut o = Out { words: out, count: 0, cap };
        let (consumed, status) = if cap == 0 {
            (0, STATUS_FULL)
        } else {
            match self.run(chunk, &mut o) {
                Ok(()) => {
                    self.hold_partial(chunk);
                    let partial = if self.state == State::OpStart { 0 } else { STATUS_PARTIAL };
                    (chunk.len(), partial)
                }
                Err(Stop::Full(at)) => (at, STATUS_FULL),
                Err(Stop::Error(at)) => {
                    self.reset();
                    (at, STATUS_ERROR)
                }
            }
        };
        o.words[H_COUNT] = o.count as u32;
        o.words[H_CONSUMED] = consumed as u32;
        o.words[H_STATUS] = status;
        o.words[3] = 0;
        o.count
    }

    /// Position of `chunk[i]` in the coordinates of the op in flight.
    #[inline(always)]
    fn pos(&self, i: usize) -> usize {
        i + self.shift
    }

    /// Appends `chunk[synced..upto]` to the carry of a spanning op.
    fn sync(&mut self, chunk: &[u8], upto: usize) {
        if self.carrying && upto > self.synced {
            self.partial.extend_from_slice(&chunk[self.synced..upto]);
            self.synced = upto;
        }
    }

    /// At the end of a chunk, keeps the bytes an unfinished op still needs.
    fn hold_partial(&mut self, chunk: &[u8]) {
        if self.carrying {
            self.sync(chunk, chunk.len());
            return;
        }
        if self.state.holds_bytes() {
            // Only argument and payload bytes matter: an op name is fully
            // described by its state.
            self.partial.clear();
            self.partial.extend_from_slice(&chunk[self.arg_start..]);
            if self.state.in_payload() {
                let need = self.payload_end + 2 - self.arg_start;
                let more = need.saturating_sub(self.partial.len());
                self.partial.reserve(more.min(CARRY_RESERVE_MAX));
                self.payload_end -= self.arg_start;
            }
            self.arg_start = 0;
            self.carrying = true;
        }
    }

    /// Ends a spanning op: its bytes become readable through `carry()`.
    fn finish_carry(&mut self, chunk: &[u8], end: usize) -> u32 {
        if !self.carrying {
            return 0;
        }
        self.sync(chunk, end);
        std::mem::swap(&mut self.partial, &mut self.done);
        self.partial.clear();
        if self.partial.capacity() > CARRY_KEEP {
            self.partial = Vec::new();
        }
        self.carrying = false;
        self.shift = 0;
        FLAG_CARRY
    }

    fn run(&mut self, chunk: &[u8], out: &mut Out) -> Result<(), Stop> {
        let len = chunk.len();
        let mut i = 0;
        while i < len {
            let b = chunk[i];
            if self.state.is_arg() {
                // Jump to the end of the line instead of stepping bytes.
                match find_newline(&chunk[i..]) {
                    Some(k) => {
                        let nl = i + k;
                        self.end_of_line(chunk, nl, out)?;
                        i = nl + 1;
                    }
                    None => {
                        let arg_len = self.pos(len) - self.arg_start;
                        if self.mcl > 0 && arg_len > self.mcl as usize {
                            return Err(self.fail(out, i, error::CONTROL_LINE));
                        }
                        i = len;
                    }
                }
                continue;
            }
            match self.state {
                State::MsgPayload => {
                    let need = self.payload_end - self.pos(i);
                    if len - i >= need {
                        i += need;
                        self.state = State::MsgEndR;
                    } else {
                        i = len;
                    }
                    continue;
                }
                State::MsgEndR => {
                    if b != b'\r' {
                        return Err(self.fail(out, i, error::UNKNOWN_OP));
                    }
                    self.state = State::MsgEndN;
                }
                State::MsgEndN => {
                    if b != b'\n' {
                        return Err(self.fail(out, i, error::UNKNOWN_OP));
                    }
                    let flags = self.finish_carry(chunk, i + 1);
                    let base = if flags != 0 { 0 } else { self.arg_start as u32 };
                    let mut rec = self.pending;
                    rec[R_KIND] |= flags;
                    for w in [R_SUBJECT_OFF, R_REPLY_OFF, R_SID_OFF, R_PAYLOAD_OFF] {
                        rec[w] += base;
                    }
                    self.state = State::OpStart;
                    self.emit(out, &rec, i + 1)?;
                }
                State::OpPing | State::OpPong | State::OpPlusOk => {
                    // As nats-server: anything up to the newline is ignored.
                    if b == b'\n' {
                        let kind = match self.state {
                            State::OpPing => kind::PING,
                            State::OpPong => kind::PONG,
                            _ => kind::OK,
                        };
                        self.state = State::OpStart;
                        let mut rec = [0u32; RECORD_WORDS];
                        rec[R_KIND] = kind;
                        self.emit(out, &rec, i + 1)?;
                    }
                }
                _ => {
                    if let Err(code) = self.step_name(b, i) {
                        return Err(self.fail(out, i, code));
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// One byte of an op name or of the blanks after it.
    fn step_name(&mut self, b: u8, i: usize) -> Result<(), u32> {
        let blank = b == b' ' || b == b'\t';
        if let Some(next) = self.state.after(b.to_ascii_uppercase(), blank) {
            if next == State::OpR && !self.route {
                return Err(error::UNKNOWN_OP);
            }
            self.state = next;
            return Ok(());
        }
        match self.state.arg_state() {
            // The first argument byte.
            Some((arg, kind)) if !blank => {
                self.arg_start = self.pos(i);
                self.kind = kind;
                self.state = arg;
                Ok(())
            }
            _ => Err(error::UNKNOWN_OP),
        }
    }

    /// The argument line ended at `chunk[nl]` (a `\n`).
    fn end_of_line(&mut self, chunk: &[u8], nl: usize, out: &mut Out) -> Result<(), Stop> {
        self.sync(chunk, nl + 1);
        let end = self.pos(nl);
        let kind = self.kind;
        let routed = self.route && matches!(kind, kind::RMSG | kind::HMSG | kind::MSG);
        let (spans, count, arg_len, sizes) = {
            let view: &[u8] = if self.carrying { &self.partial } else { chunk };
            let mut line = &view[self.arg_start..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let (spans, count) = split_args(line);
            let sizes = if routed { last_args(line, if kind == kind::HMSG { 2 } else { 1 }) } else { None };
            (spans, count, line.len(), sizes)
        };
        if self.mcl > 0 && arg_len > self.mcl as usize {
            return Err(self.fail(out, nl, error::CONTROL_LINE));
        }
        let mut rec = [0u32; RECORD_WORDS];
        rec[R_KIND] = kind;
        let arg = |s: Span, rec: &mut [u32; RECORD_WORDS], w: usize| {
            rec[w] = s.off;
            rec[w + 1] = s.len;
        };
        let code = match kind {
            kind::CONNECT | kind::INFO | kind::ERR => {
                rec[R_SUBJECT_OFF] = 0;
                rec[R_SUBJECT_LEN] = arg_len as u32;
                0
            }
            kind::SUB => match count {
                2 => {
                    arg(spans[0], &mut rec, R_SUBJECT_OFF);
                    arg(spans[1], &mut rec, R_SID_OFF);
                    0
                }
                3 => {
                    arg(spans[0], &mut rec, R_SUBJECT_OFF);
                    arg(spans[1], &mut rec, R_REPLY_OFF);
                    arg(spans[2], &mut rec, R_SID_OFF);
                    0
                }
                _ => error::BAD_ARGS,
            },
            kind::UNSUB => match count {
                1 | 2 => {
                    arg(spans[0], &mut rec, R_SID_OFF);
                    if count == 2 {
                        match self.number(chunk, spans[1]) {
                            Some(n) => {
                                rec[R_NUM] = n;
                                rec[R_KIND] |= FLAG_HAS_NUM;
                                0
                            }
                            None => error::BAD_SIZE,
                        }
                    } else {
                        0
                    }
                }
                _ => error::BAD_ARGS,
            },
            kind::RS_SUB | kind::RS_UNSUB => self.route_sub_args(chunk, kind, &spans, count, &mut rec),
            _ if routed => self.routed_msg_args(chunk, kind, &spans, count, sizes, &mut rec),
            _ => self.payload_args(chunk, kind, &spans, count, &mut rec),
        };
        if code != 0 {
            return Err(self.fail(out, nl, code));
        }
        if is_payload_kind(kind) {
            self.pending = rec;
            self.payload_end = end + 1 + rec[R_PAYLOAD_LEN] as usize;
            rec[R_PAYLOAD_OFF] = (end + 1 - self.arg_start) as u32;
            self.pending[R_PAYLOAD_OFF] = rec[R_PAYLOAD_OFF];
            self.state = State::MsgPayload;
            return Ok(());
        }
        let flags = self.finish_carry(chunk, nl + 1);
        let base = if flags != 0 { 0 } else { self.arg_start as u32 };
        rec[R_KIND] |= flags;
        for w in [R_SUBJECT_OFF, R_REPLY_OFF, R_SID_OFF] {
            rec[w] += base;
        }
        self.state = State::OpStart;
        self.emit(out, &rec, nl + 1)
    }

    /// Arguments of PUB, HPUB, MSG and HMSG. Returns an error code or 0.
    fn payload_args(
        &self,
        chunk: &[u8],
        kind: u32,
        spans: &[Span; MAX_ARGS],
        count: usize,
        rec: &mut [u32; RECORD_WORDS],
    ) -> u32 {
        // (fixed args before the optional reply, number of size args)
        let (lead, sizes) = match kind {
            kind::PUB => (1, 1),
            kind::HPUB => (1, 2),
            kind::MSG => (2, 1),
            _ => (2, 2), // HMSG
        };
        if count != lead + sizes && count != lead + sizes + 1 {
            return error::BAD_ARGS;
        }
        rec[R_SUBJECT_OFF] = spans[0].off;
        rec[R_SUBJECT_LEN] = spans[0].len;
        if lead == 2 {
            rec[R_SID_OFF] = spans[1].off;
            rec[R_SID_LEN] = spans[1].len;
        }
        if count == lead + sizes + 1 {
            rec[R_REPLY_OFF] = spans[lead].off;
            rec[R_REPLY_LEN] = spans[lead].len;
        }
        let hdr = if sizes == 2 { Some(spans[count - 2]) } else { None };
        self.size_args(chunk, hdr, spans[count - 1], rec)
    }

    /// The header size (HPUB/HMSG) and total size of a message op, checked
    /// against each other and max_payload. Returns an error code or 0.
    fn size_args(&self, chunk: &[u8], hdr: Option<Span>, total: Span, rec: &mut [u32; RECORD_WORDS]) -> u32 {
        let total = match self.number(chunk, total) {
            Some(n) => n,
            None => return error::BAD_SIZE,
        };
        if let Some(h) = hdr {
            let hdr = match self.number(chunk, h) {
                Some(n) => n,
                None => return error::BAD_SIZE,
            };
            if hdr > total {
                return error::BAD_HEADER_SIZE;
            }
            rec[R_NUM] = hdr;
        }
        if self.max_payload > 0 && total > self.max_payload {
            return error::MAX_PAYLOAD;
        }
        rec[R_PAYLOAD_LEN] = total;
        0
    }

    /// A decimal size argument, as nats-server's `parseSize`.
    fn number(&self, chunk: &[u8], s: Span) -> Option<u32> {
        let view: &[u8] = if self.carrying { &self.partial } else { chunk };
        let start = self.arg_start + s.off as usize;
        parse_size(&view[start..start + s.len as usize])
    }

    fn emit(&mut self, out: &mut Out, rec: &[u32; RECORD_WORDS], end: usize) -> Result<(), Stop> {
        out.push(rec);
        if out.full() {
            return Err(Stop::Full(end));
        }
        Ok(())
    }

    /// Writes an ERROR record for `chunk[i]` and stops the call.
    fn fail(&mut self, out: &mut Out, i: usize, code: u32) -> Stop {
        let mut rec = [0u32; RECORD_WORDS];
        rec[R_KIND] = kind::ERROR;
        rec[R_SUBJECT_OFF] = i as u32;
        rec[R_REPLY_OFF] = if self.state.is_name() { 0 } else { self.kind };
        rec[R_SID_OFF] = self.state as u32;
        rec[R_NUM] = code;
        out.push(&rec);
        Stop::Error(i)
    }
}

fn is_payload_kind(kind: u32) -> bool {
    matches!(kind, kind::PUB | kind::HPUB | kind::MSG | kind::HMSG | kind::RMSG)
}


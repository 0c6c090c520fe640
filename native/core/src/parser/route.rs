//! Arguments of the route ops, as nats-server 2.9's `processRemoteSub`,
//! `parseUnsubProto` and `processRoutedMsgArgs` read them (route.go).

use super::scan::{Span, MAX_ARGS};
use super::{error, kind, Parser, FLAG_HAS_NUM, FLAG_OTHER_ACCOUNT, RECORD_WORDS};
use super::{R_NUM, R_REPLY_LEN, R_REPLY_OFF, R_SID_LEN, R_SID_OFF, R_SUBJECT_LEN, R_SUBJECT_OFF};

/// The account of a server without accounts configured.
const GLOBAL_ACCOUNT: &[u8] = b"$G";

impl Parser {
    /// The bytes of an argument span of the line being parsed.
    fn arg_bytes<'a>(&'a self, chunk: &'a [u8], s: Span) -> &'a [u8] {
        let view: &[u8] = if self.carrying { &self.partial } else { chunk };
        let start = self.arg_start + s.off as usize;
        &view[start..start + s.len as usize]
    }

    /// `RS+ account subject [queue weight]`, `RS- account subject [queue]`.
    pub(super) fn route_sub_args(
        &self,
        chunk: &[u8],
        kind: u32,
        spans: &[Span; MAX_ARGS],
        count: usize,
        rec: &mut [u32; RECORD_WORDS],
    ) -> u32 {
        let ok = match kind {
            kind::RS_SUB => count == 2 || count == 4,
            _ => count == 2 || count == 3,
        };
        if !ok {
            return error::BAD_ARGS;
        }
        rec[R_SID_OFF] = spans[0].off;
        rec[R_SID_LEN] = spans[0].len;
        rec[R_SUBJECT_OFF] = spans[1].off;
        rec[R_SUBJECT_LEN] = spans[1].len;
        if count >= 3 {
            rec[R_REPLY_OFF] = spans[2].off;
            rec[R_REPLY_LEN] = spans[2].len;
        }
        if count == 4 {
            match self.number(chunk, spans[3]) {
                Some(n) => {
                    rec[R_NUM] = n;
                    rec[super::R_KIND] |= FLAG_HAS_NUM;
                }
                None => return error::BAD_SIZE,
            }
        }
        0
    }

    /// `RMSG`/`MSG account subject [reply | + reply queues | | queues] size`
    /// and `HMSG` with the header size before the size. `sizes` are the
    /// last one or two tokens of the line.
    pub(super) fn routed_msg_args(
        &self,
        chunk: &[u8],
        kind: u32,
        spans: &[Span; MAX_ARGS],
        count: usize,
        sizes: Option<[Span; 2]>,
        rec: &mut [u32; RECORD_WORDS],
    ) -> u32 {
        let n_sizes = if kind == kind::HMSG { 2 } else { 1 };
        let sizes = match sizes {
            Some(s) if count >= 2 + n_sizes => s,
            _ => return error::BAD_ARGS,
        };
        rec[R_SUBJECT_OFF] = spans[1].off;
        rec[R_SUBJECT_LEN] = spans[1].len;
        if self.arg_bytes(chunk, spans[0]) != GLOBAL_ACCOUNT {
            rec[super::R_KIND] |= FLAG_OTHER_ACCOUNT;
        }
        let middle = count - 2 - n_sizes;
        // Where the size arguments start: the queue names end before it.
        let sizes_at = sizes[0].off;
        if middle == 1 {
            rec[R_REPLY_OFF] = spans[2].off;
            rec[R_REPLY_LEN] = spans[2].len;
        } else if middle >= 2 {
            let queues_from = match self.arg_bytes(chunk, spans[2]) {
                b"+" => {
                    rec[R_REPLY_OFF] = spans[3].off;
                    rec[R_REPLY_LEN] = spans[3].len;
                    4
                }
                b"|" => 3,
                _ => return error::BAD_ARGS,
            };
            if middle + 2 > queues_from {
                let off = spans[queues_from].off;
                let end = sizes_at;
                let line_end = self.arg_bytes(chunk, Span { off, len: end - off });
                // Trim the blanks between the last queue name and the sizes.
                let mut len = line_end.len();
                while len > 0 && matches!(line_end[len - 1], b' ' | b'\t') {
                    len -= 1;
                }
                rec[R_SID_OFF] = off;
                rec[R_SID_LEN] = len as u32;
            }
        }
        let hdr = if n_sizes == 2 { Some(sizes[0]) } else { None };
        self.size_args(chunk, hdr, sizes[n_sizes - 1], rec)
    }
}

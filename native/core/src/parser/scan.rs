//! Byte scanning for the parser: the newline search, argument splitting
//! and decimal sizes, with nats-server's rules.

/// Longest decimal size accepted, as in nats-server (`999999999`).
pub const MAX_SIZE_DIGITS: usize = 9;
/// Most arguments any op takes (HMSG: subject sid reply hdr total).
pub const MAX_ARGS: usize = 5;

/// A token of the argument line: offset relative to the argument start.
#[derive(Clone, Copy, Default)]
pub struct Span {
    pub off: u32,
    pub len: u32,
}

/// Splits an argument line on blanks (space, tab, stray CR) into at most
/// `MAX_ARGS` spans; a count above that means "too many".
pub fn split_args(line: &[u8]) -> ([Span; MAX_ARGS], usize) {
    let mut spans = [Span::default(); MAX_ARGS];
    let mut count = 0;
    let mut start: Option<usize> = None;
    for (i, &b) in line.iter().enumerate() {
        let blank = b == b' ' || b == b'\t' || b == b'\r' || b == b'\n';
        match (blank, start) {
            (true, Some(s)) => {
                if count < MAX_ARGS {
                    spans[count] = Span { off: s as u32, len: (i - s) as u32 };
                }
                count += 1;
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        if count < MAX_ARGS {
            spans[count] = Span { off: s as u32, len: (line.len() - s) as u32 };
        }
        count += 1;
    }
    (spans, count)
}

/// nats-server's `parseSize`: 1 to 9 ASCII digits.
pub fn parse_size(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > MAX_SIZE_DIGITS {
        return None;
    }
    let mut n: u32 = 0;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

/// Index of the first `\n`, eight bytes at a time (std has no memchr on
/// stable 1.63, and control lines are where the parser spends its bytes).
#[inline]
pub fn find_newline(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = LO * b'\n' as u64;
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ NL;
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..].iter().position(|&b| b == b'\n').map(|k| i + k)
}

/// The spans of the last `n` (1 or 2) blank-separated tokens of `line`,
/// first to last, or None when it has fewer. Routed messages carry any
/// number of queue names before their sizes, so the sizes are read from
/// the end.
pub fn last_args(line: &[u8], n: usize) -> Option<[Span; 2]> {
    let mut spans = [Span::default(); 2];
    let mut end = line.len();
    for k in (0..n).rev() {
        while end > 0 && is_blank(line[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && !is_blank(line[start - 1]) {
            start -= 1;
        }
        if start == end {
            return None;
        }
        spans[k] = Span { off: start as u32, len: (end - start) as u32 };
        end = start;
    }
    Some(spans)
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r' || b == b'\n'
}

//! Subject and queue-name rules as nats-server applies them, plus literal
//! matching of a subject against a wildcard pattern.
//!
//! Specified in STAN-REFERENCE §1.5: tokens are separated by `.`, no token is
//! empty, no whitespace, `*` matches exactly one token and `>` one or more
//! trailing tokens. Wildcards are wildcards only as whole tokens, so `foo*`
//! and `a>b` are ordinary literal tokens. Subjects are UTF-8 byte slices; any
//! byte other than the separator and whitespace may appear in a token.
//!
//! Tokenizing never allocates: [`Tokens`] walks the spans of the input slice.

/// Byte codes with a meaning in subjects (the `cc` table of STYLE item 20).
pub(crate) mod cc {
    /// Token separator.
    pub const TSEP: u8 = b'.';
    /// Partial wildcard: exactly one token.
    pub const PWC: u8 = b'*';
    /// Full wildcard: one or more trailing tokens.
    pub const FWC: u8 = b'>';
    /// Space.
    pub const SPACE: u8 = b' ';
    /// Horizontal tab.
    pub const TAB: u8 = b'\t';
    /// Carriage return.
    pub const CR: u8 = b'\r';
    /// Line feed.
    pub const LF: u8 = b'\n';
    /// Form feed (`\f`), which Rust has no escape for.
    pub const FF: u8 = 0x0c;
}

/// The single-byte token that is the partial wildcard.
pub(crate) const PWC_TOKEN: &[u8] = &[cc::PWC];
/// The single-byte token that is the full wildcard.
pub(crate) const FWC_TOKEN: &[u8] = &[cc::FWC];

/// Whitespace as nats-server rejects it in subjects and queue names: the
/// bytes its protocol parser would split arguments on.
fn is_space(b: u8) -> bool {
    matches!(b, cc::SPACE | cc::TAB | cc::CR | cc::LF | cc::FF)
}

/// Iterator over the tokens of a subject, as sub-slices of the input.
///
/// Like `split(b'.')`: the empty subject yields one empty token and `a..b`
/// yields an empty middle token. It is `Copy`, so a trie walk can branch by
/// copying its position instead of re-tokenizing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tokens<'a> {
    /// Unconsumed input; `None` once the last token was returned.
    rest: Option<&'a [u8]>,
}

/// Tokens of `subject`, without allocating.
pub(crate) fn tokens(subject: &[u8]) -> Tokens<'_> {
    Tokens {
        rest: Some(subject),
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match rest.iter().position(|&b| b == cc::TSEP) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// True when `s` is empty or has an empty token (leading or trailing `.`, or
/// `..`). Such a subject can never be subscribed, so it matches nothing.
pub(crate) fn has_empty_token(s: &[u8]) -> bool {
    let mut prev = cc::TSEP; // a virtual separator before the first byte
    for &b in s {
        if b == cc::TSEP && prev == cc::TSEP {
            return true;
        }
        prev = b;
    }
    prev == cc::TSEP
}

/// Is `s` acceptable as a SUB subject: non-empty, no empty token, no
/// whitespace, and a whole-token `>` only as the last token.
pub fn is_valid_subject(s: &[u8]) -> bool {
    if s.is_empty() {
        return false;
    }
    let mut after_fwc = false;
    for tok in tokens(s) {
        if tok.is_empty() || after_fwc || tok.iter().any(|&b| is_space(b)) {
            return false;
        }
        after_fwc = tok == FWC_TOKEN;
    }
    true
}

/// Is `s` acceptable as a publish subject in pedantic mode: a valid subject
/// with no wildcard token.
pub fn is_valid_literal_subject(s: &[u8]) -> bool {
    is_valid_subject(s) && subject_is_literal(s)
}

/// Is `q` acceptable as a queue group name: non-empty, no whitespace.
pub fn is_valid_queue(q: &[u8]) -> bool {
    !q.is_empty() && !q.iter().any(|&b| is_space(b))
}

/// True when no token of `s` is a whole-token `*` or `>`. Says nothing about
/// validity otherwise.
pub fn subject_is_literal(s: &[u8]) -> bool {
    tokens(s).all(|tok| tok != PWC_TOKEN && tok != FWC_TOKEN)
}

/// Does the subject `subject`, read as literal tokens, match `pattern`?
///
/// `*` in the pattern matches exactly one token and `>` one or more, so
/// `foo.>` does not match `foo`. Wildcard tokens in `subject` are compared
/// literally, exactly as the trie compares them, which keeps cache
/// invalidation consistent with matching. A subject with an empty token
/// matches nothing. No panic on any input.
pub fn matches(pattern: &[u8], subject: &[u8]) -> bool {
    if has_empty_token(subject) {
        return false;
    }
    let mut pat = tokens(pattern);
    let mut sub = tokens(subject);
    loop {
        match (pat.next(), sub.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) => {
                if p == FWC_TOKEN {
                    return true;
                }
                if p != PWC_TOKEN && p != s {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (subject, valid for SUB, valid for pedantic PUB)
    const VALIDITY: &[(&str, bool, bool)] = &[
        ("foo", true, true),
        ("foo.bar", true, true),
        ("foo.bar.baz", true, true),
        ("*", true, false),
        (">", true, false),
        ("foo.*", true, false),
        ("*.bar", true, false),
        ("*.*", true, false),
        ("foo.>", true, false),
        ("foo.*.>", true, false),
        ("foo*", true, true),
        ("foo*.bar", true, true),
        ("a>b", true, true),
        ("foo.>bar", true, true),
        ("**", true, true),
        (">>", true, true),
        ("_INBOX.abc.*", true, false),
        ("föö.bär", true, true),
        ("日本.語", true, true),
        ("", false, false),
        (".", false, false),
        (".foo", false, false),
        ("foo.", false, false),
        ("foo..bar", false, false),
        ("foo.>.bar", false, false),
        (">.foo", false, false),
        ("foo.>.>", false, false),
        ("foo bar", false, false),
        ("foo\tbar", false, false),
        ("foo\rbar", false, false),
        ("foo\nbar", false, false),
        ("foo\x0cbar", false, false),
        (" ", false, false),
        ("foo.\t", false, false),
    ];

    #[test]
    fn validity_table() {
        for &(s, sub, publ) in VALIDITY {
            assert_eq!(is_valid_subject(s.as_bytes()), sub, "subscribe {:?}", s);
            let lit = is_valid_literal_subject(s.as_bytes());
            assert_eq!(lit, publ, "publish {:?}", s);
        }
    }

    #[test]
    fn queue_validity() {
        for q in ["q", "workers", "a.b", "*", ">", "日本"] {
            assert!(is_valid_queue(q.as_bytes()), "{:?}", q);
        }
        for q in ["", " ", "a b", "a\tb", "a\r", "\nb", "a\x0cb"] {
            assert!(!is_valid_queue(q.as_bytes()), "{:?}", q);
        }
    }

    #[test]
    fn literal_detection() {
        assert!(subject_is_literal(b"foo.bar"));
        assert!(subject_is_literal(b"foo*.b>r"));
        assert!(!subject_is_literal(b"foo.*"));
        assert!(!subject_is_literal(b">"));
        assert!(!subject_is_literal(b"*.x"));
    }

    /// (pattern, subject, matches)
    const MATCHES: &[(&str, &str, bool)] = &[
        ("foo", "foo", true),
        ("foo", "bar", false),
        ("foo", "foo.bar", false),
        ("foo.bar", "foo", false),
        ("foo.>", "foo", false),
        ("foo.>", "foo.bar", true),
        ("foo.>", "foo.bar.baz", true),
        ("foo.*", "foo.bar", true),
        ("foo.*", "foo.bar.baz", false),
        ("foo.*", "foo", false),
        ("*", "foo", true),
        ("*", "foo.bar", false),
        ("*.*", "foo.bar", true),
        ("*.*", "foo", false),
        ("*.*", "foo.bar.baz", false),
        (">", "foo", true),
        (">", "foo.bar.baz", true),
        ("*.>", "foo", false),
        ("*.>", "foo.bar", true),
        ("*.bar", "foo.bar", true),
        ("*.bar", "foo.baz", false),
        ("foo.*.baz", "foo.bar.baz", true),
        ("foo.*.baz", "foo.bar.bar", false),
        ("foo.*.>", "foo.bar", false),
        ("foo.*.>", "foo.bar.baz.qux", true),
        // Tokens that only contain wildcard bytes are literals.
        ("foo*", "foo*", true),
        ("foo*", "foox", false),
        ("foo*.bar", "foo*.bar", true),
        ("a>b", "a>b", true),
        ("a>b", "a.b", false),
        // Wildcards in the subject compare literally.
        ("foo.bar", "foo.*", false),
        ("foo.*", "foo.*", true),
        ("foo.>", "foo.>", true),
        // Unicode tokens.
        ("日本.*", "日本.語", true),
        ("föö.>", "föö.bär.x", true),
        ("föö.bär", "föö.bar", false),
        // Subjects that can match nothing.
        (">", "", false),
        (">", "foo..bar", false),
        ("*.*", ".foo", false),
        ("foo.*", "foo.", false),
        ("", "foo", false),
    ];

    #[test]
    fn match_table() {
        for &(p, s, want) in MATCHES {
            assert_eq!(
                matches(p.as_bytes(), s.as_bytes()),
                want,
                "{:?} ~ {:?}",
                p,
                s
            );
        }
    }

    #[test]
    fn tokens_split_like_split() {
        for s in ["", ".", "a", "a.b", "a..b", ".a.", "日本.語"] {
            let ours: Vec<&[u8]> = tokens(s.as_bytes()).collect();
            let std: Vec<&[u8]> = s.as_bytes().split(|&b| b == cc::TSEP).collect();
            assert_eq!(ours, std, "{:?}", s);
        }
    }

    #[test]
    fn empty_token_detection() {
        for s in ["", ".", ".a", "a.", "a..b", "a.b."] {
            assert!(has_empty_token(s.as_bytes()), "{:?}", s);
        }
        for s in ["a", "a.b", "*.>", " "] {
            assert!(!has_empty_token(s.as_bytes()), "{:?}", s);
        }
    }
}

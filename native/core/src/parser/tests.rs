//! Parser tests in the three forms of nats-server's parser_test.go and
//! split_test.go: byte at a time with the state after each byte, a table of
//! ops that must fail, and every op split at every offset. A seeded
//! mutation loop checks that garbage ends in records or an error, never a
//! panic or a stall.

use super::*;
use crate::testutil::Rng;

/// One decoded record with its byte fields resolved, for comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Op {
    kind: u32,
    subject: Vec<u8>,
    reply: Vec<u8>,
    sid: Vec<u8>,
    payload: Vec<u8>,
    num: u32,
    has_num: bool,
}

fn field(buf: &[u8], off: u32, len: u32) -> Vec<u8> {
    buf[off as usize..(off + len) as usize].to_vec()
}

/// Runs the parser over `chunks`, re-calling on a full output, and returns
/// the decoded ops (an ERROR op ends the list).
fn run(p: &mut Parser, chunks: &[&[u8]], out_records: usize) -> Vec<Op> {
    let mut out = vec![0u32; HEADER_WORDS + out_records * RECORD_WORDS];
    let mut ops = Vec::new();
    for chunk in chunks {
        let mut rest: &[u8] = chunk;
        loop {
            let n = p.parse(rest, &mut out);
            assert_eq!(n as u32, out[H_COUNT]);
            for r in 0..n {
                let w = &out[HEADER_WORDS + r * RECORD_WORDS..][..RECORD_WORDS];
                let kind = w[R_KIND] & KIND_MASK;
                if kind == kind::ERROR {
                    ops.push(Op {
                        kind,
                        subject: vec![],
                        reply: vec![],
                        sid: vec![],
                        payload: vec![],
                        num: w[R_NUM],
                        has_num: false,
                    });
                    continue;
                }
                let src: &[u8] = if w[R_KIND] & FLAG_CARRY != 0 { p.carry() } else { rest };
                ops.push(Op {
                    kind,
                    subject: field(src, w[R_SUBJECT_OFF], w[R_SUBJECT_LEN]),
                    reply: field(src, w[R_REPLY_OFF], w[R_REPLY_LEN]),
                    sid: field(src, w[R_SID_OFF], w[R_SID_LEN]),
                    payload: field(src, w[R_PAYLOAD_OFF], w[R_PAYLOAD_LEN]),
                    num: w[R_NUM],
                    has_num: w[R_KIND] & FLAG_HAS_NUM != 0,
                });
            }
            let consumed = out[H_CONSUMED] as usize;
            assert!(consumed <= rest.len());
            if out[H_STATUS] & STATUS_ERROR != 0 {
                return ops;
            }
            if out[H_STATUS] & STATUS_FULL != 0 && consumed < rest.len() {
                rest = &rest[consumed..];
                continue;
            }
            assert_eq!(consumed, rest.len());
            break;
        }
    }
    ops
}

fn op(kind: u32, subject: &str, reply: &str, sid: &str, payload: &str, num: u32) -> Op {
    Op {
        kind,
        subject: subject.into(),
        reply: reply.into(),
        sid: sid.into(),
        payload: payload.into(),
        num,
        has_num: kind == kind::UNSUB && num > 0,
    }
}

fn parse_all(input: &[u8]) -> Vec<Op> {
    run(&mut Parser::default(), &[input], 64)
}

fn err(code: u32) -> Op {
    Op { kind: kind::ERROR, subject: vec![], reply: vec![], sid: vec![], payload: vec![], num: code, has_num: false }
}

#[test]
fn ping_byte_at_a_time() {
    let mut p = Parser::default();
    let mut out = vec![0u32; Parser::min_output_words()];
    let want = [State::OpP, State::OpPi, State::OpPin, State::OpPing, State::OpPing, State::OpStart];
    for (b, s) in b"PING\r\n".iter().zip(want.iter()) {
        p.parse(&[*b], &mut out);
        assert_eq!(p.state(), *s);
    }
    assert_eq!(out[H_COUNT], 1);
    assert_eq!(out[HEADER_WORDS + R_KIND], kind::PING);
}

#[test]
fn pub_byte_at_a_time() {
    use State::*;
    let mut p = Parser::default();
    let mut out = vec![0u32; Parser::min_output_words()];
    let want = [
        OpP, OpPu, OpPub, OpPubSpc, PubArg, PubArg, PubArg, PubArg, MsgPayload, MsgPayload, MsgEndR,
        MsgEndN, OpStart,
    ];
    let input = b"PUB a 2\r\nhi\r\n";
    let mut got = Vec::new();
    for (i, b) in input.iter().enumerate() {
        p.parse(&[*b], &mut out);
        assert_eq!(p.state(), want[i], "after byte {} ({:?})", i, *b as char);
        if out[H_COUNT] == 1 {
            got.push(out[HEADER_WORDS + R_KIND]);
            let w = &out[HEADER_WORDS..];
            assert_ne!(w[R_KIND] & FLAG_CARRY, 0);
            assert_eq!(field(p.carry(), w[R_SUBJECT_OFF], w[R_SUBJECT_LEN]), b"a");
            assert_eq!(field(p.carry(), w[R_PAYLOAD_OFF], w[R_PAYLOAD_LEN]), b"hi");
        }
    }
    assert_eq!(got, vec![kind::PUB | FLAG_CARRY]);
}

#[test]
fn every_op_and_argument_shape() {
    let cases: Vec<(&str, Vec<Op>)> = vec![
        ("CONNECT {\"verbose\":false}\r\n", vec![op(kind::CONNECT, "{\"verbose\":false}", "", "", "", 0)]),
        ("connect {}\r\n", vec![op(kind::CONNECT, "{}", "", "", "", 0)]),
        ("CONNECT{}\r\n", vec![op(kind::CONNECT, "{}", "", "", "", 0)]),
        ("PUB foo 5\r\nhello\r\n", vec![op(kind::PUB, "foo", "", "", "hello", 0)]),
        ("pub foo.bar _INBOX.x 0\r\n\r\n", vec![op(kind::PUB, "foo.bar", "_INBOX.x", "", "", 0)]),
        ("PUB\tfoo \t bar\t3\r\nabc\r\n", vec![op(kind::PUB, "foo", "bar", "", "abc", 0)]),
        ("PUB foo 3\nabc\r\n", vec![op(kind::PUB, "foo", "", "", "abc", 0)]),
        ("PUB foo 4\r\na\r\nb\r\n", vec![op(kind::PUB, "foo", "", "", "a\r\nb", 0)]),
        (
            "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
            vec![op(kind::HPUB, "foo", "", "", "NATS/1.0\r\n\r\nhi", 12)],
        ),
        (
            "hpub foo rep 12 12\r\nNATS/1.0\r\n\r\n\r\n",
            vec![op(kind::HPUB, "foo", "rep", "", "NATS/1.0\r\n\r\n", 12)],
        ),
        ("SUB foo 1\r\n", vec![op(kind::SUB, "foo", "", "1", "", 0)]),
        ("sub foo.* grp 22\r\n", vec![op(kind::SUB, "foo.*", "grp", "22", "", 0)]),
        ("SuB  >   9\r\n", vec![op(kind::SUB, ">", "", "9", "", 0)]),
        ("UNSUB 1\r\n", vec![op(kind::UNSUB, "", "", "1", "", 0)]),
        ("unsub 1 5\r\n", vec![op(kind::UNSUB, "", "", "1", "", 5)]),
        ("PING\r\n", vec![op(kind::PING, "", "", "", "", 0)]),
        ("ping\r\n", vec![op(kind::PING, "", "", "", "", 0)]),
        ("PING\n", vec![op(kind::PING, "", "", "", "", 0)]),
        ("PONG\r\n", vec![op(kind::PONG, "", "", "", "", 0)]),
        ("INFO {\"a\":1} \r\n", vec![op(kind::INFO, "{\"a\":1} ", "", "", "", 0)]),
        ("MSG foo 1 3\r\nabc\r\n", vec![op(kind::MSG, "foo", "", "1", "abc", 0)]),
        ("MSG foo 1 bar 3\r\nabc\r\n", vec![op(kind::MSG, "foo", "bar", "1", "abc", 0)]),
        (
            "HMSG foo 1 bar 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
            vec![op(kind::HMSG, "foo", "bar", "1", "NATS/1.0 503\r\n\r\n", 16)],
        ),
        ("+OK\r\n", vec![op(kind::OK, "", "", "", "", 0)]),
        ("-ERR 'Unknown Protocol Operation'\r\n", vec![op(kind::ERR, "'Unknown Protocol Operation'", "", "", "", 0)]),
        (
            "PING\r\nPUB a 1\r\nx\r\nSUB a 1\r\nPONG\r\n",
            vec![
                op(kind::PING, "", "", "", "", 0),
                op(kind::PUB, "a", "", "", "x", 0),
                op(kind::SUB, "a", "", "1", "", 0),
                op(kind::PONG, "", "", "", "", 0),
            ],
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse_all(input.as_bytes()), want, "input {:?}", input);
    }
}

#[test]
fn ops_that_must_fail() {
    let cases: Vec<(&str, u32)> = vec![
        ("FOO\r\n", error::UNKNOWN_OP),
        ("PUBX a 1\r\n", error::UNKNOWN_OP),
        ("P\r\n", error::UNKNOWN_OP),
        ("PUB a 1\r\nab\r\n", error::UNKNOWN_OP),
        ("PUB a 1\r\na\n\r", error::UNKNOWN_OP),
        ("PUB a\r\n", error::BAD_ARGS),
        ("PUB a b c 1\r\n", error::BAD_ARGS),
        ("PUB a x\r\n", error::BAD_SIZE),
        ("PUB a -1\r\n", error::BAD_SIZE),
        ("PUB a 1234567890\r\n", error::BAD_SIZE),
        ("PUB a 1048577\r\n", error::MAX_PAYLOAD),
        ("HPUB a 10\r\n", error::BAD_ARGS),
        ("HPUB a 10 5\r\n", error::BAD_HEADER_SIZE),
        ("HPUB a x 5\r\n", error::BAD_SIZE),
        ("HPUB a 1 1048577\r\n", error::MAX_PAYLOAD),
        ("SUB foo\r\n", error::BAD_ARGS),
        ("SUB a b c d\r\n", error::BAD_ARGS),
        ("UNSUB\t \r\n", error::BAD_ARGS),
        ("UNSUB 1 x\r\n", error::BAD_SIZE),
        ("UNSUB 1 2 3\r\n", error::BAD_ARGS),
        ("MSG foo 3\r\n", error::BAD_ARGS),
        ("\r\n", error::UNKNOWN_OP),
        (" PING\r\n", error::UNKNOWN_OP),
    ];
    for (input, code) in cases {
        let got = parse_all(input.as_bytes());
        assert_eq!(got.last(), Some(&err(code)), "input {:?}: {:?}", input, got);
    }
}

#[test]
fn error_record_names_the_offending_byte() {
    let mut p = Parser::default();
    let mut out = vec![0u32; 64];
    let n = p.parse(b"PING\r\nPUX", &mut out);
    assert_eq!(n, 2);
    let w = &out[HEADER_WORDS + RECORD_WORDS..];
    assert_eq!(w[R_KIND], kind::ERROR);
    assert_eq!(w[R_SUBJECT_OFF], 8);
    assert_eq!(out[H_STATUS] & STATUS_ERROR, STATUS_ERROR);
    assert_eq!(out[H_CONSUMED], 8);
    // The parser is usable again after an error.
    assert_eq!(p.parse(b"PONG\r\n", &mut out), 1);
}

#[test]
fn control_line_limit() {
    let long = format!("SUB {} 1\r\n", "a".repeat(5000));
    assert_eq!(parse_all(long.as_bytes()), vec![err(error::CONTROL_LINE)]);
    // Arguments of exactly the limit pass.
    let exact = format!("SUB {} 1\r\n", "a".repeat(4094));
    assert_eq!(parse_all(exact.as_bytes())[0].kind, kind::SUB);
    // Without a newline, the limit cuts a flood at the end of the chunk.
    let flood = format!("PUB {}", "a".repeat(5000));
    assert_eq!(parse_all(flood.as_bytes()), vec![err(error::CONTROL_LINE)]);
    // Across chunks too: no chunk alone is over the limit.
    let mut p = Parser::default();
    let piece = "a".repeat(3000);
    let chunks: Vec<&[u8]> = vec![b"SUB ", piece.as_bytes(), piece.as_bytes()];
    assert_eq!(run(&mut p, &chunks, 8), vec![err(error::CONTROL_LINE)]);
    // A parser with the limit off accepts it.
    let mut p = Parser::new(0, 0);
    assert_eq!(run(&mut p, &[long.as_bytes()], 8)[0].kind, kind::SUB);
}

#[test]
fn payload_limit_is_configurable() {
    let mut p = Parser::new(4096, 4);
    assert_eq!(run(&mut p, &[b"PUB a 5\r\n"], 8), vec![err(error::MAX_PAYLOAD)]);
    let mut p = Parser::new(4096, 4);
    assert_eq!(run(&mut p, &[b"PUB a 4\r\nabcd\r\n"], 8)[0].payload, b"abcd");
}

/// A stream holding every op shape, for the split tests.
fn sample_stream() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
    s.extend_from_slice(b"PING\r\nSUB foo.* q 1\r\nSUB > 2\r\nUNSUB 2 10\r\n");
    s.extend_from_slice(b"PUB foo.bar 5\r\nhello\r\nPUB foo.bar _INBOX.a.b 0\r\n\r\n");
    s.extend_from_slice(b"HPUB foo hd 12 15\r\nNATS/1.0\r\n\r\nabc\r\n");
    s.extend_from_slice(b"MSG foo 9 rr 4\r\n\r\n\r\n\r\nHMSG x 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
    s.extend_from_slice(b"+OK\r\n-ERR 'Stale Connection'\r\nINFO {} \r\npong\r\n");
    s
}

#[test]
fn every_split_position_gives_the_same_ops() {
    let s = sample_stream();
    let whole = parse_all(&s);
    assert_eq!(whole.len(), 14);
    for cut in 0..=s.len() {
        let mut p = Parser::default();
        let got = run(&mut p, &[&s[..cut], &s[cut..]], 64);
        assert_eq!(got, whole, "cut at {}", cut);
    }
    // Two cuts, so that an op can span three chunks.
    for a in 0..s.len() {
        for b in (a..=s.len()).step_by(7) {
            let mut p = Parser::default();
            assert_eq!(run(&mut p, &[&s[..a], &s[a..b], &s[b..]], 64), whole, "cuts {} {}", a, b);
        }
    }
    // One byte at a time.
    let bytes: Vec<&[u8]> = s.chunks(1).collect();
    assert_eq!(run(&mut Parser::default(), &bytes, 64), whole);
}

#[test]
fn full_output_resumes_where_it_stopped() {
    let s = sample_stream();
    let whole = parse_all(&s);
    for cap in 1..4 {
        assert_eq!(run(&mut Parser::default(), &[&s], cap), whole, "capacity {}", cap);
    }
}

#[test]
fn large_payload_across_many_chunks() {
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut s = format!("PUB big 300000\r\n").into_bytes();
    s.extend_from_slice(&payload);
    s.extend_from_slice(b"\r\nPING\r\n");
    let chunks: Vec<&[u8]> = s.chunks(65536).collect();
    let got = run(&mut Parser::default(), &chunks, 8);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].payload, payload);
    assert_eq!(got[1].kind, kind::PING);
}


#[test]
fn mutated_input_never_panics_or_stalls() {
    let base = sample_stream();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = vec![0u32; HEADER_WORDS + 16 * RECORD_WORDS];
    for _ in 0..20_000 {
        let mut s = base.clone();
        for _ in 0..(rng.next() % 8) {
            let at = (rng.next() as usize) % s.len();
            match rng.next() % 3 {
                0 => s[at] = rng.next() as u8,
                1 => {
                    s.remove(at);
                }
                _ => s.insert(at, b"\r\n *>.0123456789PUB"[(rng.next() % 19) as usize]),
            }
        }
        let mut p = Parser::new(256, 1024);
        let mut rest: &[u8] = &s;
        let cut = (rng.next() as usize) % (rest.len() + 1);
        let mut pieces = vec![&rest[..cut]];
        rest = &rest[cut..];
        pieces.push(rest);
        for piece in pieces {
            let mut left = piece;
            let mut calls = 0;
            loop {
                calls += 1;
                assert!(calls <= left.len() + 2, "no progress");
                p.parse(left, &mut out);
                let consumed = out[H_CONSUMED] as usize;
                if out[H_STATUS] & STATUS_FULL != 0 && consumed < left.len() {
                    assert!(consumed > 0);
                    left = &left[consumed..];
                    continue;
                }
                break;
            }
        }
    }
}

/// Parser throughput inside Rust on a PUB stream of 128-byte payloads in
/// 64 KiB chunks (the figure the N-API boundary is measured against in
/// bench/parser.ts). Run: cargo test --release -p stan-core bench_parse -- --ignored --nocapture
#[test]
#[ignore]
fn bench_parse() {
    let payload = [b'x'; 128];
    let mut stream = Vec::new();
    let mut n = 0;
    while stream.len() < 16 << 20 {
        let line = if n % 4 == 0 {
            format!("PUB foo.bar.{} _INBOX.abcdefghij.{} 128\r\n", n % 100, n)
        } else {
            format!("PUB foo.bar.{} 128\r\n", n % 100)
        };
        stream.extend_from_slice(line.as_bytes());
        stream.extend_from_slice(&payload);
        stream.extend_from_slice(b"\r\n");
        n += 1;
    }
    let mut out = vec![0u32; HEADER_WORDS + 1024 * RECORD_WORDS];
    let mut best = f64::MAX;
    let mut ops = 0usize;
    for _ in 0..10 {
        let mut p = Parser::default();
        let start = std::time::Instant::now();
        ops = 0;
        for chunk in stream.chunks(65536) {
            let mut rest = chunk;
            loop {
                ops += p.parse(rest, &mut out);
                let consumed = out[H_CONSUMED] as usize;
                if out[H_STATUS] & STATUS_FULL != 0 && consumed < rest.len() {
                    rest = &rest[consumed..];
                    continue;
                }
                break;
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    assert_eq!(ops, n);
    println!(
        "parser inside Rust: {:.0} MB/s, {:.1} M ops/s ({} ops, {} MB)",
        stream.len() as f64 / best / 1e6,
        ops as f64 / best / 1e6,
        ops,
        stream.len() >> 20
    );
}

fn parse_route(input: &[u8]) -> Vec<Op> {
    let mut p = Parser::default();
    p.set_route(true);
    run(&mut p, &[input], 64)
}

fn rs(kind: u32, account: &str, subject: &str, queue: &str, weight: u32) -> Op {
    Op {
        kind,
        subject: subject.into(),
        reply: queue.into(),
        sid: account.into(),
        payload: vec![],
        num: weight,
        has_num: weight > 0,
    }
}

#[test]
fn route_ops_as_nats_server_2_9_sends_them() {
    let got = parse_route(
        b"RS+ $G foo.>\r\nRS+ $G q.x grp 3\r\nRS- $G q.x grp\r\nRS- $G foo.>\r\n\
RMSG $G foo 2\r\nhi\r\nRMSG $G foo _INBOX.1 2\r\nhi\r\nRMSG $G foo + _INBOX.2 g1 g2 2\r\nhi\r\n\
RMSG $G foo | g1 2\r\nhi\r\nRMSG $G foo + _INBOX.3 2\r\nhi\r\nHMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n\
HMSG $G foo + r g 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
    );
    let m = |subject: &str, reply: &str, queues: &str, payload: &str, num: u32, kind: u32| Op {
        kind,
        subject: subject.into(),
        reply: reply.into(),
        sid: queues.into(),
        payload: payload.into(),
        num,
        has_num: false,
    };
    let want = vec![
        rs(kind::RS_SUB, "$G", "foo.>", "", 0),
        rs(kind::RS_SUB, "$G", "q.x", "grp", 3),
        rs(kind::RS_UNSUB, "$G", "q.x", "grp", 0),
        rs(kind::RS_UNSUB, "$G", "foo.>", "", 0),
        m("foo", "", "", "hi", 0, kind::RMSG),
        m("foo", "_INBOX.1", "", "hi", 0, kind::RMSG),
        m("foo", "_INBOX.2", "g1 g2", "hi", 0, kind::RMSG),
        m("foo", "", "g1", "hi", 0, kind::RMSG),
        m("foo", "_INBOX.3", "", "hi", 0, kind::RMSG),
        m("foo", "", "", "NATS/1.0\r\n\r\nhi", 12, kind::HMSG),
        m("foo", "r", "g", "NATS/1.0\r\n\r\nhi", 12, kind::HMSG),
    ];
    assert_eq!(got, want);
}

#[test]
fn route_ops_are_unknown_to_a_client_parser_and_checked_on_a_route() {
    assert_eq!(parse_all(b"RS+ $G foo\r\n"), vec![err(error::UNKNOWN_OP)]);
    assert_eq!(parse_route(b"RS+ $G\r\n"), vec![err(error::BAD_ARGS)]);
    assert_eq!(parse_route(b"RS+ $G foo q\r\n"), vec![err(error::BAD_ARGS)]);
    assert_eq!(parse_route(b"RS+ $G foo q x\r\n"), vec![err(error::BAD_SIZE)]);
    assert_eq!(parse_route(b"RMSG $G 2\r\n"), vec![err(error::BAD_ARGS)]);
    assert_eq!(parse_route(b"RMSG $G foo * q 2\r\n"), vec![err(error::BAD_ARGS)]);
    assert_eq!(parse_route(b"RMSG $G foo x\r\n"), vec![err(error::BAD_SIZE)]);
    assert_eq!(parse_route(b"HMSG $G foo 9 2\r\n"), vec![err(error::BAD_HEADER_SIZE)]);
}

#[test]
fn routed_ops_split_at_every_position() {
    let input: &[u8] = b"RS+ $G q.x grp 3\r\nRMSG $SYS foo + _INBOX.2 g1 g2 2\r\nhi\r\nHMSG $G foo | g 12 14\r\nNATS/1.0\r\n\r\nhi\r\n";
    let whole = parse_route(input);
    assert_eq!(whole.len(), 3);
    for cut in 1..input.len() {
        let mut p = Parser::default();
        p.set_route(true);
        assert_eq!(run(&mut p, &[&input[..cut], &input[cut..]], 64), whole, "cut at {}", cut);
    }
}

//! Known vectors plus seeded properties: every backend equals the bitwise
//! reference, and updates compose.

use crate::testutil::Rng;
use super::{checksum_ieee, seal, table, update, update_slow, SpanOutOfRange, Table, IEEE};

/// Castagnoli (CRC-32C, iSCSI) in reversed form; Go's `crc32.Castagnoli`.
const CASTAGNOLI: u32 = 0x82f6_3b78;
/// Koopman in reversed form; Go's `crc32.Koopman`.
const KOOPMAN: u32 = 0xeb31_d82e;
const POLYS: [u32; 3] = [IEEE, CASTAGNOLI, KOOPMAN];

/// Longest generated input: past 4 KiB so the fold loop runs many steps.
const MAX_LEN: usize = 4100;
/// Misalignments tried per length (one whole 16-byte block).
const OFFSETS: usize = 16;


/// Lengths at and around every backend boundary (16-byte table step,
/// 16-byte fold block, 32-byte fold threshold, 64-byte fold step), all
/// short lengths, plus seeded random ones up to `MAX_LEN`.
fn lengths(rng: &mut Rng) -> Vec<usize> {
    let mut v: Vec<usize> = (0..=300).collect();
    for base in [16, 64, 128, 256, 512, 1024, 4096] {
        for m in 1..=3 {
            let n: usize = base * m;
            v.extend([n - 1, n, n + 1, n + 15, n + 16, n + 17]);
        }
    }
    v.extend((0..150).map(|_| rng.below(MAX_LEN + 1)));
    v.push(MAX_LEN);
    v.retain(|&n| n <= MAX_LEN);
    v
}

// Check values for "123456789": CRC-32/ISO-HDLC (IEEE) 0xCBF43926 and
// CRC-32/ISCSI (Castagnoli) 0xE3069283 from Greg Cook's "Catalogue of
// parametrised CRC algorithms" (reveng.sourceforge.io/crc-catalogue);
// Koopman 0x2D3DD0AE as in the `crc` crate 1.x tests (`checksum_koopman`)
// and BACnet's CRC-32K (ANSI/ASHRAE 135 Annex G). "The quick brown fox..."
// 0x414FA339 is Rosetta Code's "CRC-32" task answer (and zlib's).
#[test]
fn check_vectors() {
    let cases = [
        (IEEE, &b"123456789"[..], 0xcbf4_3926),
        (CASTAGNOLI, &b"123456789"[..], 0xe306_9283),
        (KOOPMAN, &b"123456789"[..], 0x2d3d_d0ae),
        (
            IEEE,
            &b"The quick brown fox jumps over the lazy dog"[..],
            0x414f_a339,
        ),
    ];
    for (poly, data, want) in cases {
        assert_eq!(update(0, poly, data), want, "poly {:#x}", poly);
        assert_eq!(update_slow(0, poly, data), want, "slow {:#x}", poly);
        assert_eq!(Table::new(poly).update(0, data), want);
    }
    assert_eq!(checksum_ieee(b"123456789"), 0xcbf4_3926);
}

#[test]
fn empty_input_keeps_crc() {
    for poly in POLYS {
        assert_eq!(update(0, poly, &[]), 0);
        assert_eq!(update(0x1234_5678, poly, &[]), 0x1234_5678);
        assert_eq!(update_slow(0, poly, &[]), 0);
    }
    assert_eq!(checksum_ieee(&[]), 0);
}

#[test]
fn fast_equals_slow() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let buf = rng.bytes(MAX_LEN + OFFSETS);
    for len in lengths(&mut rng) {
        let off = rng.below(OFFSETS);
        let data = &buf[off..off + len];
        let seed = rng.next() as u32;
        for poly in POLYS {
            let want = update_slow(seed, poly, data);
            let t = table(poly);
            assert_eq!(update(seed, poly, data), want, "{:#x} {}", poly, len);
            // The table walk alone, which the fold path skips for long
            // inputs on x86_64.
            assert_eq!(!t.slice16(!seed, data), want, "table walk {}", len);
        }
    }
}

#[test]
fn every_offset_of_short_inputs() {
    let mut rng = Rng(7);
    let buf = rng.bytes(512 + OFFSETS);
    for off in 0..OFFSETS {
        for len in 0..=160 {
            let data = &buf[off..off + len];
            for poly in POLYS {
                assert_eq!(
                    update(0, poly, data),
                    update_slow(0, poly, data),
                    "{:#x} off {} len {}",
                    poly,
                    off,
                    len
                );
            }
        }
    }
}

#[test]
fn random_polynomials_match_slow() {
    // Any 32-bit value is a valid degree-32 polynomial for the folding
    // math, irreducible or not; more of them than the cache holds also
    // exercises the throwaway-table path.
    let mut rng = Rng(0x5eed);
    let buf = rng.bytes(2048);
    for _ in 0..24 {
        let poly = rng.next() as u32;
        let len = rng.below(buf.len() + 1);
        let data = &buf[..len];
        let want = update_slow(0, poly, data);
        assert_eq!(update(0, poly, data), want, "{:#x} {}", poly, len);
        assert_eq!(Table::new(poly).update(0, data), want);
    }
}

#[test]
fn updates_compose_at_every_split() {
    let buf = Rng(42).bytes(300);
    for poly in POLYS {
        let whole = update(0, poly, &buf);
        for at in 0..=buf.len() {
            let (a, b) = buf.split_at(at);
            assert_eq!(update(update(0, poly, a), poly, b), whole, "{}", at);
        }
    }
}

#[test]
fn tables_are_cached_and_agree() {
    assert!(std::ptr::eq(table(IEEE), table(IEEE)));
    assert!(std::ptr::eq(table(CASTAGNOLI), table(CASTAGNOLI)));
    assert_eq!(table(KOOPMAN).poly(), KOOPMAN);
    // The compile-time IEEE rows equal the run-time builder's.
    assert!(table(IEEE).rows() == Table::new(IEEE).rows());
}

/// Throughput on 1 MiB buffers, by hand:
/// `cargo test --release -p stan-core bench_throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_throughput() {
    use std::time::Instant;
    const MIB: usize = 1 << 20;
    const ROUNDS: usize = 1000;
    let buf = Rng(1).bytes(MIB);
    let gbps = |secs: f64| (MIB * ROUNDS) as f64 / secs / 1e9;
    for (name, poly) in [("IEEE", IEEE), ("Castagnoli", CASTAGNOLI)] {
        let t = table(poly);
        let mut sink = 0u32;
        let start = Instant::now();
        for _ in 0..ROUNDS {
            sink ^= t.update(sink, &buf);
        }
        let fast = gbps(start.elapsed().as_secs_f64());
        let start = Instant::now();
        for _ in 0..ROUNDS / 10 {
            sink ^= t.slice16(sink, &buf);
        }
        let walk = gbps(start.elapsed().as_secs_f64() * 10.0);
        println!(
            "crc32 {}: {:.2} GB/s (table walk alone {:.2} GB/s) [{:08x}]",
            name, fast, walk, sink
        );
    }
}

/// The fold backend called directly, so a regression there cannot hide
/// behind the dispatcher's length threshold. Skips on CPUs without it.
#[cfg(target_arch = "x86_64")]
#[test]
fn fold_path_matches_slow() {
    let mut rng = Rng(0xf01d);
    let buf = rng.bytes(MAX_LEN + OFFSETS);
    for len in lengths(&mut rng) {
        let off = rng.below(OFFSETS);
        let data = &buf[off..off + len];
        for poly in POLYS {
            let got = match super::pclmul::update(table(poly), !0, data) {
                Some(state) => !state,
                None => return,
            };
            assert_eq!(got, update_slow(0, poly, data), "{:#x} {}", poly, len);
        }
    }
}

#[test]
fn seal_writes_each_span_checksum() {
    let mut rng = Rng(0x5ea1);
    for poly in POLYS {
        let mut buf = rng.bytes(4096);
        let mut want = buf.clone();
        // Records as the file store lays them out: 8-byte header (size, crc) then payload.
        let mut spans = Vec::new();
        let mut p = 0;
        while p + 8 < buf.len() {
            let size = rng.below(300).min(buf.len() - p - 8);
            spans.extend_from_slice(&[(p + 4) as u32, (p + 8) as u32, (p + 8 + size) as u32]);
            let c = update_slow(0, poly, &want[p + 8..p + 8 + size]);
            want[p + 4..p + 8].copy_from_slice(&c.to_le_bytes());
            p += 8 + size;
        }
        seal(&mut buf, &spans, poly).unwrap();
        assert_eq!(buf, want, "{:#x}", poly);
    }
}

#[test]
fn seal_checks_every_span_before_writing() {
    let mut buf = vec![7u8; 64];
    let spans = [0, 8, 16, /* bad: */ 62, 0, 8];
    assert_eq!(seal(&mut buf, &spans, IEEE), Err(SpanOutOfRange(1)));
    assert!(buf.iter().all(|&b| b == 7), "nothing written");
    assert_eq!(seal(&mut buf, &[0, 9, 8], IEEE), Err(SpanOutOfRange(0)), "start after end");
    assert_eq!(seal(&mut buf, &[0, 0, 65], IEEE), Err(SpanOutOfRange(0)), "end past the buffer");
    assert_eq!(seal(&mut buf, &[0, 0], IEEE), Err(SpanOutOfRange(0)), "not a triple");
    assert_eq!(seal(&mut buf, &[], IEEE), Ok(()));
}

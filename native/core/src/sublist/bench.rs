//! Rough timings, not assertions. Run in release:
//! `cargo test --release -p stan-core bench_match -- --ignored --nocapture`

use std::time::Instant;

use super::Sublist;

/// Calls `f(i)` for `i` in `0..n` and prints the rate. The sum of `f`'s
/// results is printed so the work cannot be optimised away (1.63 has no
/// `std::hint::black_box`).
fn rate(label: &str, n: usize, mut f: impl FnMut(usize) -> usize) {
    let start = Instant::now();
    let mut sink = 0usize;
    for i in 0..n {
        sink = sink.wrapping_add(f(i));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:<34} {:>8.2} M matches/s  (sink {})",
        label,
        n as f64 / secs / 1e6,
        sink
    );
}

/// About 1000 literal subscriptions plus a few wildcards.
fn literal_trie(cache: bool) -> Sublist {
    let mut s = Sublist::new(cache);
    for i in 0..1000u32 {
        let subject = format!("svc.{}.req", i);
        s.insert(subject.as_bytes(), None, i).unwrap();
    }
    s.insert(b"_INBOX.abc.*", None, 5000).unwrap();
    s.insert(b"svc.>", Some(b"audit"), 5001).unwrap();
    s
}

/// About 10k subscriptions, most of them with wildcards or in queues.
fn wildcard_trie(cache: bool) -> Sublist {
    let mut s = Sublist::new(cache);
    let mut id = 0u32;
    let mut add = |s: &mut Sublist, subject: String, queue: Option<&[u8]>| {
        id += 1;
        s.insert(subject.as_bytes(), queue, id).unwrap();
    };
    for x in 0..10 {
        for y in 0..10 {
            for z in 0..50 {
                add(&mut s, format!("a{}.b{}.c{}", x, y, z), None);
            }
            add(&mut s, format!("a{}.b{}.>", x, y), None);
            for k in 0..40 {
                let queue = [b"g0", b"g1", b"g2", b"g3"][k % 4];
                add(&mut s, format!("a{}.b{}.*", x, y), Some(&queue[..]));
            }
        }
        for z in 0..50 {
            add(&mut s, format!("a{}.*.c{}", x, z), None);
        }
    }
    for y in 0..10 {
        add(&mut s, format!("*.b{}.*", y), None);
    }
    s
}

#[test]
#[ignore]
fn bench_match() {
    const N: usize = 5_000_000;
    let mut out = Vec::new();

    let mut s = literal_trie(true);
    rate("literal, cached (hit)", N, |_| {
        s.match_into(b"svc.500.req", &mut out);
        out.len()
    });
    let mut s = literal_trie(false);
    rate("literal, uncached", N, |_| {
        s.match_into(b"svc.500.req", &mut out);
        out.len()
    });

    let subjects: Vec<String> = (0..5000)
        .map(|i| format!("a{}.b{}.c{}", i % 10, (i / 10) % 10, (i / 100) % 50))
        .collect();
    let mut s = wildcard_trie(false);
    println!("wildcard trie: {} subscriptions", s.count());
    rate("wildcard trie, uncached", N / 10, |i| {
        s.match_into(subjects[i % subjects.len()].as_bytes(), &mut out);
        out.len()
    });
    let mut s = wildcard_trie(true);
    rate("wildcard trie, cached (256 subj)", N, |i| {
        s.match_into(subjects[i % 256].as_bytes(), &mut out);
        out.len()
    });
    rate("wildcard trie, cached (5000 subj)", N / 10, |i| {
        s.match_into(subjects[i % subjects.len()].as_bytes(), &mut out);
        out.len()
    });
    println!("{:?}", s.stats());
}

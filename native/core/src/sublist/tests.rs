//! Sublist behaviour. Every test runs twice, cache on and off, as
//! nats-server's `TestX`/`TestXNoCache` pairs do (see [`both`]).

use crate::testutil::Rng;
use super::*;
use crate::subject::matches;

/// Runs `f` on a fresh cached and a fresh uncached sublist.
fn both(f: impl Fn(Sublist)) {
    f(Sublist::new(true));
    f(Sublist::new(false));
}

/// `match_into` as a fresh `Vec`.
fn m(s: &mut Sublist, subject: &str) -> Vec<u32> {
    let mut out = Vec::new();
    s.match_into(subject.as_bytes(), &mut out);
    out
}

/// Decodes a result into (plain ids, groups), checking that it is well
/// formed.
fn decode(r: &[u32]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let n_plain = r[0] as usize;
    let plain = r[1..1 + n_plain].to_vec();
    let mut at = 1 + n_plain;
    let n_groups = r[at] as usize;
    at += 1;
    let mut groups = Vec::new();
    for _ in 0..n_groups {
        let n = r[at] as usize;
        assert!(n > 0, "empty group in {:?}", r);
        groups.push(r[at + 1..at + 1 + n].to_vec());
        at += 1 + n;
    }
    assert_eq!(at, r.len(), "trailing data in {:?}", r);
    (plain, groups)
}

/// A decoded result with ids and groups sorted, for order-free comparison.
fn normalized(r: &[u32]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let (mut plain, mut groups) = decode(r);
    plain.sort_unstable();
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort();
    (plain, groups)
}

fn ins(s: &mut Sublist, subject: &str, queue: Option<&str>, id: u32) {
    s.insert(subject.as_bytes(), queue.map(str::as_bytes), id)
        .unwrap();
}

fn rm(s: &mut Sublist, subject: &str, queue: Option<&str>, id: u32) -> bool {
    s.remove(subject.as_bytes(), queue.map(str::as_bytes), id)
}

#[test]
fn insert_counts_and_literal_match() {
    both(|mut s| {
        ins(&mut s, "foo", None, 1);
        ins(&mut s, "foo.bar", None, 2);
        ins(&mut s, "foo.bar", None, 3);
        assert_eq!(s.count(), 3);
        assert_eq!(m(&mut s, "foo"), [1, 1, 0]);
        assert_eq!(m(&mut s, "foo.bar"), [2, 2, 3, 0]);
        assert_eq!(m(&mut s, "foo.baz"), EMPTY_RESULT);
        assert_eq!(m(&mut s, "bar"), EMPTY_RESULT);
    });
}

#[test]
fn wildcard_matches() {
    both(|mut s| {
        ins(&mut s, "foo.*", None, 1);
        ins(&mut s, "foo.>", None, 2);
        ins(&mut s, ">", None, 3);
        ins(&mut s, "*.*", None, 4);
        ins(&mut s, "*", None, 5);
        ins(&mut s, "foo*", None, 6);
        assert_eq!(normalized(&m(&mut s, "foo")), (vec![3, 5], vec![]));
        assert_eq!(
            normalized(&m(&mut s, "foo.bar")),
            (vec![1, 2, 3, 4], vec![])
        );
        assert_eq!(normalized(&m(&mut s, "foo.bar.baz")), (vec![2, 3], vec![]));
        assert_eq!(normalized(&m(&mut s, "foo*")), (vec![3, 5, 6], vec![]));
        assert_eq!(normalized(&m(&mut s, "foox")), (vec![3, 5], vec![]));
        assert_eq!(normalized(&m(&mut s, "日本.語")), (vec![3, 4], vec![]));
    });
}

#[test]
fn odd_match_subjects_do_not_panic() {
    both(|mut s| {
        ins(&mut s, ">", None, 1);
        ins(&mut s, "foo.*", None, 2);
        for bad in ["", ".", "foo.", ".foo", "foo..bar", ".."] {
            assert_eq!(m(&mut s, bad), EMPTY_RESULT, "{:?}", bad);
            assert!(!s.has_interest(bad.as_bytes()));
        }
        // Wildcards in a publish subject are literal tokens.
        assert_eq!(normalized(&m(&mut s, "foo.*")), (vec![1, 2], vec![]));
        assert_eq!(normalized(&m(&mut s, "*")), (vec![1], vec![]));
        assert_eq!(normalized(&m(&mut s, ">")), (vec![1], vec![]));
        assert_eq!(normalized(&m(&mut s, "foo bar")), (vec![1], vec![]));
    });
}

#[test]
fn queue_groups_and_plain() {
    both(|mut s| {
        ins(&mut s, "foo", Some("grp"), 1);
        ins(&mut s, "foo", Some("grp"), 2);
        ins(&mut s, "foo", None, 3);
        ins(&mut s, "foo", None, 4);
        assert_eq!(m(&mut s, "foo"), [2, 3, 4, 1, 2, 1, 2]);
    });
}

#[test]
fn same_group_via_different_patterns() {
    both(|mut s| {
        ins(&mut s, "foo.*", Some("q"), 1);
        ins(&mut s, "foo.bar", Some("q"), 2);
        ins(&mut s, "foo.>", Some("q"), 3);
        ins(&mut s, "foo.bar", Some("other"), 4);
        ins(&mut s, "*.bar", None, 5);
        let (plain, groups) = normalized(&m(&mut s, "foo.bar"));
        assert_eq!(plain, [5]);
        assert_eq!(groups, [vec![1, 2, 3], vec![4]]);
        // Deterministic order: `>` node, `*` node, literal node.
        assert_eq!(m(&mut s, "foo.bar"), [1, 5, 2, 3, 3, 1, 2, 1, 4]);
        assert_eq!(m(&mut s, "foo.baz"), [0, 1, 2, 3, 1]);
    });
}

#[test]
fn invalid_inserts_are_refused() {
    both(|mut s| {
        for bad in [
            "",
            "foo.",
            ".foo",
            "foo..bar",
            "foo.>.bar",
            "foo bar",
            "a\tb",
        ] {
            let got = s.insert(bad.as_bytes(), None, 1);
            assert_eq!(got, Err(SubjectError::InvalidSubject), "{:?}", bad);
        }
        for bad in ["", "a b", "a\nb"] {
            let got = s.insert(b"foo", Some(bad.as_bytes()), 1);
            assert_eq!(got, Err(SubjectError::InvalidQueue), "{:?}", bad);
        }
        assert_eq!(s.count(), 0);
        assert_eq!(s.genid(), 0);
        assert_eq!(s.node_count(), 0);
    });
}

#[test]
fn remove_of_what_was_never_inserted() {
    both(|mut s| {
        ins(&mut s, "foo.bar", None, 1);
        ins(&mut s, "foo.*", Some("q"), 2);
        let _ = m(&mut s, "foo.bar");
        let before = (s.count(), s.genid(), s.node_count());
        assert!(!rm(&mut s, "foo.baz", None, 1), "other subject");
        assert!(!rm(&mut s, "foo", None, 1), "prefix");
        assert!(!rm(&mut s, "foo.bar.baz", None, 1), "longer");
        assert!(!rm(&mut s, "foo.bar", None, 9), "wrong id");
        assert!(
            !rm(&mut s, "foo.bar", Some("q"), 1),
            "plain removed as queue"
        );
        assert!(!rm(&mut s, "foo.*", None, 2), "queue removed as plain");
        assert!(!rm(&mut s, "foo.*", Some("r"), 2), "wrong queue");
        assert!(!rm(&mut s, "foo.>", None, 1), "other wildcard");
        for bad in ["", "foo.", "..", "foo.>.x", "a b"] {
            assert!(!rm(&mut s, bad, None, 1), "invalid {:?}", bad);
        }
        assert!(!rm(&mut s, "foo.*", Some(""), 2), "invalid queue");
        assert_eq!((s.count(), s.genid(), s.node_count()), before);
        assert_eq!(m(&mut s, "foo.bar"), [1, 1, 1, 1, 2]);
        assert_eq!(s.stats().num_removes, 0);
    });
}

#[test]
fn duplicate_insert_keeps_one() {
    both(|mut s| {
        ins(&mut s, "foo", None, 1);
        ins(&mut s, "foo", None, 1);
        ins(&mut s, "foo", Some("q"), 2);
        ins(&mut s, "foo", Some("q"), 2);
        assert_eq!(s.count(), 2);
        assert_eq!(s.genid(), 2);
        assert_eq!(m(&mut s, "foo"), [1, 1, 1, 1, 2]);
        assert!(rm(&mut s, "foo", None, 1));
        assert!(!rm(&mut s, "foo", None, 1));
        assert!(rm(&mut s, "foo", Some("q"), 2));
        assert_eq!(m(&mut s, "foo"), EMPTY_RESULT);
        assert_eq!(s.node_count(), 0);
    });
}

#[test]
fn cache_sees_inserts_and_removes() {
    both(|mut s| {
        ins(&mut s, "foo.bar", None, 1);
        assert_eq!(m(&mut s, "foo.bar"), [1, 1, 0]);
        assert_eq!(m(&mut s, "foo.baz"), EMPTY_RESULT);
        ins(&mut s, "foo.*", None, 2);
        assert_eq!(m(&mut s, "foo.bar"), [2, 2, 1, 0]);
        assert_eq!(m(&mut s, "foo.baz"), [1, 2, 0]);
        ins(&mut s, ">", Some("q"), 3);
        assert_eq!(m(&mut s, "foo.bar"), [2, 2, 1, 1, 1, 3]);
        ins(&mut s, "foo.bar", None, 4);
        assert_eq!(m(&mut s, "foo.bar"), [3, 2, 1, 4, 1, 1, 3]);
        assert!(rm(&mut s, "foo.*", None, 2));
        assert_eq!(m(&mut s, "foo.bar"), [2, 1, 4, 1, 1, 3]);
        assert_eq!(m(&mut s, "foo.baz"), [0, 1, 1, 3]);
        assert!(rm(&mut s, ">", Some("q"), 3));
        assert_eq!(m(&mut s, "foo.baz"), EMPTY_RESULT);
        assert!(rm(&mut s, "foo.bar", None, 1));
        assert_eq!(m(&mut s, "foo.bar"), [1, 4, 0]);
        assert!(s.cache_len() <= 2);
    });
}

#[test]
fn cache_stays_bounded() {
    both(|mut s| {
        ins(&mut s, "load.>", None, 1);
        for i in 0..5000 {
            let got = m(&mut s, &format!("load.{}", i));
            assert_eq!(got, [1, 1, 0]);
            assert!(s.cache_len() <= CACHE_MAX);
        }
        assert!(s.stats().num_cache as usize <= CACHE_MAX);
        ins(&mut s, "load.*", None, 2);
        assert_eq!(m(&mut s, "load.4999"), [2, 1, 2, 0]);
    });
}

#[test]
fn genid_bumps_on_every_change() {
    both(|mut s| {
        assert_eq!(s.genid(), 0);
        ins(&mut s, "a", None, 1);
        assert_eq!(s.genid(), 1);
        ins(&mut s, "a.*", Some("q"), 2);
        assert_eq!(s.genid(), 2);
        let _ = m(&mut s, "a");
        assert_eq!(s.genid(), 2, "matching is not a change");
        assert!(!rm(&mut s, "a", None, 7));
        assert_eq!(s.genid(), 2, "failed remove is not a change");
        assert!(rm(&mut s, "a", None, 1));
        assert_eq!(s.genid(), 3);
    });
}

#[test]
fn stats_counters() {
    both(|mut s| {
        let cached = s.cache.is_some();
        assert_eq!(s.stats(), SublistStats::default());
        ins(&mut s, "foo", None, 1);
        ins(&mut s, "foo", Some("q"), 2);
        ins(&mut s, "foo", Some("q"), 3);
        ins(&mut s, "bar", None, 4);
        assert!(rm(&mut s, "bar", None, 4));
        for _ in 0..4 {
            let _ = m(&mut s, "foo");
        }
        let _ = m(&mut s, "baz");
        let st = s.stats();
        assert_eq!(st.num_subs, 3);
        assert_eq!(st.num_inserts, 4);
        assert_eq!(st.num_removes, 1);
        assert_eq!(st.num_matches, 5);
        if cached {
            // "foo" missed once then hit three times; "baz" missed.
            assert_eq!(st.cache_hit_rate, 3.0 / 5.0);
            assert_eq!(st.num_cache, 2);
            // "foo": one plain + one group; "baz": nothing.
            assert_eq!(st.max_fanout, 2);
            assert_eq!(st.avg_fanout, 1.0);
        } else {
            assert_eq!(st.cache_hit_rate, 0.0);
            assert_eq!((st.num_cache, st.max_fanout, st.avg_fanout), (0, 0, 0.0));
        }
    });
}

#[test]
fn has_interest_follows_the_trie() {
    both(|mut s| {
        ins(&mut s, "a.*.c", None, 1);
        ins(&mut s, "x.>", Some("q"), 2);
        for (subject, want) in [
            ("a.b.c", true),
            ("a.b", false),
            ("a.b.c.d", false),
            ("x", false),
            ("x.y", true),
            ("x.y.z", true),
            ("q", false),
        ] {
            assert_eq!(s.has_interest(subject.as_bytes()), want, "{}", subject);
            let _ = m(&mut s, subject); // warm, then ask again via the cache
            assert_eq!(s.has_interest(subject.as_bytes()), want, "{}", subject);
        }
    });
}

#[test]
fn match_into_clears_out() {
    both(|mut s| {
        ins(&mut s, "foo", None, 1);
        let mut out = vec![9, 9, 9, 9, 9];
        s.match_into(b"foo", &mut out);
        assert_eq!(out, [1, 1, 0]);
        out.push(7);
        s.match_into(b"foo", &mut out);
        assert_eq!(out, [1, 1, 0]);
        s.match_into(b"nope", &mut out);
        assert_eq!(out, EMPTY_RESULT);
    });
}

#[test]
fn removal_prunes_every_node() {
    both(|mut s| {
        let subject = |i: u32| format!("churn.{}.{}.x{}", i % 13, i, i % 3);
        let queue = |i: u32| if i % 4 == 0 { Some("q") } else { None };
        ins(&mut s, "keep.me", None, u32::MAX);
        let base = s.node_count();
        for i in 0..10_000 {
            ins(&mut s, &subject(i), queue(i), i);
            if i % 10 == 0 {
                ins(&mut s, &format!("churn.*.{}.>", i), None, 20_000 + i);
            }
            if i % 100 == 0 {
                let _ = m(&mut s, &subject(i));
            }
        }
        assert!(s.node_count() > 10_000);
        for i in (0..10_000).rev() {
            assert!(rm(&mut s, &subject(i), queue(i), i));
            if i % 10 == 0 {
                assert!(rm(&mut s, &format!("churn.*.{}.>", i), None, 20_000 + i));
            }
        }
        assert_eq!(s.count(), 1);
        assert_eq!(s.node_count(), base);
        assert!(rm(&mut s, "keep.me", None, u32::MAX));
        assert_eq!(s.node_count(), 0);
        assert_eq!(s.root.children_capacity(), 0);
    });
}


const ALPHABET: [&str; 3] = ["a", "b", "c"];
const QUEUES: [Option<&str>; 3] = [None, Some("q1"), Some("q2")];

/// A random pattern of 1-3 tokens over `ALPHABET`, `*`, and a final `>`.
fn random_pattern(rng: &mut Rng) -> String {
    let n = 1 + rng.below(3);
    let mut toks = Vec::new();
    for i in 0..n {
        let tok = match rng.below(8) {
            0 | 1 => "*",
            2 if i == n - 1 => ">",
            _ => ALPHABET[rng.below(ALPHABET.len())],
        };
        toks.push(tok);
    }
    toks.join(".")
}

/// A random publish subject of 1-4 tokens, rarely with a literal `*`.
fn random_subject(rng: &mut Rng) -> String {
    let n = 1 + rng.below(4);
    let toks: Vec<&str> = (0..n)
        .map(|_| match rng.below(20) {
            0 => "*",
            _ => ALPHABET[rng.below(ALPHABET.len())],
        })
        .collect();
    toks.join(".")
}

/// The brute-force answer: every live subscription checked with `matches`.
fn reference(live: &[(String, Option<&str>, u32)], subject: &str) -> (Vec<u32>, Vec<Vec<u32>>) {
    let mut plain = Vec::new();
    let mut groups: Vec<(&str, Vec<u32>)> = Vec::new();
    for (pattern, queue, id) in live {
        if !matches(pattern.as_bytes(), subject.as_bytes()) {
            continue;
        }
        match queue {
            None => plain.push(*id),
            Some(q) => match groups.iter_mut().find(|(name, _)| name == q) {
                Some((_, members)) => members.push(*id),
                None => groups.push((*q, vec![*id])),
            },
        }
    }
    let mut encoded = vec![plain.len() as u32];
    encoded.extend(plain);
    encoded.push(groups.len() as u32);
    for (_, members) in groups {
        encoded.push(members.len() as u32);
        encoded.extend(members);
    }
    normalized(&encoded)
}

#[test]
fn randomized_against_brute_force() {
    for seed in [0x9E37_79B9_7F4A_7C15, 42, 0xDEAD_BEEF] {
        let mut rng = Rng(seed);
        let mut cached = Sublist::new(true);
        let mut plain = Sublist::new(false);
        let mut live: Vec<(String, Option<&str>, u32)> = Vec::new();
        let mut next_id = 0u32;
        let (mut out_c, mut out_p) = (Vec::new(), Vec::new());
        for _ in 0..4000 {
            match rng.below(100) {
                0..=44 => {
                    let pattern = random_pattern(&mut rng);
                    let queue = QUEUES[rng.below(QUEUES.len())];
                    next_id += 1;
                    for s in [&mut cached, &mut plain] {
                        ins(s, &pattern, queue, next_id);
                    }
                    live.push((pattern, queue, next_id));
                }
                45..=49 if !live.is_empty() => {
                    let (pattern, queue, id) = live[rng.below(live.len())].clone();
                    for s in [&mut cached, &mut plain] {
                        ins(s, &pattern, queue, id);
                    }
                }
                50..=79 if !live.is_empty() => {
                    let (pattern, queue, id) = live.swap_remove(rng.below(live.len()));
                    for s in [&mut cached, &mut plain] {
                        assert!(rm(s, &pattern, queue, id));
                    }
                }
                80..=84 => {
                    let pattern = random_pattern(&mut rng);
                    let queue = QUEUES[rng.below(QUEUES.len())];
                    for s in [&mut cached, &mut plain] {
                        assert!(!rm(s, &pattern, queue, next_id + 1));
                    }
                }
                _ => {}
            }
            for _ in 0..3 {
                let subject = random_subject(&mut rng);
                cached.match_into(subject.as_bytes(), &mut out_c);
                plain.match_into(subject.as_bytes(), &mut out_p);
                assert_eq!(out_c, out_p, "cache vs walk for {}", subject);
                let want = reference(&live, &subject);
                assert_eq!(
                    normalized(&out_p),
                    want,
                    "seed {} subject {}",
                    seed,
                    subject
                );
                let interest = !want.0.is_empty() || !want.1.is_empty();
                assert_eq!(cached.has_interest(subject.as_bytes()), interest);
                assert_eq!(plain.has_interest(subject.as_bytes()), interest);
            }
            assert_eq!(cached.count() as usize, live.len());
            assert_eq!(plain.count() as usize, live.len());
        }
        for (pattern, queue, id) in live.drain(..) {
            for s in [&mut cached, &mut plain] {
                assert!(rm(s, &pattern, queue, id));
            }
        }
        assert_eq!((cached.node_count(), plain.node_count()), (0, 0));
    }
}

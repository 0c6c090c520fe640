//! The subject trie: which subscriptions a published subject reaches.
//!
//! Behaviour is specified in STAN-REFERENCE §1.5 (subjects, wildcards) and
//! §1.6 (queue groups); the design follows nats-server's `sublist.go`: a trie
//! of tokens where each node has literal children plus one `*` and one `>`
//! child, and a bounded, swept cache from subject to result.
//!
//! Subscriptions are `u32` ids the caller assigns (the TS side maps them back
//! to subscription objects), each with an optional queue group name. An id
//! must stand for one subscription: the trie does not deduplicate one id
//! inserted under two patterns that both match.
//!
//! Results use a flat `u32` encoding (see [`Sublist::match_into`]) so one
//! `Vec` crosses the N-API/WASM boundary and a cache hit is a single copy.
//!
//! Single-threaded: the caller owns the `Sublist`. Walks recurse once per
//! token at most; the caller bounds tokens through its max control line.

// Each attribute names the same file whether this module is compiled inside
// the crate or pulled in by `#[path]` (the wasm/1.63 check does that), where
// a plain `mod` would look next to this file instead of in `sublist/`.
#[cfg(test)]
#[path = "sublist/bench.rs"]
mod bench;
#[path = "sublist/cache.rs"]
mod cache;
#[path = "sublist/node.rs"]
mod node;
#[path = "sublist/result.rs"]
mod result;
#[cfg(test)]
#[path = "sublist/tests.rs"]
mod tests;

use std::fmt;

use crate::subject::{has_empty_token, is_valid_queue, is_valid_subject, tokens};
use cache::MatchCache;
use node::Node;
use result::{Collector, EMPTY_RESULT};

pub use cache::{CACHE_MAX, CACHE_SWEEP};

/// Why [`Sublist::insert`] refused a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectError {
    /// The subject fails [`crate::subject::is_valid_subject`]; the server
    /// answers `-ERR 'Invalid Subject'` and keeps the connection.
    InvalidSubject,
    /// The queue group name is empty or contains whitespace.
    InvalidQueue,
}

impl fmt::Display for SubjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectError::InvalidSubject => "invalid subject",
            SubjectError::InvalidQueue => "invalid queue group",
        })
    }
}

impl std::error::Error for SubjectError {}

/// A snapshot of trie and cache counters, mirroring nats-server's
/// `SublistStats` (the `/subsz` JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SublistStats {
    /// Subscriptions currently in the trie (`num_subscriptions`).
    pub num_subs: u32,
    /// Entries currently in the match cache (`num_cache`).
    pub num_cache: u32,
    /// Successful inserts since creation (`num_inserts`).
    pub num_inserts: u64,
    /// Successful removes since creation (`num_removes`).
    pub num_removes: u64,
    /// Calls to [`Sublist::match_into`] (`num_matches`).
    pub num_matches: u64,
    /// Cache hits divided by matches; 0 before the first match.
    pub cache_hit_rate: f64,
    /// Largest fanout among cached results: plain subscriptions plus queue
    /// groups (one delivery each), counted as nats-server counts it.
    pub max_fanout: u32,
    /// Mean fanout over the cached results; 0 when the cache is empty.
    pub avg_fanout: f64,
}

impl SublistStats {
    /// Words in [`SublistStats::words`].
    pub const WORDS: usize = 8;

    /// The counters in the order both glue crates hand them to TypeScript
    /// (src/core/native.ts `statsFrom`): subs, cache, inserts, removes,
    /// matches, hit rate, max fanout, average fanout.
    pub fn words(&self) -> [f64; SublistStats::WORDS] {
        [
            self.num_subs as f64,
            self.num_cache as f64,
            self.num_inserts as f64,
            self.num_removes as f64,
            self.num_matches as f64,
            self.cache_hit_rate,
            self.max_fanout as f64,
            self.avg_fanout,
        ]
    }
}

/// The subscription trie with its optional match cache.
#[derive(Debug)]
pub struct Sublist {
    /// Root of the trie; never pruned itself.
    root: Node,
    /// Subject → encoded result; `None` when created with the cache off.
    cache: Option<MatchCache>,
    /// Reused buffers for the uncached walk, so a miss allocates nothing
    /// beyond what the cache keeps.
    collector: Collector,
    /// Subscriptions in the trie.
    count: u32,
    /// Bumped on every successful insert and remove.
    genid: u64,
    /// Successful inserts.
    inserts: u64,
    /// Successful removes.
    removes: u64,
    /// Calls to `match_into`.
    matches: u64,
    /// `match_into` calls answered from the cache.
    cache_hits: u64,
}

impl Sublist {
    /// An empty trie; `cache_enabled` turns the match cache on.
    pub fn new(cache_enabled: bool) -> Sublist {
        Sublist {
            root: Node::default(),
            cache: if cache_enabled {
                Some(MatchCache::default())
            } else {
                None
            },
            collector: Collector::default(),
            count: 0,
            genid: 0,
            inserts: 0,
            removes: 0,
            matches: 0,
            cache_hits: 0,
        }
    }

    /// Adds subscription `id` on `subject` (wildcards allowed), in queue
    /// group `queue` if given. Inserting the same (subject, queue, id) again
    /// changes nothing and returns `Ok`.
    pub fn insert(
        &mut self,
        subject: &[u8],
        queue: Option<&[u8]>,
        id: u32,
    ) -> Result<(), SubjectError> {
        if !is_valid_subject(subject) {
            return Err(SubjectError::InvalidSubject);
        }
        if let Some(q) = queue {
            if !is_valid_queue(q) {
                return Err(SubjectError::InvalidQueue);
            }
        }
        let mut node = &mut self.root;
        for tok in tokens(subject) {
            node = node.child_or_insert(tok);
        }
        if !node.add_sub(queue, id) {
            return Ok(());
        }
        self.count += 1;
        self.inserts += 1;
        self.changed(subject);
        Ok(())
    }

    /// Removes subscription `id` from `subject` and `queue`. Returns false,
    /// changing nothing, when that exact triple is not present (including
    /// invalid subjects and queues). Nodes left empty are pruned.
    pub fn remove(&mut self, subject: &[u8], queue: Option<&[u8]>, id: u32) -> bool {
        if !is_valid_subject(subject) || !queue.map_or(true, is_valid_queue) {
            return false;
        }
        if !self.root.remove_sub(tokens(subject), queue, id) {
            return false;
        }
        self.count -= 1;
        self.removes += 1;
        self.changed(subject);
        true
    }

    /// Bookkeeping after the subscriptions on `pattern` changed: bump the
    /// generation and drop every cached result the pattern matches.
    fn changed(&mut self, pattern: &[u8]) {
        self.genid += 1;
        if let Some(cache) = &mut self.cache {
            cache.invalidate(pattern);
        }
    }

    /// Writes into `out` (cleared first) the subscriptions that a publish on
    /// the literal `subject` reaches, encoded as
    ///
    /// ```text
    /// [n_plain, plain ids..., n_groups, (n_members, member ids...) per group]
    /// ```
    ///
    /// Plain ids are subscriptions without a queue group. Each distinct queue
    /// group name that matches is one group holding every matching member,
    /// whichever patterns they came through; the caller delivers to one
    /// member per group. Order is deterministic: `>` nodes, then `*` nodes,
    /// then literal nodes, insertion order within a node; groups by first
    /// appearance. A subject with an empty token yields `[0, 0]`; wildcard
    /// tokens in `subject` are matched literally.
    ///
    /// A cache hit is one hash lookup and one copy into `out`: no allocation
    /// once `out` has grown to the result's size.
    pub fn match_into(&mut self, subject: &[u8], out: &mut Vec<u32>) {
        self.matches += 1;
        out.clear();
        if let Some(cache) = &self.cache {
            if let Some(hit) = cache.get(subject) {
                self.cache_hits += 1;
                out.extend_from_slice(hit);
                return;
            }
        }
        if has_empty_token(subject) {
            // Never cached: the cache only holds subjects that can match.
            out.extend_from_slice(&EMPTY_RESULT);
            return;
        }
        self.collector.begin(out);
        self.root.collect(tokens(subject), &mut self.collector, out);
        self.collector.finish(out);
        if let Some(cache) = &mut self.cache {
            cache.put(subject, out);
        }
    }

    /// Whether a publish on `subject` would reach any subscription. Uses a
    /// cached result when there is one; otherwise walks the trie and stops
    /// at the first subscription found. Not counted as a match.
    pub fn has_interest(&self, subject: &[u8]) -> bool {
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(subject)) {
            return hit != EMPTY_RESULT;
        }
        !has_empty_token(subject) && self.root.has_interest(tokens(subject))
    }

    /// Generation counter, bumped on every successful insert and remove; a
    /// per-connection cache of match results is valid while it is unchanged.
    pub fn genid(&self) -> u64 {
        self.genid
    }

    /// Number of subscriptions in the trie.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Counters for `/subsz`. Fanout is computed over the cached results,
    /// so it costs one pass over at most [`CACHE_MAX`] entries.
    pub fn stats(&self) -> SublistStats {
        let mut st = SublistStats {
            num_subs: self.count,
            num_inserts: self.inserts,
            num_removes: self.removes,
            num_matches: self.matches,
            ..SublistStats::default()
        };
        if self.matches > 0 {
            st.cache_hit_rate = self.cache_hits as f64 / self.matches as f64;
        }
        if let Some(cache) = &self.cache {
            let (len, max, total) = cache.fanout();
            st.num_cache = len;
            st.max_fanout = max;
            if len > 0 {
                st.avg_fanout = total as f64 / len as f64;
            }
        }
        st
    }

    /// Nodes below the root; 0 once every subscription is removed.
    #[cfg(test)]
    fn node_count(&self) -> usize {
        self.root.descendants()
    }

    /// Entries in the match cache (0 with the cache off).
    #[cfg(test)]
    fn cache_len(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }
}

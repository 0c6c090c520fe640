//! The match cache: literal subject → encoded result, bounded and swept in
//! bulk like nats-server's sublist cache.

use std::collections::HashMap;

use super::result::fanout;
use crate::subject::{matches, subject_is_literal};

/// Most cached subjects before a sweep. Publishers may use unbounded distinct
/// subjects (every request reply inbox is new), so the cache must be bounded;
/// 1024 is nats-server's `slCacheMax`.
pub const CACHE_MAX: usize = 1024;

/// Entries kept by a sweep. Evicting in bulk, down to a quarter, pays the
/// eviction cost once per 768 misses and keeps hits free of recency
/// bookkeeping; 256 is nats-server's `slCacheSweep`.
pub const CACHE_SWEEP: usize = 256;

/// Subject → encoded result (see `Sublist::match_into`).
///
/// Invariant: every entry equals what a trie walk would return now, so any
/// change to the trie must go through [`MatchCache::invalidate`].
#[derive(Debug, Default)]
pub(super) struct MatchCache {
    /// Cached results; keys are subjects without empty tokens.
    map: HashMap<Box<[u8]>, Box<[u32]>>,
}

impl MatchCache {
    /// The cached result for `subject`, if any.
    pub(super) fn get(&self, subject: &[u8]) -> Option<&[u32]> {
        self.map.get(subject).map(|r| &**r)
    }

    /// Caches `result` for `subject`, sweeping when over [`CACHE_MAX`].
    pub(super) fn put(&mut self, subject: &[u8], result: &[u32]) {
        self.map.insert(Box::from(subject), Box::from(result));
        if self.map.len() > CACHE_MAX {
            // Which entries survive is up to the map's iteration order, as
            // in nats-server (Go map order); the sweep is not an LRU.
            let mut keep = CACHE_SWEEP;
            self.map.retain(|_, _| {
                let kept = keep > 0;
                keep = keep.saturating_sub(1);
                kept
            });
        }
    }

    /// Drops every cached subject that `pattern` matches, after a
    /// subscription on `pattern` was added or removed.
    pub(super) fn invalidate(&mut self, pattern: &[u8]) {
        if subject_is_literal(pattern) {
            // A literal pattern matches only the identical subject.
            self.map.remove(pattern);
        } else {
            self.map.retain(|subject, _| !matches(pattern, subject));
        }
    }

    /// Number of cached subjects.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// (entries, max fanout, total fanout) over the cached results.
    pub(super) fn fanout(&self) -> (u32, u32, u64) {
        let mut max = 0;
        let mut total = 0u64;
        for result in self.map.values() {
            let f = fanout(result);
            max = max.max(f);
            total += u64::from(f);
        }
        // Bounded by CACHE_MAX + 1, so it fits.
        (self.map.len() as u32, max, total)
    }
}

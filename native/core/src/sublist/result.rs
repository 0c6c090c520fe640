//! Building the flat match result (layout documented on
//! `Sublist::match_into`) while walking the trie.
//!
//! Plain ids go straight into the output. Queue groups are gathered first,
//! because one group name can match at several nodes (`foo.*` and `foo.bar`
//! in group `q` are one group `q`) and must come out as one group.

use super::node::Node;

/// The result that reaches nobody: no plain ids, no groups.
pub(super) const EMPTY_RESULT: [u32; 2] = [0, 0];

/// Where one node's queue group landed in the `Collector` buffers.
#[derive(Clone, Copy, Debug)]
struct GroupSpan {
    /// Start of the group name in `Collector::names`.
    name_start: usize,
    /// End (exclusive) of the group name in `Collector::names`.
    name_end: usize,
    /// Start of the member ids in `Collector::members`.
    members_start: usize,
    /// End (exclusive) of the member ids in `Collector::members`.
    members_end: usize,
}

/// Scratch buffers for one walk, kept between matches so an uncached match
/// stops allocating once they have grown. Copying names and ids in is
/// cheaper than it looks: matches rarely hit more than a few groups.
#[derive(Debug, Default)]
pub(super) struct Collector {
    /// Group names, concatenated.
    names: Vec<u8>,
    /// Member ids, concatenated.
    members: Vec<u32>,
    /// One entry per (node, group) matched, in walk order.
    spans: Vec<GroupSpan>,
}

impl Collector {
    /// Starts a result in `out`: a placeholder for the plain count.
    pub(super) fn begin(&mut self, out: &mut Vec<u32>) {
        self.names.clear();
        self.members.clear();
        self.spans.clear();
        out.clear();
        out.push(0);
    }

    /// Takes in the subscriptions ending at `node`.
    pub(super) fn add(&mut self, node: &Node, out: &mut Vec<u32>) {
        out.extend_from_slice(&node.plain);
        for group in &node.groups {
            let name_start = self.names.len();
            self.names.extend_from_slice(&group.name);
            let members_start = self.members.len();
            self.members.extend_from_slice(&group.members);
            self.spans.push(GroupSpan {
                name_start,
                name_end: self.names.len(),
                members_start,
                members_end: self.members.len(),
            });
        }
    }

    /// Completes `out`: the plain count, then each group name once with all
    /// its members, groups in order of first appearance.
    pub(super) fn finish(&self, out: &mut Vec<u32>) {
        out[0] = to_u32(out.len() - 1);
        let n_groups_at = out.len();
        out.push(0);
        let mut n_groups = 0;
        for (i, span) in self.spans.iter().enumerate() {
            let name = self.name(span);
            // Quadratic in groups per match, as nats-server's result merge
            // is; a publish reaches only a handful of groups.
            if self.spans[..i].iter().any(|s| self.name(s) == name) {
                continue;
            }
            n_groups += 1;
            let count_at = out.len();
            out.push(0);
            for same in self.spans[i..].iter().filter(|s| self.name(s) == name) {
                out.extend_from_slice(&self.members[same.members_start..same.members_end]);
            }
            out[count_at] = to_u32(out.len() - count_at - 1);
        }
        out[n_groups_at] = n_groups;
    }

    /// The group name a span refers to.
    fn name(&self, span: &GroupSpan) -> &[u8] {
        &self.names[span.name_start..span.name_end]
    }
}

/// Fanout of an encoded result as nats-server counts it: plain subscriptions
/// plus queue groups, one delivery each.
pub(super) fn fanout(encoded: &[u32]) -> u32 {
    let n_plain = encoded[0];
    n_plain + encoded[1 + n_plain as usize]
}

/// Counts in a result never exceed the number of subscriptions, whose ids are
/// `u32`; saturate rather than wrap should a caller reuse ids wildly.
fn to_u32(n: usize) -> u32 {
    if n > u32::MAX as usize {
        u32::MAX
    } else {
        n as u32
    }
}

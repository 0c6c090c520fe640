//! Trie nodes: subscriptions held at a node, the three kinds of child
//! (literal token, `*`, `>`), and the walks over them.
//!
//! A subscription on `a.*.>` lives in the node reached by `a`, then the `*`
//! child, then the `>` child. `>` nodes are always leaves, because a valid
//! subject has nothing after `>`.

use std::collections::HashMap;

use super::result::Collector;
use crate::subject::{Tokens, FWC_TOKEN, PWC_TOKEN};

/// A queue group's members at one node.
#[derive(Debug)]
pub(super) struct QueueGroup {
    /// Queue group name, as given to `insert`.
    pub(super) name: Box<[u8]>,
    /// Member ids in insertion order; never empty.
    pub(super) members: Vec<u32>,
}

/// One trie node. Empty nodes (see [`Node::is_empty`]) below the root are
/// pruned on remove, so the trie's size follows the live subscriptions.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// Children by literal token (any token other than `*` and `>`).
    children: HashMap<Box<[u8]>, Node>,
    /// Child for a `*` token.
    pwc: Option<Box<Node>>,
    /// Child for a `>` token.
    fwc: Option<Box<Node>>,
    /// Plain subscriptions ending here, in insertion order.
    pub(super) plain: Vec<u32>,
    /// Queue subscriptions ending here, groups in order of creation.
    pub(super) groups: Vec<QueueGroup>,
}

impl Node {
    /// The child for `tok`, created if missing.
    pub(super) fn child_or_insert(&mut self, tok: &[u8]) -> &mut Node {
        if tok == PWC_TOKEN {
            self.pwc.get_or_insert_with(Box::default)
        } else if tok == FWC_TOKEN {
            self.fwc.get_or_insert_with(Box::default)
        } else {
            // Copies the token even when the child exists; inserts are SUB
            // ops, not the publish path.
            self.children.entry(Box::from(tok)).or_default()
        }
    }

    /// The child for `tok`, if any.
    fn child_mut(&mut self, tok: &[u8]) -> Option<&mut Node> {
        if tok == PWC_TOKEN {
            self.pwc.as_deref_mut()
        } else if tok == FWC_TOKEN {
            self.fwc.as_deref_mut()
        } else {
            self.children.get_mut(tok)
        }
    }

    /// Drops the (empty) child for `tok`.
    fn drop_child(&mut self, tok: &[u8]) {
        if tok == PWC_TOKEN {
            self.pwc = None;
        } else if tok == FWC_TOKEN {
            self.fwc = None;
        } else {
            self.children.remove(tok);
            if self.children.is_empty() {
                // A map keeps its peak capacity; give it back once unused
                // so churn through many distinct tokens does not pin memory.
                self.children.shrink_to_fit();
            }
        }
    }

    /// No subscriptions and no children: safe to prune.
    fn is_empty(&self) -> bool {
        self.plain.is_empty()
            && self.groups.is_empty()
            && self.pwc.is_none()
            && self.fwc.is_none()
            && self.children.is_empty()
    }

    /// Any subscription ending at this node?
    fn has_subs(&self) -> bool {
        !self.plain.is_empty() || !self.groups.is_empty()
    }

    /// Records `id` here; false if it was already present.
    pub(super) fn add_sub(&mut self, queue: Option<&[u8]>, id: u32) -> bool {
        let members = match queue {
            None => &mut self.plain,
            Some(name) => match self.groups.iter().position(|g| &*g.name == name) {
                Some(i) => &mut self.groups[i].members,
                None => {
                    self.groups.push(QueueGroup {
                        name: Box::from(name),
                        members: vec![id],
                    });
                    return true;
                }
            },
        };
        if members.contains(&id) {
            return false;
        }
        members.push(id);
        true
    }

    /// Removes `id` from the subscriptions ending at this node.
    fn remove_here(&mut self, queue: Option<&[u8]>, id: u32) -> bool {
        match queue {
            None => remove_id(&mut self.plain, id),
            Some(name) => {
                let gi = match self.groups.iter().position(|g| &*g.name == name) {
                    Some(gi) => gi,
                    None => return false,
                };
                if !remove_id(&mut self.groups[gi].members, id) {
                    return false;
                }
                if self.groups[gi].members.is_empty() {
                    self.groups.remove(gi);
                }
                true
            }
        }
    }

    /// Removes `id` from the node that `toks` leads to, pruning children
    /// left empty on the way back up. False if it was not there.
    pub(super) fn remove_sub(
        &mut self,
        mut toks: Tokens<'_>,
        queue: Option<&[u8]>,
        id: u32,
    ) -> bool {
        let tok = match toks.next() {
            Some(tok) => tok,
            None => return self.remove_here(queue, id),
        };
        let (removed, prune) = match self.child_mut(tok) {
            Some(child) => {
                let removed = child.remove_sub(toks, queue, id);
                (removed, removed && child.is_empty())
            }
            None => return false,
        };
        if prune {
            self.drop_child(tok);
        }
        removed
    }

    /// Adds to `out`/`acc` every subscription matching the rest of a
    /// literal subject, `toks`, below this node.
    pub(super) fn collect(&self, mut toks: Tokens<'_>, acc: &mut Collector, out: &mut Vec<u32>) {
        let mut node = self;
        loop {
            let tok = match toks.next() {
                Some(tok) => tok,
                None => return acc.add(node, out),
            };
            // `>` needs at least one token, which `tok` is.
            if let Some(fwc) = &node.fwc {
                acc.add(fwc, out);
            }
            if let Some(pwc) = &node.pwc {
                pwc.collect(toks, acc, out);
            }
            match node.children.get(tok) {
                Some(child) => node = child,
                None => return,
            }
        }
    }

    /// Whether any subscription matches the rest of a literal subject.
    pub(super) fn has_interest(&self, mut toks: Tokens<'_>) -> bool {
        let mut node = self;
        loop {
            let tok = match toks.next() {
                Some(tok) => tok,
                None => return node.has_subs(),
            };
            if node.fwc.as_ref().map_or(false, |f| f.has_subs()) {
                return true;
            }
            if node.pwc.as_ref().map_or(false, |p| p.has_interest(toks)) {
                return true;
            }
            match node.children.get(tok) {
                Some(child) => node = child,
                None => return false,
            }
        }
    }

    /// Buckets the literal-children map holds on to.
    #[cfg(test)]
    pub(super) fn children_capacity(&self) -> usize {
        self.children.capacity()
    }

    /// Number of nodes below this one.
    #[cfg(test)]
    pub(super) fn descendants(&self) -> usize {
        let wild = self
            .pwc
            .iter()
            .chain(self.fwc.iter())
            .map(|n| 1 + n.descendants());
        let lit = self.children.values().map(|n| 1 + n.descendants());
        wild.chain(lit).sum()
    }
}

/// Removes `id` from `ids`, keeping the order of the rest.
fn remove_id(ids: &mut Vec<u32>, id: u32) -> bool {
    match ids.iter().position(|&x| x == id) {
        Some(i) => {
            ids.remove(i);
            true
        }
        None => false,
    }
}

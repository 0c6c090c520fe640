// A plain-TypeScript subject trie with `*`/`>` wildcards, queue groups and
// a bounded result cache: the baseline the Rust sublist
// (native/core/src/sublist.rs) is measured against. Results use the same
// flat encoding, `[nPlain, ids..., nGroups, (nMembers, ids...)...]`, in the
// same order (`>` nodes, then `*`, then literal; groups by first
// appearance), so the two can be compared entry by entry.

import { SubjectCheck, type SubjectCheckCode } from '../../src/core/index.js';

/** Most cached subjects before a sweep (nats-server's slCacheMax). */
const CACHE_MAX = 1024;
/** Entries a sweep keeps (nats-server's slCacheSweep). */
const CACHE_SWEEP = 256;

const PWC = '*';
const FWC = '>';
const EMPTY_RESULT = new Uint32Array([0, 0]);
const SPACE = /[ \t\r\n\f]/;

class TrieNode {
  readonly children = new Map<string, TrieNode>();
  pwc: TrieNode | null = null;
  fwc: TrieNode | null = null;
  readonly plain: number[] = [];
  /** Queue group name -> member ids, groups in order of creation. */
  readonly groups = new Map<string, number[]>();

  isEmpty(): boolean {
    return (
      this.plain.length === 0 &&
      this.groups.size === 0 &&
      this.pwc === null &&
      this.fwc === null &&
      this.children.size === 0
    );
  }
}

export class BaselineSublist {
  readonly #root = new TrieNode();
  readonly #cache: Map<string, Uint32Array> | null;
  #genid = 0;
  /** Scratch of one uncached match: plain ids, and members by group name. */
  readonly #plain: number[] = [];
  readonly #groups = new Map<string, number[]>();

  constructor(cache = true) {
    this.#cache = cache ? new Map() : null;
  }

  insert(subject: string, queue: string | null, id: number): SubjectCheckCode {
    const toks = subject.split('.');
    if (!validSubject(toks)) return SubjectCheck.INVALID_SUBJECT;
    if (queue !== null && (queue === '' || SPACE.test(queue))) return SubjectCheck.INVALID_QUEUE;
    let node = this.#root;
    for (const t of toks) {
      if (t === PWC) node = node.pwc ??= new TrieNode();
      else if (t === FWC) node = node.fwc ??= new TrieNode();
      else {
        let child = node.children.get(t);
        if (!child) node.children.set(t, (child = new TrieNode()));
        node = child;
      }
    }
    let ids = node.plain;
    if (queue !== null) {
      const members = node.groups.get(queue);
      if (!members) {
        node.groups.set(queue, [id]);
        this.#changed(subject, toks);
        return SubjectCheck.OK;
      }
      ids = members;
    }
    if (ids.includes(id)) return SubjectCheck.OK;
    ids.push(id);
    this.#changed(subject, toks);
    return SubjectCheck.OK;
  }

  remove(subject: string, queue: string | null, id: number): boolean {
    const toks = subject.split('.');
    if (!validSubject(toks)) return false;
    const path: TrieNode[] = [this.#root];
    for (const t of toks) {
      const cur = path[path.length - 1]!;
      const next = t === PWC ? cur.pwc : t === FWC ? cur.fwc : cur.children.get(t);
      if (!next) return false;
      path.push(next);
    }
    const node = path[path.length - 1]!;
    const ids = queue === null ? node.plain : node.groups.get(queue);
    const at = ids ? ids.indexOf(id) : -1;
    if (at < 0) return false;
    ids!.splice(at, 1);
    if (queue !== null && ids!.length === 0) node.groups.delete(queue);
    // Prune nodes left empty, deepest first.
    for (let i = toks.length; i > 0 && path[i]!.isEmpty(); i--) {
      const parent = path[i - 1]!;
      const t = toks[i - 1]!;
      if (t === PWC) parent.pwc = null;
      else if (t === FWC) parent.fwc = null;
      else parent.children.delete(t);
    }
    this.#changed(subject, toks);
    return true;
  }

  /** The encoded result; valid until the next insert or remove. */
  match(subject: string): Uint32Array {
    const hit = this.#cache?.get(subject);
    if (hit) return hit;
    const toks = subject.split('.');
    if (toks.includes('')) return EMPTY_RESULT;
    this.#plain.length = 0;
    this.#groups.clear();
    this.#collect(this.#root, toks, 0);
    let size = 2 + this.#plain.length;
    for (const members of this.#groups.values()) size += 1 + members.length;
    const out = new Uint32Array(size);
    out[0] = this.#plain.length;
    out.set(this.#plain, 1);
    let at = 1 + this.#plain.length;
    out[at++] = this.#groups.size;
    for (const members of this.#groups.values()) {
      out[at++] = members.length;
      out.set(members, at);
      at += members.length;
    }
    if (this.#cache) {
      this.#cache.set(subject, out);
      if (this.#cache.size > CACHE_MAX) this.#sweep(this.#cache);
    }
    return out;
  }

  genid(): number {
    return this.#genid;
  }

  #collect(start: TrieNode, toks: string[], from: number): void {
    let node = start;
    for (let i = from; i < toks.length; i++) {
      if (node.fwc) this.#add(node.fwc);
      if (node.pwc) this.#collect(node.pwc, toks, i + 1);
      const child = node.children.get(toks[i]!);
      if (!child) return;
      node = child;
    }
    this.#add(node);
  }

  #add(node: TrieNode): void {
    for (const id of node.plain) this.#plain.push(id);
    for (const [name, members] of node.groups) {
      const acc = this.#groups.get(name);
      if (acc) for (const id of members) acc.push(id);
      else this.#groups.set(name, members.slice());
    }
  }

  /** Keeps the newest CACHE_SWEEP entries (Map order is insertion order). */
  #sweep(cache: Map<string, Uint32Array>): void {
    let drop = cache.size - CACHE_SWEEP;
    for (const key of cache.keys()) {
      if (drop-- <= 0) break;
      cache.delete(key);
    }
  }

  /** After a change on `pattern`: bump genid, drop the cached subjects it matches. */
  #changed(pattern: string, toks: string[]): void {
    this.#genid++;
    const cache = this.#cache;
    if (!cache) return;
    if (!toks.includes(PWC) && !toks.includes(FWC)) {
      cache.delete(pattern);
      return;
    }
    for (const subject of cache.keys()) {
      if (matches(toks, subject.split('.'))) cache.delete(subject);
    }
  }
}

/** Non-empty tokens without whitespace, and nothing after a `>`. */
function validSubject(toks: string[]): boolean {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === '' || SPACE.test(t) || (t === FWC && i !== toks.length - 1)) return false;
  }
  return true;
}

/** Does the literal subject `sub` match the pattern `pat` (both tokenized)? */
function matches(pat: string[], sub: string[]): boolean {
  for (let i = 0; i < pat.length; i++) {
    if (pat[i] === FWC) return sub.length > i;
    if (i >= sub.length || (pat[i] !== PWC && pat[i] !== sub[i])) return false;
  }
  return pat.length === sub.length;
}

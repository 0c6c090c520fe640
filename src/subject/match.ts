// Subject matching (STAN-REFERENCE §1.5, §1.9, §7.3): a pattern against a
// subject, one wildcard subject inside another, and whether two patterns can
// ever match the same subject. These follow nats-server's sublist
// matchLevel, isSubsetMatch and SubjectsCollide. Used by permission checks
// (src/nats), per-channel limit inheritance (src/stores) and monitoring
// filters.
//
// They run on a permission-cache miss for every publish, so they walk both
// strings token by token with indexOf and compare tokens in place: no
// regexes, no split arrays, no substrings.
//
// Wildcards are whole tokens only: `*` is one token, `>` one or more
// trailing tokens. `a*` or `>b` are ordinary literal tokens, as in nats-server.

const cc = {
  dot: 0x2e, // .
  star: 0x2a, // *
  gt: 0x3e, // >
} as const;

/** Index just past the token that starts at `start` (the next '.' or the end). */
function tokenEnd(s: string, start: number): number {
  const dot = s.indexOf('.', start);
  return dot === -1 ? s.length : dot;
}

/** True if s[start, end) is the single character `code`. */
function isChar(s: string, start: number, end: number, code: number): boolean {
  return end - start === 1 && s.charCodeAt(start) === code;
}

/** True if a[as, ae) and b[bs, be) hold the same characters. */
function sameToken(a: string, as: number, ae: number, b: string, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  while (as < ae) {
    if (a.charCodeAt(as++) !== b.charCodeAt(bs++)) return false;
  }
  return true;
}

/** What a rule makes of one pair of tokens: a verdict, or undefined to go on. */
type TokenRule = (a: string, as: number, ae: number, b: string, bs: number, be: number) => boolean | undefined;

/**
 * Walks `a` and `b` token by token, asking `rule` about each pair; if no
 * pair decides, the answer is whether both end together. Empty subjects
 * never match.
 */
function walkTokens(a: string, b: string, rule: TokenRule): boolean {
  if (a.length === 0 || b.length === 0) return false;
  let i = 0;
  let j = 0;
  for (;;) {
    const ae = tokenEnd(a, i);
    const be = tokenEnd(b, j);
    const verdict = rule(a, i, ae, b, j, be);
    if (verdict !== undefined) return verdict;
    const aDone = ae === a.length;
    const bDone = be === b.length;
    if (aDone || bDone) return aDone && bDone;
    i = ae + 1;
    j = be + 1;
  }
}

function matchToken(pattern: string, p: number, pe: number, subject: string, s: number, se: number): boolean | undefined {
  // `>` needs at least one token, and the subject has one here.
  if (isChar(pattern, p, pe, cc.gt)) return true;
  if (!isChar(pattern, p, pe, cc.star) && !sameToken(pattern, p, pe, subject, s, se)) return false;
  return undefined;
}

function subsetToken(pattern: string, p: number, pe: number, subject: string, s: number, se: number): boolean | undefined {
  if (isChar(pattern, p, pe, cc.gt)) return true;
  // Only `>` covers `>`, and `*` only `*` or `>`.
  if (isChar(subject, s, se, cc.gt)) return false;
  if (isChar(subject, s, se, cc.star)) return isChar(pattern, p, pe, cc.star) ? undefined : false;
  if (!isChar(pattern, p, pe, cc.star) && !sameToken(pattern, p, pe, subject, s, se)) return false;
  return undefined;
}

function collideToken(a: string, i: number, ae: number, b: string, j: number, be: number): boolean | undefined {
  // The other side has a token here, and `>` takes it and anything after.
  if (isChar(a, i, ae, cc.gt) || isChar(b, j, be, cc.gt)) return true;
  if (!isChar(a, i, ae, cc.star) && !isChar(b, j, be, cc.star) && !sameToken(a, i, ae, b, j, be)) return false;
  return undefined;
}

/**
 * True if `subject` is matched by `pattern`. `foo.*` matches `foo.bar`;
 * `foo.>` matches `foo.bar` and `foo.bar.baz` but not `foo`.
 *
 * Wildcard tokens in `subject` are compared as the literal tokens `*` and
 * `>`, exactly as nats-server's sublist does when a subscription subject is
 * matched against a permission list: pattern `foo.*` matches subject `foo.>`.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  return walkTokens(pattern, subject, matchToken);
}

/**
 * True if every subject that `subject` (possibly with wildcards) can match
 * is also matched by `pattern`: `foo.*` ⊂ `foo.>`, `foo.bar` ⊂ `foo.*`,
 * `foo.*` ⊂ `*.*`, but `foo.>` ⊄ `foo.*` and `foo.*` ⊄ `foo.bar`.
 * nats-server's isSubsetMatch(tokens(subject), pattern).
 */
export function isSubsetMatch(subject: string, pattern: string): boolean {
  return walkTokens(pattern, subject, subsetToken);
}

/**
 * True if some literal subject is matched by both `a` and `b` (either may
 * hold wildcards): `foo.*` and `*.bar` collide on `foo.bar`; `foo.>` and
 * `foo` do not. nats-server's SubjectsCollide.
 */
export function subjectsCollide(a: string, b: string): boolean {
  return walkTokens(a, b, collideToken);
}

/** True if some token of `subject` is exactly `*` or `>`. */
export function subjectHasWildcard(subject: string): boolean {
  let start = 0;
  for (;;) {
    const end = tokenEnd(subject, start);
    if (isChar(subject, start, end, cc.star) || isChar(subject, start, end, cc.gt)) return true;
    if (end === subject.length) return false;
    start = end + 1;
  }
}

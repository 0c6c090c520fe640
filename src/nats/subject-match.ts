// Subject matching for permission checks (STAN-REFERENCE §1.5, §1.9): a
// pattern against a subject, one wildcard subject inside another, and
// whether two patterns can ever match the same subject. These follow
// nats-server's sublist matchLevel, isSubsetMatch and SubjectsCollide.
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

/**
 * True if `subject` is matched by `pattern`. `foo.*` matches `foo.bar`;
 * `foo.>` matches `foo.bar` and `foo.bar.baz` but not `foo`.
 *
 * Wildcard tokens in `subject` are compared as the literal tokens `*` and
 * `>`, exactly as nats-server's sublist does when a subscription subject is
 * matched against a permission list: pattern `foo.*` matches subject `foo.>`.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern.length === 0 || subject.length === 0) return false;
  let p = 0;
  let s = 0;
  for (;;) {
    const pe = tokenEnd(pattern, p);
    const se = tokenEnd(subject, s);
    // `>` needs at least one token, and the subject has one here.
    if (isChar(pattern, p, pe, cc.gt)) return true;
    if (!isChar(pattern, p, pe, cc.star) && !sameToken(pattern, p, pe, subject, s, se)) return false;
    const patternDone = pe === pattern.length;
    const subjectDone = se === subject.length;
    if (patternDone || subjectDone) return patternDone && subjectDone;
    p = pe + 1;
    s = se + 1;
  }
}

/**
 * True if every subject that `subject` (possibly with wildcards) can match
 * is also matched by `pattern`: `foo.*` ⊂ `foo.>`, `foo.bar` ⊂ `foo.*`,
 * `foo.*` ⊂ `*.*`, but `foo.>` ⊄ `foo.*` and `foo.*` ⊄ `foo.bar`.
 * nats-server's isSubsetMatch(tokens(subject), pattern).
 */
export function isSubsetMatch(subject: string, pattern: string): boolean {
  if (pattern.length === 0 || subject.length === 0) return false;
  let p = 0;
  let s = 0;
  for (;;) {
    const pe = tokenEnd(pattern, p);
    const se = tokenEnd(subject, s);
    if (isChar(pattern, p, pe, cc.gt)) return true;
    // Only `>` covers `>`, and `*` only `*` or `>`.
    if (isChar(subject, s, se, cc.gt)) return false;
    if (isChar(subject, s, se, cc.star)) {
      if (!isChar(pattern, p, pe, cc.star)) return false;
    } else if (!isChar(pattern, p, pe, cc.star) && !sameToken(pattern, p, pe, subject, s, se)) {
      return false;
    }
    const patternDone = pe === pattern.length;
    const subjectDone = se === subject.length;
    if (patternDone || subjectDone) return patternDone && subjectDone;
    p = pe + 1;
    s = se + 1;
  }
}

/**
 * True if some literal subject is matched by both `a` and `b` (either may
 * hold wildcards): `foo.*` and `*.bar` collide on `foo.bar`; `foo.>` and
 * `foo` do not. nats-server's SubjectsCollide.
 */
export function subjectsCollide(a: string, b: string): boolean {
  if (a.length === 0 || b.length === 0) return false;
  let i = 0;
  let j = 0;
  for (;;) {
    const ae = tokenEnd(a, i);
    const be = tokenEnd(b, j);
    // The other side has a token here, and `>` takes it and anything after.
    if (isChar(a, i, ae, cc.gt) || isChar(b, j, be, cc.gt)) return true;
    if (!isChar(a, i, ae, cc.star) && !isChar(b, j, be, cc.star) && !sameToken(a, i, ae, b, j, be)) {
      return false;
    }
    const aDone = ae === a.length;
    const bDone = be === b.length;
    if (aDone || bDone) return aDone && bDone;
    i = ae + 1;
    j = be + 1;
  }
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

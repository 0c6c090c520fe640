import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isSubsetMatch, subjectHasWildcard, subjectMatches, subjectsCollide } from '../../src/subject/match.js';

// [pattern, subject, matches]
const MATCHES: [string, string, boolean][] = [
  ['foo', 'foo', true],
  ['foo', 'bar', false],
  ['foo', 'foo.bar', false],
  ['foo.bar', 'foo', false],
  ['foo.bar', 'foo.bar', true],
  ['foo.bar', 'foo.baz', false],
  ['foo.ba', 'foo.bar', false],
  ['foo.bar', 'foo.ba', false],
  ['*', 'foo', true],
  ['*', 'foo.bar', false],
  ['foo.*', 'foo.bar', true],
  ['foo.*', 'foo', false],
  ['foo.*', 'foo.bar.baz', false],
  ['*.bar', 'foo.bar', true],
  ['*.bar', 'foo.baz', false],
  ['foo.*.baz', 'foo.bar.baz', true],
  ['foo.*.baz', 'foo.bar.bax', false],
  ['>', 'foo', true],
  ['>', 'foo.bar.baz', true],
  ['foo.>', 'foo', false],
  ['foo.>', 'foo.bar', true],
  ['foo.>', 'foo.bar.baz', true],
  ['foo.>', 'fo.bar', false],
  ['*.>', 'foo', false],
  ['*.>', 'foo.bar', true],
  ['foo.*.>', 'foo.bar', false],
  ['foo.*.>', 'foo.bar.baz', true],
  // Only whole tokens are wildcards.
  ['foo*', 'foobar', false],
  ['foo*', 'foo*', true],
  ['foo.>x', 'foo.bar', false],
  // Wildcard subjects compare as literal tokens (nats-server sublist).
  ['foo.*', 'foo.*', true],
  ['foo.*', 'foo.>', true],
  ['foo.>', 'foo.*', true],
  ['foo.bar', 'foo.*', false],
  ['*.bar', 'foo.*', false],
  // Empty never matches.
  ['', 'foo', false],
  ['foo', '', false],
  ['>', '', false],
];

// [subject, pattern, subject ⊂ pattern]
const SUBSETS: [string, string, boolean][] = [
  ['foo', 'foo', true],
  ['foo', 'bar', false],
  ['foo.bar', 'foo.*', true],
  ['foo.bar', 'foo.>', true],
  ['foo.bar', '>', true],
  ['foo.*', 'foo.*', true],
  ['foo.*', 'foo.>', true],
  ['foo.*', '*.*', true],
  ['foo.*', '>', true],
  ['foo.*', 'foo.bar', false],
  ['foo.*', '*.bar', false],
  ['foo.>', 'foo.>', true],
  ['foo.>', '>', true],
  ['foo.>', 'foo.*', false],
  ['foo.>', 'foo.*.>', false],
  ['foo.*.>', 'foo.>', true],
  ['foo.*.baz', 'foo.*.*', true],
  ['foo.*.baz', 'foo.bar.*', false],
  ['>', '>', true],
  ['>', '*', false],
  ['*', '>', true],
  ['*', '*', true],
  ['*', 'foo', false],
  ['foo', 'foo.>', false],
  ['foo.bar', 'foo', false],
  ['foo', 'foo.bar', false],
];

// [a, b, collide]
const COLLIDES: [string, string, boolean][] = [
  ['foo', 'foo', true],
  ['foo', 'bar', false],
  ['foo.*', 'foo.bar', true],
  ['foo.*', '*.bar', true],
  ['foo.*', 'bar.*', false],
  ['foo.>', 'foo', false],
  ['foo.>', 'foo.bar.baz', true],
  ['foo.>', '*.bar', true],
  ['*', 'foo.>', false],
  ['*.*', 'foo.>', true],
  ['foo.*.bar', 'foo.baz.*', true],
  ['foo.*.bar', 'foo.baz', false],
  ['>', 'anything.at.all', true],
  ['a.b.c', 'a.b', false],
];

const m = suite('subject/match subjectMatches');
for (const [pattern, subject, want] of MATCHES) {
  m(`${JSON.stringify(pattern)} vs ${JSON.stringify(subject)} → ${want}`, () => {
    assert.is(subjectMatches(pattern, subject), want);
  });
}
m.run();

const s = suite('subject/match isSubsetMatch');
for (const [subject, pattern, want] of SUBSETS) {
  s(`${subject} ⊂ ${pattern} → ${want}`, () => {
    assert.is(isSubsetMatch(subject, pattern), want);
  });
}
s.run();

const c = suite('subject/match subjectsCollide');
for (const [a, b, want] of COLLIDES) {
  c(`${a} ∩ ${b} → ${want}`, () => {
    assert.is(subjectsCollide(a, b), want);
    assert.is(subjectsCollide(b, a), want, 'symmetric');
  });
}
c.run();

const w = suite('subject/match subjectHasWildcard');
w('whole tokens only', () => {
  assert.ok(subjectHasWildcard('*'));
  assert.ok(subjectHasWildcard('>'));
  assert.ok(subjectHasWildcard('foo.*.bar'));
  assert.ok(subjectHasWildcard('foo.>'));
  assert.not.ok(subjectHasWildcard('foo'));
  assert.not.ok(subjectHasWildcard('foo*.bar>'));
  assert.not.ok(subjectHasWildcard('foo.>x'));
});
w.run();

// Exhaustive comparison with definitions over small alphabets: patterns of up
// to three tokens from {a, b, *, >}, literal subjects of up to four tokens
// from {a, b, c} (`c` is the token no pattern names).
function patterns(): string[] {
  const out: string[] = [];
  const grow = (prefix: string[]): void => {
    for (const t of ['a', 'b', '*', '>']) {
      const p = [...prefix, t];
      out.push(p.join('.'));
      if (t !== '>' && p.length < 3) grow(p);
    }
  };
  grow([]);
  return out;
}

function literals(): string[] {
  const out: string[] = [];
  const grow = (prefix: string[]): void => {
    for (const t of ['a', 'b', 'c']) {
      const p = [...prefix, t];
      out.push(p.join('.'));
      if (p.length < 4) grow(p);
    }
  };
  grow([]);
  return out;
}

/** Naive reference: split both, then walk. */
function naiveMatch(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

const x = suite('subject/match against definitions');
const PATTERNS = patterns();
const LITERALS = literals();

x('subjectMatches equals a split-based matcher, wildcard subjects included', () => {
  for (const p of PATTERNS) {
    for (const t of [...LITERALS, ...PATTERNS]) {
      if (subjectMatches(p, t) !== naiveMatch(p, t)) assert.unreachable(`${p} vs ${t}`);
    }
  }
});

x('isSubsetMatch: every literal the subject matches, the pattern matches', () => {
  for (const sub of PATTERNS) {
    for (const p of PATTERNS) {
      const want = LITERALS.every((l) => !naiveMatch(sub, l) || naiveMatch(p, l));
      if (isSubsetMatch(sub, p) !== want) assert.unreachable(`${sub} ⊂ ${p} should be ${want}`);
    }
  }
});

x('subjectsCollide: some literal matches both', () => {
  for (const a of PATTERNS) {
    for (const b of PATTERNS) {
      const want = LITERALS.some((l) => naiveMatch(a, l) && naiveMatch(b, l));
      if (subjectsCollide(a, b) !== want) assert.unreachable(`${a} ∩ ${b} should be ${want}`);
    }
  }
});
x.run();

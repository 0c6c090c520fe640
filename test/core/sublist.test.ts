// The subject trie through the TypeScript interface, once per core and with
// the match cache on and off (STYLE items 10, 12): the proof that the N-API
// and WASM glue carry native/core/src/sublist.rs faithfully. Rules are
// STAN-REFERENCE §1.5 (subjects, wildcards) and §1.6 (queue groups).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SubjectCheck, type Sublist, type SublistStats } from '../../src/core/index.js';
import { cores } from '../helpers/cores.js';

/** A match result split into plain ids and queue groups, in wire order. */
interface Decoded {
  plain: number[];
  groups: number[][];
}

/** Decodes `[nPlain, ids..., nGroups, (n, ids...)...]`, checking its shape. */
function decode(r: Uint32Array): Decoded {
  const w = Array.from(r);
  assert.ok(w.length >= 2, `result too short: [${w}]`);
  const nPlain = w[0]!;
  const plain = w.slice(1, 1 + nPlain);
  let at = 1 + nPlain;
  const nGroups = w[at++]!;
  const groups: number[][] = [];
  for (let g = 0; g < nGroups; g++) {
    const n = w[at++]!;
    assert.ok(n > 0, `empty group in [${w}]`);
    groups.push(w.slice(at, at + n));
    at += n;
  }
  assert.is(at, w.length, `malformed result [${w}]`);
  return { plain, groups };
}

/** The result as a plain array (the view dies at the next match). */
const m = (sl: Sublist, subject: string): number[] => Array.from(sl.match(subject));
const EMPTY = [0, 0];

/** (pattern, subject, matches) from the §1.5 rules. */
const MATCH_CASES: [string, string, boolean][] = [
  ['foo', 'foo', true], ['foo', 'bar', false], ['foo', 'foo.bar', false], ['foo.bar', 'foo', false],
  ['foo.bar', 'foo.bar', true],
  ['Foo', 'foo', false], // case-sensitive
  ['*', 'foo', true],
  ['*', 'foo.bar', false], // `*` is exactly one token
  ['foo.*', 'foo.bar', true], ['foo.*', 'foo', false], ['foo.*', 'foo.bar.baz', false], ['*.bar', 'foo.bar', true],
  ['*.*', 'a.b', true], ['*.*', 'a', false], ['foo.*.baz', 'foo.x.baz', true], ['foo.*.baz', 'foo.x.y.baz', false],
  ['>', 'foo', true], ['>', 'a.b.c.d', true],
  ['foo.>', 'foo', false], // `>` needs at least one token
  ['foo.>', 'foo.bar', true], ['foo.>', 'foo.bar.baz', true], ['foo.>', 'foobar.baz', false],
  ['*.>', 'foo', false], ['*.>', 'foo.bar', true], ['foo.*.>', 'foo.bar', false], ['foo.*.>', 'foo.bar.baz.qux', true],
  ['foo*', 'foo*', true], // wildcards only as whole tokens
  ['foo*', 'foox', false], ['foo*', 'foo', false], ['foo*.bar', 'foo*.bar', true], ['foo*.bar', 'fooz.bar', false],
  ['a>b', 'a>b', true], ['a>b', 'a.b', false], ['foo.>bar', 'foo.>bar', true], ['foo.>bar', 'foo.xbar', false],
  ['foo.bar', 'foo.*', false], // wildcards in a publish subject are literal
  ['foo.*', 'foo.*', true], ['>', '*', true], ['日本.*', '日本.語', true], ['日本', '日本.語', false], ['föö.>', 'föö.bär.x', true],
  ['föö.bär', 'föö.bar', false], ['🚀.*', '🚀.launch', true], ['*.🚀', 'x.🚀', true], ['*.🚀', 'x.🚁', false],
  ['>', '', false], // subjects with an empty token reach nobody
  ['>', 'foo..bar', false], ['*.*', '.foo', false], ['foo.*', 'foo.', false],
];

const INVALID_SUBJECTS = ['foo..bar', '.foo', 'foo.', 'foo bar', 'foo.>.bar', '', '.', '>.foo', 'foo.>.>', 'a\tb', 'a\nb', 'a\rb', 'a\fb', ' '];
const INVALID_QUEUES = ['', 'a b', ' ', 'a\tb', 'q\r', '\nq', 'a\fb'];

/** (subject, valid for SUB with wildcards, valid as a literal PUB subject). */
const VALIDITY: [string, boolean, boolean][] = [
  ['foo', true, true], ['foo.bar.baz', true, true], ['foo*', true, true], ['a>b', true, true], ['**', true, true],
  ['föö.bär', true, true], ['日本.語', true, true], ['🚀', true, true],
  ['*', true, false], ['>', true, false], ['foo.*', true, false], ['*.bar', true, false], ['foo.>', true, false],
  ['foo.*.>', true, false], ['_INBOX.abc.*', true, false],
  ...INVALID_SUBJECTS.map((s): [string, boolean, boolean] => [s, false, false]),
];

for (const core of cores()) {
  const s = suite(`core/sublist [${core.kind}]`);

  /** Registers `body` once with the cache on and once with it off. */
  const both = (name: string, body: (make: () => Sublist, cache: boolean) => void) => {
    for (const cache of [true, false]) {
      s(`${name} (cache ${cache ? 'on' : 'off'})`, () => body(() => core.newSublist(cache), cache));
    }
  };

  both('the §1.5 subject/pattern table', (make) => {
    for (const [pattern, subject, want] of MATCH_CASES) {
      const sl = make();
      assert.is(sl.insert(pattern, null, 7), SubjectCheck.OK, `insert ${pattern}`);
      const expected = want ? [1, 7, 0] : EMPTY;
      assert.equal(m(sl, subject), expected, `${pattern} ~ ${JSON.stringify(subject)}`);
      assert.equal(m(sl, subject), expected, `${pattern} ~ ${JSON.stringify(subject)}, again`);
    }
  });

  both('many patterns at once, in the documented order', (make) => {
    const sl = make();
    const patterns = ['>', '*.*', 'foo.*', 'foo.>', 'foo.bar', '*.bar', 'foo', '*', 'foo*'];
    patterns.forEach((p, i) => assert.is(sl.insert(p, null, i + 1), SubjectCheck.OK));
    // `>` children, then `*` children, then literal ones, at every level.
    assert.equal(m(sl, 'foo.bar'), [6, 1, 2, 6, 4, 3, 5, 0]);
    assert.equal(m(sl, 'foo'), [3, 1, 8, 7, 0]);
    assert.equal(m(sl, 'foo*'), [3, 1, 8, 9, 0]);
    assert.equal(m(sl, 'foo.bar.baz'), [2, 1, 4, 0]);
    assert.equal(m(sl, 'x.bar'), [3, 1, 2, 6, 0]);
  });

  both('bad subjects and queues are refused and change nothing', (make) => {
    const sl = make();
    for (const bad of INVALID_SUBJECTS) {
      assert.is(sl.insert(bad, null, 1), SubjectCheck.INVALID_SUBJECT, JSON.stringify(bad));
      assert.is(sl.insert(bad, 'q', 1), SubjectCheck.INVALID_SUBJECT, `${JSON.stringify(bad)} with a queue`);
    }
    for (const bad of INVALID_QUEUES) {
      assert.is(sl.insert('foo', bad, 1), SubjectCheck.INVALID_QUEUE, JSON.stringify(bad));
    }
    // The subject is checked first.
    assert.is(sl.insert('foo..bar', 'a b', 1), SubjectCheck.INVALID_SUBJECT);
    assert.is(sl.genid(), 0);
    assert.is(sl.stats().num_subscriptions, 0);
    assert.is(sl.stats().num_inserts, 0);
    assert.equal(m(sl, 'foo'), EMPTY);
    assert.equal(m(sl, 'foo bar'), EMPTY);
    // Queue names may hold dots, wildcard bytes and any other UTF-8.
    ['a.b', '*', '>', '日本'].forEach((q, i) => assert.is(sl.insert('foo', q, i + 10), SubjectCheck.OK, q));
    assert.equal(decode(sl.match('foo')).groups, [[10], [11], [12], [13]]);
  });

  both('plain subscriptions and queue groups', (make) => {
    const sl = make();
    sl.insert('foo', null, 1);
    sl.insert('foo', 'g1', 3);
    sl.insert('foo', null, 2);
    sl.insert('foo', 'g1', 4);
    sl.insert('foo', 'g2', 5);
    // Two plain, then group g1 (two members) and g2, by first appearance.
    assert.equal(m(sl, 'foo'), [2, 1, 2, 2, 2, 3, 4, 1, 5]);
    assert.ok(sl.remove('foo', 'g1', 3));
    assert.equal(decode(sl.match('foo')), { plain: [1, 2], groups: [[4], [5]] });
    assert.ok(sl.remove('foo', 'g1', 4));
    assert.equal(decode(sl.match('foo')), { plain: [1, 2], groups: [[5]] });
  });

  both('one group reached through several patterns is one group', (make) => {
    const sl = make();
    sl.insert('orders.*', 'workers', 11);
    sl.insert('orders.new', 'workers', 12);
    sl.insert('orders.>', 'workers', 13);
    sl.insert('orders.new', 'audit', 14);
    sl.insert('*.new', null, 15);
    assert.equal(m(sl, 'orders.new'), [1, 15, 2, 3, 13, 11, 12, 1, 14]);
    assert.equal(decode(sl.match('orders.old')), { plain: [], groups: [[13, 11]] });
    assert.equal(decode(sl.match('orders.new.x')), { plain: [], groups: [[13]] });
  });

  both('removing what was never inserted returns false and changes nothing', (make) => {
    const sl = make();
    assert.not.ok(make().remove('foo', null, 1), 'empty sublist');
    sl.insert('foo.bar', null, 1);
    sl.insert('foo.*', 'q', 2);
    const want = [1, 1, 1, 1, 2];
    assert.equal(m(sl, 'foo.bar'), want);
    const genid = sl.genid();
    const stats = sl.stats();
    const misses: [string, string | null, number][] = [
      ['foo.baz', null, 1],
      ['foo', null, 1],
      ['foo.bar.baz', null, 1],
      ['foo.bar', null, 9],
      ['foo.bar', 'q', 1],
      ['foo.*', null, 2],
      ['foo.*', 'r', 2],
      ['foo.>', null, 1],
      ['foo.', null, 1],
      ['foo..bar', null, 1],
      ['foo.*', '', 2],
    ];
    for (const [subject, queue, id] of misses) {
      assert.not.ok(sl.remove(subject, queue, id), `${subject} ${queue} ${id}`);
    }
    assert.is(sl.genid(), genid);
    assert.equal(sl.stats(), stats);
    assert.equal(m(sl, 'foo.bar'), want);
  });

  both('a duplicate insert keeps one subscription', (make) => {
    const sl = make();
    assert.is(sl.insert('foo', null, 1), SubjectCheck.OK);
    assert.is(sl.insert('foo', null, 1), SubjectCheck.OK);
    assert.is(sl.insert('foo', 'q', 2), SubjectCheck.OK);
    assert.is(sl.insert('foo', 'q', 2), SubjectCheck.OK);
    assert.is(sl.genid(), 2);
    assert.is(sl.stats().num_subscriptions, 2);
    assert.is(sl.stats().num_inserts, 2);
    assert.equal(m(sl, 'foo'), [1, 1, 1, 1, 2]);
    assert.ok(sl.remove('foo', null, 1));
    assert.not.ok(sl.remove('foo', null, 1));
    assert.ok(sl.remove('foo', 'q', 2));
    assert.equal(m(sl, 'foo'), EMPTY);
  });

  both('the cache follows inserts and removes', (make, cache) => {
    const sl = make();
    sl.insert('foo.bar', null, 1);
    for (let i = 0; i < 2; i++) {
      assert.equal(m(sl, 'foo.bar'), [1, 1, 0]);
      assert.equal(m(sl, 'foo.baz'), EMPTY);
    }
    assert.is(sl.stats().num_cache, cache ? 2 : 0);
    assert.is(sl.stats().cache_hit_rate, cache ? 0.5 : 0);
    sl.insert('foo.*', null, 2);
    assert.equal(m(sl, 'foo.bar'), [2, 2, 1, 0]);
    assert.equal(m(sl, 'foo.baz'), [1, 2, 0]);
    sl.insert('>', 'q', 3);
    assert.equal(m(sl, 'foo.bar'), [2, 2, 1, 1, 1, 3]);
    assert.equal(m(sl, 'foo.baz'), [1, 2, 1, 1, 3]);
    // A subscription that matches neither keeps both cached.
    sl.insert('other', null, 4);
    assert.is(sl.stats().num_cache, cache ? 2 : 0);
    assert.ok(sl.remove('foo.*', null, 2));
    assert.equal(m(sl, 'foo.bar'), [1, 1, 1, 1, 3]);
    assert.equal(m(sl, 'foo.baz'), [0, 1, 1, 3]);
    assert.ok(sl.remove('>', 'q', 3));
    assert.equal(m(sl, 'foo.baz'), EMPTY);
    assert.equal(m(sl, 'foo.bar'), [1, 1, 0]);
    assert.ok(sl.remove('foo.bar', null, 1));
    assert.equal(m(sl, 'foo.bar'), EMPTY);
  });

  both('genid changes on insert and remove, not on match', (make) => {
    const sl = make();
    assert.is(sl.genid(), 0);
    sl.insert('a', null, 1);
    assert.is(sl.genid(), 1);
    sl.insert('a', null, 1);
    sl.insert('a b', null, 2);
    assert.is(sl.genid(), 1, 'a duplicate or refused insert is no change');
    sl.insert('a.*', 'q', 2);
    assert.is(sl.genid(), 2);
    m(sl, 'a');
    m(sl, 'a.b');
    sl.stats();
    assert.is(sl.genid(), 2, 'matching is no change');
    assert.not.ok(sl.remove('a', null, 7));
    assert.is(sl.genid(), 2, 'a failed remove is no change');
    assert.ok(sl.remove('a', null, 1));
    assert.is(sl.genid(), 3);
    assert.ok(sl.remove('a.*', 'q', 2));
    assert.is(sl.genid(), 4);
  });

  both('stats() counters', (make, cache) => {
    const sl = make();
    const zero: SublistStats = {
      num_subscriptions: 0, num_cache: 0, num_inserts: 0, num_removes: 0,
      num_matches: 0, cache_hit_rate: 0, max_fanout: 0, avg_fanout: 0,
    };
    assert.equal(sl.stats(), zero);
    sl.insert('a.*', null, 1);
    sl.insert('a.b', null, 2);
    sl.insert('a.>', 'q', 3);
    sl.insert('a.b', 'q', 4);
    sl.insert('x', null, 5);
    for (let i = 0; i < 3; i++) m(sl, 'a.b'); // fanout 2 plain + 1 group = 3
    for (let i = 0; i < 2; i++) m(sl, 'a.c'); // fanout 1 plain + 1 group = 2
    m(sl, 'zzz'); // fanout 0
    m(sl, 'a..b'); // counted, never cached
    const off = { num_cache: 0, cache_hit_rate: 0, max_fanout: 0, avg_fanout: 0 };
    const base = { num_subscriptions: 5, num_inserts: 5, num_removes: 0, num_matches: 7 };
    assert.equal(sl.stats(), { ...base, ...(cache ? { num_cache: 3, cache_hit_rate: 3 / 7, max_fanout: 3, avg_fanout: 5 / 3 } : off) });
    assert.ok(sl.remove('x', null, 5));
    assert.ok(sl.remove('a.*', null, 1)); // drops the cached a.b and a.c
    const after = { num_subscriptions: 3, num_inserts: 5, num_removes: 2, num_matches: 7 };
    assert.equal(sl.stats(), { ...after, ...(cache ? { num_cache: 1, cache_hit_rate: 3 / 7, max_fanout: 0, avg_fanout: 0 } : off) });
    assert.equal(m(sl, 'a.b'), [1, 2, 1, 2, 3, 4]);
    assert.equal(sl.stats(), { ...after, num_matches: 8, ...(cache ? { num_cache: 2, cache_hit_rate: 3 / 8, max_fanout: 2, avg_fanout: 1 } : off) });
  });

  both('long subjects and queue names (past the 256-byte stack buffer)', (make) => {
    for (const len of [254, 255, 256, 257, 300, 1000, 5000]) {
      const sl = make();
      const subject = 'x'.repeat(len);
      const prefix = 'p.'.repeat(len >> 1) + 'p';
      assert.is(sl.insert(subject, null, 1), SubjectCheck.OK);
      assert.is(sl.insert(`${prefix}.>`, null, 2), SubjectCheck.OK);
      assert.is(sl.insert(`*.${'y'.repeat(len)}`, null, 3), SubjectCheck.OK);
      assert.equal(m(sl, subject), [1, 1, 0], `len ${len}`);
      assert.equal(m(sl, subject.slice(1)), EMPTY, `len ${len} - 1`);
      assert.equal(m(sl, `${subject}x`), EMPTY, `len ${len} + 1`);
      assert.equal(m(sl, `${prefix}.tail`), [1, 2, 0]);
      assert.equal(m(sl, prefix), EMPTY);
      assert.equal(m(sl, `a.${'y'.repeat(len)}`), [1, 3, 0]);
      const q = 'q'.repeat(len);
      sl.insert('foo', `${q}1`, 4);
      sl.insert('foo', `${q}2`, 5);
      sl.insert('foo', `${q}1`, 6);
      assert.equal(decode(sl.match('foo')).groups, [[4, 6], [5]]);
      assert.ok(sl.remove('foo', `${q}1`, 4));
      assert.not.ok(sl.remove('foo', `${q}2`, 6));
      assert.ok(sl.remove(subject, null, 1));
      assert.equal(m(sl, subject), EMPTY);
      assert.ok(core.isValidSubject(subject, false));
      assert.not.ok(core.isValidSubject(`${subject} `, true));
      assert.not.ok(core.isValidSubject(`${subject}.`, true));
    }
  });

  both('non-ASCII subjects', (make) => {
    const sl = make();
    const long = '日本'.repeat(60); // 360 UTF-8 bytes, 120 UTF-16 units
    sl.insert('日本.*', null, 1);
    sl.insert(`${long}.>`, 'grüppe', 2);
    sl.insert('🚀.>', null, 3);
    sl.insert('ü', null, 4);
    assert.equal(m(sl, '日本.語'), [1, 1, 0]);
    assert.equal(m(sl, `${long}.語.x`), [0, 1, 1, 2]);
    assert.equal(m(sl, '🚀.a.b'), [1, 3, 0]);
    assert.equal(m(sl, 'ü'), [1, 4, 0]);
    assert.equal(m(sl, 'u\u0308'), EMPTY, 'no Unicode normalisation: bytes compare');
    assert.ok(sl.remove(`${long}.>`, 'grüppe', 2));
    assert.equal(m(sl, `${long}.語.x`), EMPTY);
  });

  // Native glue: a string is first read into a 256-byte stack buffer. When a
  // multi-byte character straddles its end, N-API writes only the whole
  // characters that fit, so the read must not be taken as complete.
  both('a multi-byte character across the 256-byte boundary is not cut', (make) => {
    for (const ch of ['é', '日', '🚀']) {
      for (let pad = 250; pad <= 258; pad++) {
        const sl = make();
        const subject = 'a'.repeat(pad) + ch;
        assert.is(sl.insert(subject, null, 1), SubjectCheck.OK);
        assert.equal(m(sl, subject), [1, 1, 0], `pad ${pad} ${ch}`);
        assert.equal(m(sl, 'a'.repeat(pad)), EMPTY, `${pad} a's must not match a subscription on ${pad} a's + ${ch}`);
        assert.not.ok(core.isValidSubject(`${subject} x`, true), `${pad} a's + ${ch} + ' x' is invalid`);
        const q = 'q'.repeat(pad);
        sl.insert('foo', `${q}日`, 2);
        sl.insert('foo', `${q}本`, 3);
        assert.equal(decode(sl.match('foo')).groups, [[2], [3]], `queues ${pad} q's + 日 / 本 are two groups`);
      }
    }
  });

  both('match results longer than 256 words (the grow-and-retry path)', (make) => {
    for (const n of [253, 254, 255, 256, 300, 1000]) {
      const sl = make();
      const ids = Array.from({ length: n }, (_, i) => i * 3);
      for (const id of ids) sl.insert('big.*', null, id);
      sl.insert('small', null, 42);
      for (let round = 0; round < 2; round++) {
        const r = sl.match('big.x');
        assert.is(r.length, n + 2, `n ${n}`);
        assert.equal(decode(r), { plain: ids, groups: [] });
        assert.equal(m(sl, 'small'), [1, 42, 0], 'a short result after a long one');
      }
    }
    const sl = make();
    const members = Array.from({ length: 400 }, (_, i) => 1000 + i);
    for (const id of members) sl.insert('grp.>', 'q', id);
    for (let id = 0; id < 300; id++) sl.insert('grp.a', null, id);
    const d = decode(sl.match('grp.a'));
    assert.equal(d.plain, Array.from({ length: 300 }, (_, i) => i));
    assert.equal(d.groups, [members]);
  });

  both('a match that grows the result buffer counts as one match', (make, cache) => {
    const sl = make();
    for (let id = 0; id < 300; id++) sl.insert('big', null, id);
    assert.is(sl.match('big').length, 302);
    assert.is(sl.stats().num_matches, 1, 'num_matches after one match() call');
    assert.is(sl.stats().cache_hit_rate, 0, 'the first match of a subject is a miss');
    sl.match('big');
    assert.is(sl.stats().num_matches, 2);
    assert.is(sl.stats().cache_hit_rate, cache ? 0.5 : 0);
  });

  both('ids cover the whole u32 range', (make) => {
    const sl = make();
    const ids = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    for (const id of ids) sl.insert('ids', null, id);
    for (const id of ids) sl.insert('ids', 'q', id);
    assert.equal(decode(sl.match('ids')), { plain: ids, groups: [ids] });
    assert.ok(sl.remove('ids', null, 0xffffffff));
    assert.ok(sl.remove('ids', 'q', 0x80000000));
    assert.equal(decode(sl.match('ids')), { plain: ids.slice(0, -1), groups: [ids.filter((i) => i !== 0x80000000)] });
  });

  s('isValidSubject(s, wildcards) table', () => {
    for (const [subject, sub, pub] of VALIDITY) {
      assert.is(core.isValidSubject(subject, true), sub, `SUB ${JSON.stringify(subject)}`);
      assert.is(core.isValidSubject(subject, false), pub, `PUB ${JSON.stringify(subject)}`);
    }
  });

  s.run();
}

// Subject trie matches per second, called from TS with a string subject as
// the publish path does: literal subjects with the cache hit, with the
// cache off, and with more distinct subjects than the cache holds; and a
// wildcard-heavy trie of ~10k subscriptions with queue groups.

import type { Sublist } from '../src/core/index.js';
import { BaselineSublist } from './baseline/sublist.js';
import { consume, measureAll, printTable, type Row } from './harness.js';
import { TS, contenders, expectSame, type BenchContext, type Contender, type Suite } from './suite.js';

type Matcher = Pick<Sublist, 'insert' | 'remove' | 'match'>;
type MakeMatcher = (cache: boolean) => Matcher;

/** Subjects a cached case cycles through: well under the cache's 1024. */
const HOT_SUBJECTS = 256;
/** Subjects of the churn case: four times the cache, so most matches miss and sweeps run. */
const CHURN_SUBJECTS = 4096;

/** ~1000 literal subscriptions plus a couple of wildcards (a typical service mesh). */
function literalTrie(s: Matcher): Matcher {
  for (let i = 0; i < 1000; i++) s.insert(`svc.${i}.req`, null, i);
  s.insert('_INBOX.abc.*', null, 5000);
  s.insert('svc.>', 'audit', 5001);
  return s;
}

/** 9,610 subscriptions, most with `*`/`>` or in one of four queue groups. */
function wildcardTrie(s: Matcher): Matcher {
  let id = 0;
  for (let x = 0; x < 10; x++) {
    for (let y = 0; y < 10; y++) {
      for (let z = 0; z < 50; z++) s.insert(`a${x}.b${y}.c${z}`, null, ++id);
      s.insert(`a${x}.b${y}.>`, null, ++id);
      for (let k = 0; k < 40; k++) s.insert(`a${x}.b${y}.*`, `g${k % 4}`, ++id);
    }
    for (let z = 0; z < 50; z++) s.insert(`a${x}.*.c${z}`, null, ++id);
  }
  for (let y = 0; y < 10; y++) s.insert(`*.b${y}.*`, null, ++id);
  return s;
}

const literalSubjects = (n: number) => Array.from({ length: n }, (_, i) => `svc.${i}.req`);
const wildcardSubjects = (n: number) => Array.from({ length: n }, (_, i) => `a${i % 10}.b${(i / 10) % 10 | 0}.c${(i / 100) % 50 | 0}`);

interface Case {
  label: string;
  cache: boolean;
  trie: (s: Matcher) => Matcher;
  subjects: string[];
}

const CASES: Case[] = [
  { label: 'literal, cache hit', cache: true, trie: literalTrie, subjects: literalSubjects(HOT_SUBJECTS) },
  { label: 'literal, cache off', cache: false, trie: literalTrie, subjects: literalSubjects(HOT_SUBJECTS) },
  { label: `literal, ${CHURN_SUBJECTS} subj (churn)`, cache: true, trie: literalTrie, subjects: literalSubjects(CHURN_SUBJECTS) },
  { label: 'wildcard 10k, cache hit', cache: true, trie: wildcardTrie, subjects: wildcardSubjects(HOT_SUBJECTS) },
  { label: 'wildcard 10k, cache off', cache: false, trie: wildcardTrie, subjects: wildcardSubjects(5000) },
];

/** Subjects off the benchmark's paths: no match, prefixes, `>` depth, empty tokens. */
const EDGE_SUBJECTS = ['nomatch', 'svc', 'svc.1', 'svc.1.req.x', '_INBOX.abc.q', 'a1.b2', 'a1.b2.c3.d4', 'z.b3.w', 'a1..c2', 'a1.b2.*'];

/** (subject, queue, id) of subscriptions the tries above hold; a1.b2.* in g1 is x=1, y=2, k=1. */
const REMOVALS: [string, string | null, number][] = [
  ['svc.>', 'audit', 5001],
  ['svc.7.req', null, 7],
  ['a1.b2.*', 'g1', 960 * 1 + 91 * 2 + 51 + 1 + 1],
  ['*.b3.*', null, 9600 + 3 + 1],
];

/** Every case's trie gives the baseline's results, before and after removals. */
function selfCheck(all: Contender<MakeMatcher>[]): void {
  const results = (s: Matcher, subjects: string[]) => subjects.map((subj) => Array.from(s.match(subj)));
  for (const c of CASES) {
    const subjects = [...c.subjects.slice(0, 600), ...EDGE_SUBJECTS];
    const tries = all.map(({ name, impl }) => ({ name, s: c.trie(impl(c.cache)) }));
    const want = results(tries[tries.length - 1]!.s, subjects);
    for (const { name, s } of tries) {
      expectSame(`${name} ${c.label}`, results(s, subjects), want);
      // Removals must invalidate cached results in every implementation;
      // two of these exist in either trie.
      const removed = REMOVALS.filter(([subj, queue, id]) => s.remove(subj, queue, id)).length;
      expectSame(`${name} ${c.label}, removals`, removed, 2);
    }
    const after = results(tries[tries.length - 1]!.s, subjects);
    for (const { name, s } of tries) expectSame(`${name} ${c.label}, after removes`, results(s, subjects), after);
  }
}

export const sublistSuite: Suite = {
  name: 'sublist',
  summary: 'subject trie matches from TS (string subject in, flat result out)',
  run(ctx: BenchContext): void {
    const all = contenders<MakeMatcher>(ctx, (core) => (cache) => core.newSublist(cache), (cache) => new BaselineSublist(cache));
    selfCheck(all);
    const rows: Row[] = [];
    for (const c of CASES) {
      const row: Row = { label: c.label, unit: 'M matches/s', values: {} };
      const batches: Record<string, () => number> = {};
      for (const { name, impl } of all) {
        const s = c.trie(impl(c.cache));
        const subjects = c.subjects;
        batches[name] = () => {
          let acc = 0;
          for (let i = 0; i < subjects.length; i++) {
            const r = s.match(subjects[i]!);
            acc += r[0]! + r.length;
          }
          consume(acc);
          return subjects.length;
        };
      }
      const rates = measureAll(batches, ctx.opts);
      for (const { name } of all) row.values[name] = rates[name]! / 1e6;
      rows.push(row);
    }
    printTable('sublist', all.map((c) => c.name), TS, rows);
  },
};

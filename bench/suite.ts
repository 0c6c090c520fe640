// What a benchmark suite is, and what run.ts hands it. Core suites compare
// the Rust core's builds with a plain-TS baseline; server suites (to come)
// need only the options.

import type { Core } from '../src/core/index.js';
import type { HarnessOptions } from './harness.js';

export interface BenchContext {
  readonly opts: HarnessOptions;
  /** The builds of the core that loaded, native first; loaded on first call. */
  cores(): readonly Core[];
}

export interface Suite {
  /** Short name the command-line filter matches, e.g. `crc32`. */
  readonly name: string;
  /** One line printed above the suite's tables. */
  readonly summary: string;
  run(ctx: BenchContext): void | Promise<void>;
}

/** Column name of the plain-TS baseline in every core table. */
export const TS = 'ts';

/** A thing measured under a name: a build of the core, or the baseline. */
export interface Contender<T> {
  readonly name: string;
  readonly impl: T;
}

/** One contender per loaded core, then the baseline, last. */
export function contenders<T>(ctx: BenchContext, fromCore: (core: Core) => T, baseline: T): Contender<T>[] {
  return [...ctx.cores().map((core) => ({ name: core.kind, impl: fromCore(core) })), { name: TS, impl: baseline }];
}

export class SelfCheckError extends Error {
  override name = 'SelfCheckError';
}

/**
 * Throws unless `actual` equals `expected` (compared as JSON). Each suite
 * checks its baseline against the core before timing anything, so a wrong
 * baseline cannot produce flattering ratios.
 */
export function expectSame(what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) {
    const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);
    throw new SelfCheckError(`self-check failed: ${what}\n  got      ${cut(a)}\n  expected ${cut(e)}`);
  }
}

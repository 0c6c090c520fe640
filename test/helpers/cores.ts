// The binding matrix of the core tests: every test of test/core runs once
// per core that loads here. The WASM build always ships; the addon exists
// when `npm install` found a Rust toolchain (CI has one). STAN_CORE, when
// set, restricts the matrix to that core.

import { loadCore, type Core } from '../../src/core/index.js';

export function cores(): Core[] {
  const want = process.env.STAN_CORE;
  const kinds = want ? [want] : ['native', 'wasm'];
  const list: Core[] = [];
  for (const k of kinds) {
    try {
      list.push(loadCore(k));
    } catch (err) {
      if (want || process.env.CI) throw err;
      console.log(`note: the ${k} core is not available here, its tests are skipped: ${(err as Error).message}`);
    }
  }
  return list;
}

/** True in `npm run test:long`: fuzz and soak loops run at full length. */
export const LONG = process.env.STAN_TEST_LONG === '1';

/** xorshift32: deterministic pseudo-random numbers for seeded loops. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

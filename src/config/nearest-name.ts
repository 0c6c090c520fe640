// Suggestions for a misspelt name: the nearest flag (src/cli/flags.ts) or
// configuration key (stan-keys.ts, the -c file reader), so that errors say
// "did you mean ...".

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word` by edit distance, where a difference in
 * case only costs less than any other edit (ties: the earlier candidate);
 * undefined if there are none.
 */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    // So `-sd` suggests `-SD` rather than `-s`.
    const score = distance(word.toLowerCase(), c.toLowerCase()) * 4 + distance(word, c);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

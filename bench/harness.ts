// The measuring and printing shared by every benchmark suite: warm up,
// then time repeated batches of work for a fixed wall-clock slice, keep the
// best of several slices, and print aligned tables with core/TS ratios.

/** How long and how often each figure is measured. */
export interface HarnessOptions {
  /** Untimed work before the first slice, so the JIT has settled. */
  warmupMs: number;
  /** Length of one timed slice. */
  runMs: number;
  /** Timed slices per figure; the best one is reported. */
  runs: number;
}

/**
 * Best of 20 slices of 75 ms. On a shared VM the speed of the whole machine
 * swings by up to 1.7x for seconds at a time; many short slices, taken in
 * turn by each contender over ~5 s per figure, give every one a share of
 * the fast periods. The whole `npm run bench` stays near a minute.
 */
export const DEFAULT_OPTIONS: HarnessOptions = { warmupMs: 150, runMs: 75, runs: 20 };

let sinkValue = 0;

/**
 * Folds a result into a value the benchmarks print nowhere but cannot prove
 * unused, so the JIT cannot drop the work that produced it.
 */
export function consume(x: number): void {
  sinkValue = (sinkValue + x) | 0;
}

export function sink(): number {
  return sinkValue;
}

const NS_PER_S = 1e9;

/**
 * Best rate (units per second) of each of several `batches` of the same
 * work, by contender name. A batch does some work and returns how many
 * units (bytes, ops, calls) it processed; it should take well under
 * `runMs`. Slices go round-robin over the contenders, so a slow period of
 * the machine hits every contender alike instead of skewing one ratio.
 */
export function measureAll(batches: Record<string, () => number>, opts: HarnessOptions): Record<string, number> {
  const names = Object.keys(batches);
  for (const name of names) slice(batches[name]!, opts.warmupMs);
  const rates: Record<string, number[]> = {};
  for (const name of names) rates[name] = [];
  for (let r = 0; r < opts.runs; r++) {
    for (const name of names) rates[name]!.push(slice(batches[name]!, opts.runMs));
  }
  const best: Record<string, number> = {};
  for (const name of names) best[name] = Math.max(...rates[name]!);
  return best;
}

/** Units per second over at least `ms` of repeated batches. */
function slice(batch: () => number, ms: number): number {
  const limit = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let units = 0;
  let elapsed = 0n;
  do {
    units += batch();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return (units * NS_PER_S) / Number(elapsed);
}

/** 3 significant digits, thousands grouped: 1,234 / 12.3 / 1.23 / 0.123. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** One printed row: a measured quantity for each contender. */
export interface Row {
  label: string;
  unit: string;
  /** Figure per contender, by contender name; undefined when not run. */
  values: Record<string, number | undefined>;
  /** Minimum the first contender (the native core) should reach. */
  target?: number;
}

/**
 * Prints `rows` as a table: one column per contender, then `<name>/<base>`
 * ratios for every other contender against `base` (the plain-TS baseline),
 * then the target and whether the first contender meets it.
 */
export function printTable(title: string, contenders: readonly string[], base: string, rows: readonly Row[]): void {
  const others = contenders.filter((c) => c !== base);
  const header = ['', 'unit', ...contenders, ...others.map((c) => `${c}/${base}`), 'target'];
  const lines = rows.map((row) => {
    const ratio = (c: string) => {
      const v = row.values[c];
      const b = row.values[base];
      return v === undefined || b === undefined || b === 0 ? 'n/a' : `${(v / b).toFixed(2)}x`;
    };
    let target = '';
    if (row.target !== undefined) {
      const first = row.values[contenders[0]!];
      const met = first === undefined ? '?' : first >= row.target ? 'met' : 'BELOW';
      target = `>= ${fmt(row.target)} ${met}`;
    }
    return [row.label, row.unit, ...contenders.map((c) => fmt(row.values[c])), ...others.map(ratio), target];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const render = (l: string[]) =>
    l
      .map((cell, i) => (i < 2 || i === l.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(render(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(render(l));
}

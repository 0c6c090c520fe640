// Size and duration texts, as used by config values and command-line flags.
//
// Sizes follow the integer suffixes of nats-server's `conf` package
// (STAN-REFERENCE §7.5): `k` = 1000, `kb`/`ki`/`kib` = 1024, and likewise for
// m, g, t, p, e, case-insensitive. Durations follow Go's time.ParseDuration
// (§7.1): a sequence of decimal numbers with units ns, us (µs, μs), ms, s, m, h.

import { ConfigValueError } from './errors.js';

const DECIMAL = 1000n;
const BINARY = 1024n;

/** Largest value of Go's int64, the range both parsers work in. */
export const INT64_MAX = (1n << 63n) - 1n;
/** Smallest value of Go's int64. */
export const INT64_MIN = -(1n << 63n);

function sizeTable(): Map<string, bigint> {
  const table = new Map<string, bigint>([['', 1n]]);
  const letters = ['k', 'm', 'g', 't', 'p', 'e'];
  letters.forEach((letter, i) => {
    const power = BigInt(i + 1);
    table.set(letter, DECIMAL ** power);
    for (const binary of [`${letter}b`, `${letter}i`, `${letter}ib`]) {
      table.set(binary, BINARY ** power);
    }
  });
  return table;
}

/** Multiplier of each size suffix, lower-case; '' is the plain integer. */
const SIZE_MULTIPLIERS: ReadonlyMap<string, bigint> = sizeTable();

/** The multiplier of a size suffix (any case), or undefined if it is not one. */
export function sizeMultiplier(suffix: string): bigint | undefined {
  return SIZE_MULTIPLIERS.get(suffix.toLowerCase());
}

/** True if `c` can start a size suffix (k, m, g, t, p, e in either case). */
export function isSizeSuffixStart(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && 'kmgtpeKMGTPE'.includes(c);
}

const SIZE_RE = /^(-?[0-9]+)([a-zA-Z]*)$/;

/**
 * Applies a size suffix to a decimal integer text and checks that the result
 * fits Go's int64. Returns undefined if the suffix is unknown or the result is
 * out of range. Values above 2^53 lose precision when turned into a number.
 */
export function scaleInteger(digits: string, suffix: string): number | undefined {
  const multiplier = sizeMultiplier(suffix);
  if (multiplier === undefined) return undefined;
  const value = BigInt(digits) * multiplier;
  if (value > INT64_MAX || value < INT64_MIN) return undefined;
  return Number(value);
}

/**
 * Parses a size such as `512`, `64MB`, `1GB`, `1G` or `10Ki` into a number of
 * bytes (`1GB` = 1073741824, `1G` = 1000000000). Throws ConfigValueError.
 */
export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text.trim());
  if (m === null) {
    throw new ConfigValueError(text, `invalid size '${text}': expected an integer with an optional suffix such as KB, MB or GB`);
  }
  const digits = m[1] as string;
  const suffix = m[2] as string;
  if (sizeMultiplier(suffix) === undefined) {
    throw new ConfigValueError(text, `invalid size '${text}': unknown suffix '${suffix}'`);
  }
  const value = scaleInteger(digits, suffix);
  if (value === undefined) {
    throw new ConfigValueError(text, `invalid size '${text}': out of range`);
  }
  return value;
}

/** Nanoseconds per duration unit, as in Go's time package. */
const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 micro sign
  ['\u03bcs', 1_000n], // U+03BC Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60n * 1_000_000_000n],
  ['h', 3600n * 1_000_000_000n],
]);

const NS_PER_MS = 1_000_000;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration (`1h15m`, `500ms`, `1.5s`, `2m`, `300us`, `10ns`,
 * `-3s`, `0`) into milliseconds, which may be fractional (`300us` = 0.3).
 * There is no `d` unit. Throws ConfigValueError with Go's wording.
 */
export function parseDuration(text: string): number {
  const invalid = (): ConfigValueError =>
    new ConfigValueError(text, `time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();

  let total = 0n;
  let i = 0;
  while (i < s.length) {
    if (!(s[i] === '.' || isDigit(s[i]))) throw invalid();
    const intStart = i;
    while (isDigit(s[i])) i++;
    const intDigits = s.slice(intStart, i);
    let fracDigits = '';
    if (s[i] === '.') {
      i++;
      const fracStart = i;
      while (isDigit(s[i])) i++;
      fracDigits = s.slice(fracStart, i);
    }
    if (intDigits === '' && fracDigits === '') throw invalid();

    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s[i])) i++;
    const unitText = s.slice(unitStart, i);
    if (unitText === '') {
      throw new ConfigValueError(text, `time: missing unit in duration ${JSON.stringify(text)}`);
    }
    const unit = DURATION_UNITS.get(unitText);
    if (unit === undefined) {
      throw new ConfigValueError(
        text,
        `time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`,
      );
    }
    let part = BigInt(intDigits === '' ? '0' : intDigits) * unit;
    if (fracDigits !== '') {
      // Like Go, the fractional part is truncated to whole nanoseconds.
      part += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    }
    total += part;
    if (total > INT64_MAX) throw invalid();
  }
  const ms = Number(total) / NS_PER_MS;
  return negative ? -ms : ms;
}

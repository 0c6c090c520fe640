// Durations and byte counts written the way the Go server writes them in its
// log lines and error texts (Go's time.Duration String() and the streaming
// server's util.FriendlyBytes), so that ours read the same.

/** Go's strconv 'f' with 2 decimals: like toFixed, but exact ties round to even. */
function goFixed2(v: number): string {
  const scaled = v * 100;
  // A tie (x.xx5 exactly) needs v = k/8, so v * 8 is an integer.
  if (Number.isInteger(v * 8) && scaled - Math.floor(scaled) === 0.5) {
    const down = Math.floor(scaled);
    return ((down % 2 === 0 ? down : down + 1) / 100).toFixed(2);
  }
  return v.toFixed(2);
}

const SIZE_PREFIXES = ['K', 'M', 'G', 'T', 'P', 'E'];

/** The Go server's util.FriendlyBytes: `512 B`, `976.56 MB`, `10.00 GB`. */
export function friendlyBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const exp = Math.trunc(Math.log(bytes) / Math.log(1024));
  return `${goFixed2(bytes / 1024 ** exp)} ${SIZE_PREFIXES[exp - 1]}B`;
}

function withFraction(whole: bigint, frac: bigint, digits: number): string {
  const f = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return f === '' ? whole.toString() : `${whole}.${f}`;
}

/** Go's time.Duration String() of `ms` milliseconds: `72h0m0s`, `1.5s`, `250ms`. */
export function goDuration(ms: number): string {
  const whole = Math.trunc(ms);
  let ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1_000_000));
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns < 1000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${withFraction(ns / 1000n, ns % 1000n, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${withFraction(ns / 1_000_000n, ns % 1_000_000n, 6)}ms`;
  const secs = ns / 1_000_000_000n;
  let out = `${withFraction(secs % 60n, ns % 1_000_000_000n, 9)}s`;
  const mins = secs / 60n;
  if (mins > 0n) out = `${mins % 60n}m${out}`;
  const hours = mins / 60n;
  if (hours > 0n) out = `${hours}h${out}`;
  return sign + out;
}

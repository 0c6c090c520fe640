// Store limits (STAN-REFERENCE §7.3, §2.9): the effective limits of a
// channel under per-channel inheritance, the startup validation with the Go
// server's error texts, and the "Store Limits" banner the Go server logs at
// startup (its stores/limits.go Print()).
//
// Per-channel entries (StoreLimits.perChannel) are keyed by a channel name
// or a wildcard pattern. In an entry, a field that is `undefined` inherits;
// 0 (or a negative number) means explicitly unlimited for that channel, as
// an explicit 0 does in a configuration file.
//
// Inheritance: an entry inherits each unset field from its parent, the
// narrowest other entry that covers every channel the entry matches
// (`orders.>` covers `orders.*` and `orders.audit`), else from the globals.
// A channel's limits are those of the narrowest entry matching it, else the
// globals. "Narrowest" is the Go sublist's match order: comparing token by
// token, at the first difference `>` is wider than `*`, which is wider than
// a literal token; so a literal entry always wins.
//
// Unlike the Go server, an entry that has narrower entries below it in the
// subject tree (`foo` next to `foo.bar`) is resolved and printed too (Go's
// sublist only lists leaves, which left such an entry unlimited), and a
// parent must really cover its child (Go's match of `foo.>` also picks up
// `*.*`).

import { isValidChannelPattern } from '../subject/channel-name.js';
import { isSubsetMatch, subjectMatches } from '../subject/match.js';
import {
  DEFAULT_STORE_LIMITS,
  StoreError,
  type ChannelLimits,
  type MsgStoreState,
  type StoreLimits,
} from './store.js';

type LimitField = keyof ChannelLimits;

const LIMIT_FIELDS: readonly LimitField[] = [
  'maxSubscriptions',
  'maxMsgs',
  'maxBytes',
  'maxAgeMs',
  'maxInactivityMs',
];

interface Entry {
  name: string;
  tokens: string[];
  limits: Partial<ChannelLimits>;
}

function entriesOf(limits: StoreLimits): Entry[] {
  return [...limits.perChannel].map(([name, l]) => ({ name, tokens: name.split('.'), limits: l }));
}

function globalsOf(limits: StoreLimits): ChannelLimits {
  const { maxSubscriptions, maxMsgs, maxBytes, maxAgeMs, maxInactivityMs } = limits;
  return { maxSubscriptions, maxMsgs, maxBytes, maxAgeMs, maxInactivityMs };
}

function tokenRank(t: string): number {
  return t === '>' ? 0 : t === '*' ? 1 : 2;
}

/** Orders entries widest first (Go sublist order); literal tokens alphabetically. */
function compareEntries(a: Entry, b: Entry): number {
  const n = Math.min(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) {
    const x = a.tokens[i]!;
    const y = b.tokens[i]!;
    if (x === y) continue;
    const r = tokenRank(x) - tokenRank(y);
    if (r !== 0) return r;
    return x < y ? -1 : 1;
  }
  return a.tokens.length - b.tokens.length;
}

/** The narrowest of `candidates`, or undefined if there are none. */
function narrowest(candidates: Entry[]): Entry | undefined {
  let best: Entry | undefined;
  for (const e of candidates) if (best === undefined || compareEntries(e, best) > 0) best = e;
  return best;
}

/** The entries strictly covering `e`, i.e. those `e` inherits from. */
function coveringEntries(e: Entry, all: Entry[]): Entry[] {
  return all.filter((p) => p !== e && isSubsetMatch(e.name, p.name));
}

/** Resolves per-channel entries lazily, each once. */
class Resolver {
  readonly #all: Entry[];
  readonly #globals: ChannelLimits;
  readonly #done = new Map<Entry, ChannelLimits>();

  constructor(limits: StoreLimits, all: Entry[]) {
    this.#all = all;
    this.#globals = globalsOf(limits);
  }

  /** The limits `e` inherits from: its parent's, else the globals. */
  parentLimits(e: Entry): ChannelLimits {
    const parent = narrowest(coveringEntries(e, this.#all));
    return parent === undefined ? this.#globals : this.resolve(parent);
  }

  resolve(e: Entry): ChannelLimits {
    let r = this.#done.get(e);
    if (r !== undefined) return r;
    const inherited = this.parentLimits(e);
    r = { ...inherited };
    for (const f of LIMIT_FIELDS) {
      const v = e.limits[f];
      if (v !== undefined) r[f] = v > 0 ? v : 0;
    }
    this.#done.set(e, r);
    return r;
  }
}

/** The limits of channel `channel` (a literal name) under `limits` (§7.3). */
export function effectiveLimits(limits: StoreLimits, channel: string): ChannelLimits {
  if (limits.perChannel.size === 0) return globalsOf(limits);
  const all = entriesOf(limits);
  const entry = narrowest(all.filter((e) => subjectMatches(e.name, channel)));
  return entry === undefined ? globalsOf(limits) : new Resolver(limits, all).resolve(entry);
}

// ---------- Validation ----------

function isLiteral(name: string): boolean {
  return !name.includes('*') && !name.includes('>');
}

/**
 * Throws the Go server's startup error for invalid limits: a negative
 * global, an invalid per-channel key, or more literal per-channel entries
 * than max_channels.
 */
export function validateLimits(limits: StoreLimits): void {
  const negative: [string, number, string][] = [
    ['channels', limits.maxChannels, String(limits.maxChannels)],
    ['subscriptions', limits.maxSubscriptions, String(limits.maxSubscriptions)],
    ['messages', limits.maxMsgs, String(limits.maxMsgs)],
    ['bytes', limits.maxBytes, String(limits.maxBytes)],
    ['age', limits.maxAgeMs, goDuration(limits.maxAgeMs)],
    ['inactivity', limits.maxInactivityMs, goDuration(limits.maxInactivityMs)],
  ];
  for (const [what, v, shown] of negative) {
    if (v < 0) throw new StoreError(`max ${what} limit cannot be negative (${shown})`);
  }
  let literals = 0;
  for (const name of limits.perChannel.keys()) {
    if (!isValidChannelPattern(name)) throw new StoreError(`invalid channel name ${goQuote(name)}`);
    if (!isLiteral(name)) continue;
    literals++;
    if (limits.maxChannels > 0 && literals > limits.maxChannels) {
      throw new StoreError(
        `too many channels defined (${literals}). The max channels limit is set to ${limits.maxChannels}`,
      );
    }
  }
}

// ---------- Go formatting ----------

/** Go's %q for the names we quote (printable text): a JSON string. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

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

/**
 * The warning the Go server logs the first time a channel drops messages
 * for its limits (pass the state right after that drop).
 */
export function limitReachedWarning(channel: string, state: MsgStoreState, limits: ChannelLimits): string {
  return (
    `WARNING: Reached limits for store ${goQuote(channel)} ` +
    `(msgs=${state.msgs}/${limits.maxMsgs} bytes=${friendlyBytes(state.bytes)}/${friendlyBytes(limits.maxBytes)}), ` +
    'dropping old messages to make room for new ones'
  );
}

// ---------- Banner ----------

type LimitKind = 'count' | 'bytes' | 'duration';

const BANNER_TITLE = '---------- Store Limits ----------';
const BANNER_CHANNELS_TITLE = '--------- Channels Limits --------';
const BANNER_LIST_TITLE = ' List of Channels ';

/** A limit's value cell: right-aligned in 13 columns, ` *` when `marked`. */
function limitCell(v: number, kind: LimitKind, marked: boolean): string {
  let s: string;
  if (v === 0) s = 'unlimited';
  else if (kind === 'bytes') s = friendlyBytes(v);
  else if (kind === 'duration') s = goDuration(v);
  else s = String(v);
  return s.padStart(13) + (marked ? ' *' : '');
}

const BANNER_ROWS: readonly [LimitField, LimitKind, string, string][] = [
  ['maxSubscriptions', 'count', '  Subscriptions: ', ' |-> Subscriptions '],
  ['maxMsgs', 'count', '  Messages     : ', ' |-> Messages      '],
  ['maxBytes', 'bytes', '  Bytes        : ', ' |-> Bytes         '],
  ['maxAgeMs', 'duration', '  Age          : ', ' |-> Age           '],
  ['maxInactivityMs', 'duration', '  Inactivity   : ', ' |-> Inactivity    '],
];

/**
 * The Go server's startup table of store limits, one string per log line.
 * Globals equal to the defaults are marked `*`; each per-channel entry is
 * indented by its depth in the inheritance tree and lists only the limits
 * that differ from what it inherits.
 */
export function formatLimitsBanner(limits: StoreLimits): string[] {
  const defaultChannels = limits.maxChannels === DEFAULT_STORE_LIMITS.maxChannels;
  const lines = [
    BANNER_TITLE,
    `Channels:        ${limitCell(limits.maxChannels, 'count', defaultChannels)}`,
    BANNER_CHANNELS_TITLE,
  ];
  for (const [field, kind, label] of BANNER_ROWS) {
    lines.push(label + limitCell(limits[field], kind, limits[field] === DEFAULT_STORE_LIMITS[field]));
  }
  let width = BANNER_TITLE.length;
  if (limits.perChannel.size > 0) {
    const all = entriesOf(limits).sort(compareEntries);
    const resolver = new Resolver(limits, all);
    const maxLevels = Math.max(...all.map((e) => e.tokens.length));
    const channelLines: string[] = [];
    for (const e of all) {
      const level = coveringEntries(e, all).length;
      const own = resolver.resolve(e);
      const parent = resolver.parentLimits(e);
      const left = ' '.repeat(level);
      const right = ' '.repeat(Math.max(0, maxLevels - level));
      channelLines.push(left + e.name);
      for (const [field, kind, , label] of BANNER_ROWS) {
        if (own[field] !== parent[field]) channelLines.push(left + label + right + limitCell(own[field], kind, false));
      }
    }
    // Go measures in bytes.
    for (const l of channelLines) width = Math.max(width, Buffer.byteLength(l, 'utf8'));
    const dashesLeft = Math.max(0, Math.floor((width - BANNER_LIST_TITLE.length) / 2));
    const dashesRight = Math.max(0, width - BANNER_LIST_TITLE.length - dashesLeft);
    lines.push('-'.repeat(dashesLeft) + BANNER_LIST_TITLE + '-'.repeat(dashesRight));
    lines.push(...channelLines);
  }
  lines.push('-'.repeat(width));
  return lines;
}

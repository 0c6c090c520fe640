// Store limits (STAN-REFERENCE §7.3, §2.9): the effective limits of a
// channel under per-channel inheritance, and their validation at startup
// with the Go server's error texts.
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

import { goDuration } from '../units/go-format.js';
import { isValidChannelPattern } from '../subject/channel-name.js';
import { isSubsetMatch, subjectMatches } from '../subject/match.js';
import { StoreError, type ChannelLimits, type StoreLimits } from './store.js';

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

/** A per-channel entry with its limits resolved, as the startup banner lists it. */
export interface ResolvedEntry {
  readonly name: string;
  /** How many entries cover it: its depth in the inheritance tree. */
  readonly depth: number;
  readonly limits: ChannelLimits;
  /** What it inherits: its parent's limits, else the globals. */
  readonly inherited: ChannelLimits;
}

/** The per-channel entries in the Go sublist's order (widest first), each resolved. */
export function resolvedEntries(limits: StoreLimits): ResolvedEntry[] {
  const all = entriesOf(limits).sort(compareEntries);
  const resolver = new Resolver(limits, all);
  return all.map((e) => ({
    name: e.name,
    depth: coveringEntries(e, all).length,
    limits: resolver.resolve(e),
    inherited: resolver.parentLimits(e),
  }));
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
    // Go's %q of printable text, as a JSON string.
    if (!isValidChannelPattern(name)) throw new StoreError(`invalid channel name ${JSON.stringify(name)}`);
    if (!isLiteral(name)) continue;
    literals++;
    if (limits.maxChannels > 0 && literals > limits.maxChannels) {
      throw new StoreError(
        `too many channels defined (${literals}). The max channels limit is set to ${limits.maxChannels}`,
      );
    }
  }
}

// What a configuration reload changes (SIGHUP, issue 6), as data: the
// options built from the files again are compared with those in force, and
// each difference becomes either a change the running servers can take at
// run time (the authorization, the log levels, the store limits) or a
// refusal that names the key and both values. Nothing here touches a
// server: src/cli/reload.ts applies the changes through each server's own
// method (NatsServer.setAuth, StanServer.setStoreLimits, the logger's
// setLevels) and logs them.

import { isDeepStrictEqual } from 'node:util';
import { goDuration } from '../units/go-format.js';
import type { ChannelLimits, StoreLimits } from '../limits/store-limits.js';
import { FLAGS, type ParsedFlags } from './flag-table.js';
import { type StanConfig, withStanConfig } from './stan-options.js';

/** The log options a reload applies; other log options (file, syslog, format) need a restart. */
export const LEVEL_KEYS = ['debug', 'trace', 'stanDebug', 'stanTrace'] as const;
export type LevelKey = (typeof LEVEL_KEYS)[number];

/** Streaming options a reload applies: the store limits, and the log levels (which reach it as log options). */
const RELOADABLE_STAN_OPTIONS: ReadonlySet<string> = new Set([
  'maxChannels', 'maxSubs', 'maxMsgs', 'maxBytes', 'maxAge', 'maxInactivity', 'perChannelLimits', 'stanDebug', 'stanTrace',
]);

/** Streaming options whose values are never written to the log (a reload names them only). */
const SECRET_STAN_OPTIONS: ReadonlySet<string> = new Set(['encryptionKey']);

/** One option's old and new value. */
export interface OptionChange {
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** One item of a reload, in the order they are reported. */
export type ConfigChange =
  /** Cannot change at run time: the text says what, and that the old value stays. */
  | { readonly kind: 'refused'; readonly text: string }
  /** The embedded NATS server's authorization settings (its AuthOptions). */
  | { readonly kind: 'auth'; readonly from: unknown; readonly to: unknown }
  | { readonly kind: 'logLevels'; readonly changes: readonly OptionChange[] }
  /** The routes a cluster solicits (the rest of the cluster block cannot change). */
  | { readonly kind: 'routes'; readonly from: readonly string[]; readonly to: readonly string[] }
  /** New store limits, with one line per difference (`store limits max_msgs: 10 -> 5`). */
  | { readonly kind: 'storeLimits'; readonly limits: StoreLimits; readonly lines: readonly string[] };

/** The configuration of one moment, as far as a reload compares it. */
export interface ConfigSnapshot {
  /**
   * The options built for each part: `nats` and `log`, and any other
   * (monitoring, pid file...), which a reload never changes.
   */
  readonly built: { readonly nats: object; readonly log: object };
  /** NATS option → `"key" (file:line:col)` of the -c file, for messages. */
  readonly natsSources?: Readonly<Record<string, string>>;
  /** The streaming configuration file's options. */
  readonly stan: StanConfig | undefined;
}

/** The store limits of the running server and those the files now give. */
export interface LimitsChange {
  readonly inForce: StoreLimits;
  readonly next: StoreLimits;
}

/** A value for a message: primitives as they are, anything else only as "set". */
function shown(v: unknown): string {
  if (v === undefined) return 'the default';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '(settings)';
}

/** The refusal of a change, e.g. `config key "port" (f:1:1) cannot be changed at runtime (4222 -> 4333); keeping 4222`. */
export function cannotChange(what: string, old: unknown, now: unknown): string {
  return `${what} cannot be changed at runtime (${shown(old)} -> ${shown(now)}); keeping ${shown(old)}`;
}

/** An option change as a reload reports it applied: `debug: false -> true`. */
export function describeOption(c: OptionChange): string {
  return `${c.key}: ${shown(c.from)} -> ${shown(c.to)}`;
}

function keysOf(...objs: object[]): string[] {
  return [...new Set(objs.flatMap((o) => Object.keys(o)))];
}

function refused(what: string, old: unknown, now: unknown): ConfigChange {
  return { kind: 'refused', text: cannotChange(what, old, now) };
}

type LimitKind = 'count' | 'bytes' | 'duration';

const LIMIT_NAMES: ReadonlyArray<[field: keyof StoreLimits & keyof ChannelLimits | 'maxChannels', name: string, kind: LimitKind]> = [
  ['maxChannels', 'max_channels', 'count'],
  ['maxSubscriptions', 'max_subs', 'count'],
  ['maxMsgs', 'max_msgs', 'count'],
  ['maxBytes', 'max_bytes', 'bytes'],
  ['maxAgeMs', 'max_age', 'duration'],
  ['maxInactivityMs', 'max_inactivity', 'duration'],
];

function limitText(v: number | undefined, kind: LimitKind): string {
  if (v === undefined) return 'inherited';
  if (v <= 0) return 'unlimited';
  return kind === 'duration' ? goDuration(v) : String(v);
}

/** Each difference between two sets of store limits, e.g. `channel "foo" max_msgs: 10 -> 5`. */
export function describeLimits(a: StoreLimits, b: StoreLimits): string[] {
  const out: string[] = [];
  for (const [field, name, kind] of LIMIT_NAMES) {
    if (a[field] !== b[field]) out.push(`${name}: ${limitText(a[field], kind)} -> ${limitText(b[field], kind)}`);
  }
  const names = [...new Set([...a.perChannel.keys(), ...b.perChannel.keys()])].sort();
  for (const ch of names) {
    const x = a.perChannel.get(ch);
    const y = b.perChannel.get(ch);
    const label = `channel ${JSON.stringify(ch)}`;
    if (x === undefined) out.push(`${label}: added`);
    else if (y === undefined) out.push(`${label}: removed`);
    for (const [field, name, kind] of LIMIT_NAMES) {
      if (field === 'maxChannels') continue;
      const [p, q] = [x?.[field], y?.[field]];
      if (p !== q && (x !== undefined || q !== undefined)) out.push(`${label} ${name}: ${limitText(p, kind)} -> ${limitText(q, kind)}`);
    }
  }
  return out;
}

/** Two cluster blocks that differ in their routes only. */
function onlyRoutesDiffer(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  return isDeepStrictEqual({ ...a, routes: [] }, { ...b, routes: [] });
}

/** The NATS options (only the authorization and the cluster's routes can change), then the other parts' settings (none can). */
function natsChanges(cur: ConfigSnapshot, next: ConfigSnapshot): ConfigChange[] {
  const out: ConfigChange[] = [];
  const a = cur.built.nats as Record<string, unknown>;
  const b = next.built.nats as Record<string, unknown>;
  const sources = next.natsSources ?? {};
  for (const key of keysOf(a, b)) {
    if (isDeepStrictEqual(a[key], b[key])) continue;
    if (key === 'auth') out.push({ kind: 'auth', from: a[key], to: b[key] });
    else if (key === 'cluster' && onlyRoutesDiffer(a[key], b[key])) {
      out.push({ kind: 'routes', from: (a[key] as { routes: string[] }).routes, to: (b[key] as { routes: string[] }).routes });
    } else out.push(refused(sources[key] !== undefined ? `config key ${sources[key]}` : `NATS option ${key}`, a[key], b[key]));
  }
  const built = cur.built as Record<string, unknown>;
  const nextBuilt = next.built as Record<string, unknown>;
  for (const key of keysOf(built, nextBuilt)) {
    if (key === 'nats' || key === 'log' || isDeepStrictEqual(built[key], nextBuilt[key])) continue;
    out.push(refused(`${key} settings`, built[key], nextBuilt[key]));
  }
  return out;
}

/** The log levels can change; the other log options cannot. */
function logChanges(cur: ConfigSnapshot, next: ConfigSnapshot): ConfigChange[] {
  const out: ConfigChange[] = [];
  const a = cur.built.log as Record<string, unknown>;
  const b = next.built.log as Record<string, unknown>;
  const levels: OptionChange[] = [];
  for (const key of keysOf(a, b)) {
    if (isDeepStrictEqual(a[key], b[key])) continue;
    if ((LEVEL_KEYS as readonly string[]).includes(key)) levels.push({ key, from: a[key], to: b[key] });
    else out.push(refused(`log option ${key}`, a[key], b[key]));
  }
  if (levels.length > 0) out.push({ kind: 'logLevels', changes: levels });
  return out;
}

/** The store limits can change; the other streaming options cannot. */
function stanChanges(cur: ConfigSnapshot, next: ConfigSnapshot, flags: ParsedFlags, limits: LimitsChange): ConfigChange[] {
  const out: ConfigChange[] = [];
  const a = withStanConfig(flags, cur.stan);
  const b = withStanConfig(flags, next.stan);
  for (const key of keysOf(a.values, b.values)) {
    if (RELOADABLE_STAN_OPTIONS.has(key) || isDeepStrictEqual(a.values[key], b.values[key])) continue;
    const where = b.given.get(key) ?? a.given.get(key) ?? key;
    // Durations are kept in ms; show them as written in files.
    const isDuration = FLAGS.find((f) => f.key === key)?.type === 'duration';
    const text = (v: unknown): unknown =>
      SECRET_STAN_OPTIONS.has(key) && v !== undefined ? '(hidden)' : isDuration && typeof v === 'number' ? goDuration(v) : v;
    out.push(refused(where, text(a.values[key]), text(b.values[key])));
  }
  if (!isDeepStrictEqual(limits.inForce, limits.next)) {
    const lines = describeLimits(limits.inForce, limits.next).map((line) => `store limits ${line}`);
    out.push({ kind: 'storeLimits', limits: limits.next, lines });
  }
  return out;
}

/**
 * What changes from `cur` to `next`, in the order a reload reports it: the
 * NATS server's options, the log options, the streaming options. `flags` is
 * the command line, which still wins over both files; the store limits are
 * compared with those in force, which earlier reloads may have changed.
 */
export function describeChanges(cur: ConfigSnapshot, next: ConfigSnapshot, flags: ParsedFlags, limits: LimitsChange): ConfigChange[] {
  return [...natsChanges(cur, next), ...logChanges(cur, next), ...stanChanges(cur, next, flags, limits)];
}

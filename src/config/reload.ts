// Reloading the configuration files on SIGHUP (issue 6): the `-c` and `-sc`
// files are read again, the options rebuilt as at startup (defaults < files
// < the original command line), and compared with the running ones.
//
// Applied at runtime:
//   - authorization (users, passwords, tokens, permissions, no_auth_user):
//     the embedded NATS server checks new connections against the new
//     settings; connections already logged in keep their login and
//     permissions (nats-server 2.9 instead re-checks them and closes those
//     no longer authorized);
//   - store limits, global and per channel: every existing channel gets its
//     new effective limits at once (dropping its oldest messages beyond
//     them), new channels get them when created;
//   - log levels (debug, trace, stan_debug, stan_trace), through
//     ReloadContext.setLogLevels (the logger's setLevels).
// Anything else that changed (ports, hosts, TLS, cluster ID, store type or
// directory, heartbeats...) is refused: an error is logged and the server
// keeps running with the old value. A file that cannot be read or has an
// error changes nothing; the error (with file:line:col) is logged.
// Go's nats-streaming-server reloads only the embedded NATS server's file
// (§7.4); this goes further for limits.

import { isDeepStrictEqual } from 'node:util';
import { FLAGS, type ParsedFlags } from './flag-table.js';
import type { Logger, LoggerOptions } from '../log/logger.js';
import type { AuthOptions } from '../nats/auth.js';
import type { NatsOptions } from '../nats/options.js';
import type { NatsServer } from '../nats/server.js';
import { goDuration } from '../log/go-units.js';
import type { ChannelLimits, StoreLimits } from '../stores/store.js';
import type { StanServer } from '../streaming/server.js';
import { stanOptionsFrom } from './stan-options.js';
import { defaultStanOptions } from '../streaming/options.js';
import type { LoadedConfig } from '../cli/config-files.js';
import { withStanConfig } from './stan-options.js';

/** The configuration as built at startup and on each reload. */
export interface Configured {
  loaded: LoadedConfig;
  built: { nats: NatsOptions; log: LoggerOptions };
}

export interface ReloadContext {
  /** The command line, which still wins over the files. */
  readonly flags: ParsedFlags;
  /** Reads the files and builds the options as startup does; throws the message to log. */
  readonly configure: () => Configured;
  /** The embedded NATS server; undefined with -ns. */
  readonly nats: NatsServer | undefined;
  readonly stan: StanServer;
  readonly log: Logger;
  /** Applies changed log levels; without it such changes are refused. */
  readonly setLogLevels?: (levels: Partial<Record<LevelKey, boolean>>) => void;
}

/** What a reload did, one line per item (also logged). */
export interface ReloadReport {
  applied: string[];
  refused: string[];
  /** Set when the files could not be used: nothing changed. */
  error?: string;
}

/** The streaming layer's log prefix; applied items starting with it are logged with it. */
const STREAM = 'STREAM: ';

/** The log options a reload applies; other log options (file, syslog, format) need a restart. */
const LEVEL_KEYS = ['debug', 'trace', 'stanDebug', 'stanTrace'] as const;
type LevelKey = (typeof LEVEL_KEYS)[number];

/** Streaming options a reload applies: the store limits, and the log levels (which reach it as log options). */
const RELOADABLE_STAN_OPTIONS: ReadonlySet<string> = new Set([
  'maxChannels', 'maxSubs', 'maxMsgs', 'maxBytes', 'maxAge', 'maxInactivity', 'perChannelLimits', 'stanDebug', 'stanTrace',
]);

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

/** Which parts of the authorization changed, without showing any secret. */
export function describeAuth(a: AuthOptions, b: AuthOptions): string {
  const parts: string[] = [];
  const users = (o: AuthOptions) => new Map((o.users ?? []).map((u) => [u.user, u]));
  const [ua, ub] = [users(a), users(b)];
  const added = [...ub.keys()].filter((u) => !ua.has(u));
  const removed = [...ua.keys()].filter((u) => !ub.has(u));
  const changed = [...ub.keys()].filter((u) => ua.has(u) && !isDeepStrictEqual(ua.get(u), ub.get(u)));
  if (added.length > 0) parts.push(`users added: ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`users removed: ${removed.join(', ')}`);
  if (changed.length > 0) parts.push(`users changed: ${changed.join(', ')}`);
  if (a.user !== b.user || a.password !== b.password) parts.push('user/password');
  if (a.token !== b.token) parts.push('token');
  if (!isDeepStrictEqual(a.defaultPermissions, b.defaultPermissions)) parts.push('default permissions');
  if (a.noAuthUser !== b.noAuthUser) parts.push('no_auth_user');
  if (a.timeoutMs !== b.timeoutMs) parts.push('timeout');
  return parts.length === 0 ? 'authorization' : `authorization (${parts.join('; ')})`;
}

/** A value for a message: primitives as they are, anything else only as "set". */
function shown(v: unknown): string {
  if (v === undefined) return 'the default';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '(settings)';
}

function keysOf(...objs: object[]): string[] {
  return [...new Set(objs.flatMap((o) => Object.keys(o)))];
}

export class ConfigReloader {
  readonly #ctx: ReloadContext;
  /** The configuration started with, with the reloaded auth and log options (store limits: see #streaming). */
  readonly #current: Configured;

  constructor(ctx: ReloadContext, initial: Configured) {
    this.#ctx = ctx;
    this.#current = { loaded: initial.loaded, built: { ...initial.built, nats: { ...initial.built.nats }, log: { ...initial.built.log } } };
  }

  /** Reads the files again and applies what can change at runtime; logs each item. */
  reload(): ReloadReport {
    const { log, flags } = this.#ctx;
    log.info('Reloading server configuration');
    let next: Configured;
    let limits: StoreLimits;
    try {
      next = this.#ctx.configure();
      limits = stanOptionsFrom(defaultStanOptions(), flags, next.loaded.stan).storeLimits;
    } catch (err) {
      const error = (err as Error).message;
      log.error(`Failed to reload server configuration, keeping the current one: ${error}`);
      return { applied: [], refused: [], error };
    }
    const report: ReloadReport = { applied: [], refused: [] };
    this.#nats(next, report);
    this.#logOptions(next, report);
    this.#streaming(next, limits, report);
    for (const line of report.applied) {
      log.info(line.startsWith(STREAM) ? `${STREAM}Reloaded: ${line.slice(STREAM.length)}` : `Reloaded: ${line}`);
    }
    for (const line of report.refused) log.error(`Reload refused: ${line}`);
    log.info(`Reloaded server configuration${report.applied.length === 0 ? ' (nothing applied)' : ''}`);
    return report;
  }

  #refuse(report: ReloadReport, what: string, old: unknown, now: unknown): void {
    report.refused.push(`${what} cannot be changed at runtime (${shown(old)} -> ${shown(now)}); keeping ${shown(old)}`);
  }

  #nats(next: Configured, report: ReloadReport): void {
    const cur = this.#current.built.nats as unknown as Record<string, unknown>;
    const nxt = next.built.nats as unknown as Record<string, unknown>;
    const sources = next.loaded.nats?.sources ?? {};
    for (const key of keysOf(cur, nxt)) {
      if (isDeepStrictEqual(cur[key], nxt[key])) continue;
      const what = sources[key] !== undefined ? `config key ${sources[key]}` : `NATS option ${key}`;
      if (key !== 'auth') {
        this.#refuse(report, what, cur[key], nxt[key]);
        continue;
      }
      const [a, b] = [cur.auth as AuthOptions, nxt.auth as AuthOptions];
      if (this.#ctx.nats === undefined) {
        report.refused.push(`${describeAuth(a, b)}: there is no embedded NATS server to apply it to (-ns)`);
        continue;
      }
      try {
        this.#ctx.nats.setAuth(b);
      } catch (err) {
        report.refused.push(`${describeAuth(a, b)}: ${(err as Error).message}`);
        continue;
      }
      cur.auth = b;
      report.applied.push(describeAuth(a, b));
    }
    // Settings of other layers (monitoring...) built beside nats and log.
    const built = this.#current.built as unknown as Record<string, unknown>;
    const nextBuilt = next.built as unknown as Record<string, unknown>;
    for (const key of keysOf(built, nextBuilt)) {
      if (key === 'nats' || key === 'log' || isDeepStrictEqual(built[key], nextBuilt[key])) continue;
      this.#refuse(report, `${key} settings`, built[key], nextBuilt[key]);
    }
  }

  #logOptions(next: Configured, report: ReloadReport): void {
    const a = this.#current.built.log as Record<string, unknown>;
    const b = next.built.log as Record<string, unknown>;
    const changed = keysOf(a, b).filter((k) => !isDeepStrictEqual(a[k], b[k]));
    const levels: Partial<Record<LevelKey, boolean>> = {};
    const applied: string[] = [];
    for (const k of changed) {
      const change = `${k}: ${shown(a[k])} -> ${shown(b[k])}`;
      if (!(LEVEL_KEYS as readonly string[]).includes(k) || this.#ctx.setLogLevels === undefined) {
        this.#refuse(report, `log option ${k}`, a[k], b[k]);
        continue;
      }
      levels[k as LevelKey] = b[k] === true;
      applied.push(change);
    }
    if (applied.length === 0) return;
    this.#ctx.setLogLevels!(levels);
    Object.assign(a, levels);
    report.applied.push(`log levels (${applied.join(', ')})`);
  }

  #streaming(next: Configured, limits: StoreLimits, report: ReloadReport): void {
    const { flags, stan } = this.#ctx;
    const cur = withStanConfig(flags, this.#current.loaded.stan);
    const nxt = withStanConfig(flags, next.loaded.stan);
    for (const key of keysOf(cur.values, nxt.values)) {
      if (RELOADABLE_STAN_OPTIONS.has(key) || isDeepStrictEqual(cur.values[key], nxt.values[key])) continue;
      const where = nxt.given.get(key) ?? cur.given.get(key) ?? key;
      // Durations are kept in ms; show them as written in files.
      const isDuration = FLAGS.find((f) => f.key === key)?.type === 'duration';
      const text = (v: unknown): unknown => (isDuration && typeof v === 'number' ? goDuration(v) : v);
      this.#refuse(report, where, text(cur.values[key]), text(nxt.values[key]));
    }
    // Limits compare with those in force (earlier reloads may have changed them).
    const old = stan.channels.limits;
    if (isDeepStrictEqual(old, limits)) return;
    stan.opts.storeLimits = limits;
    stan.channels.limits = limits;
    for (const c of stan.channels.values()) {
      const l = stan.channels.limitsFor(c.name);
      if (isDeepStrictEqual(l, c.limits)) continue;
      c.limits = l;
      c.msgs.setLimits(l);
      stan.delivery.sendAvailable(c);
    }
    for (const line of describeLimits(old, limits)) report.applied.push(`${STREAM}store limits ${line}`);
  }
}

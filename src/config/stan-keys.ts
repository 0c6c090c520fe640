// The keys of a streaming configuration (STAN-REFERENCE §7.2, §7.3) with
// every alias nats-streaming-server's ProcessConfigFile accepts, each with
// the option key it sets and the reader that checks its value. Read by
// stan-options.ts; keys are matched case-insensitively.
//
// Value kinds, as the Go server reads them: strings, booleans, integers;
// sizes as integers with the NATS suffixes (`10GB`) or such a string;
// durations as Go duration strings (`"72h"`, `"500ms"`), plus the integer
// 0 (`max_age: 0`, as in §7.3's example) — any other bare number is refused,
// since its unit would be a guess.

import { nearestName } from './nearest-name.js';
import { goDuration } from '../units/go-format.js';
import { isValidChannelPattern } from '../subject/channel-name.js';
import type { ChannelLimits } from '../limits/store-limits.js';
import { formatPosition, keyPosition, parseDuration, parseSize } from './index.js';
import { ConfigKeyError } from './errors.js';
import type { ConfigMap, ConfigPosition } from './types.js';

/** A value of a streaming configuration file that cannot be used. */
export class StanConfigError extends ConfigKeyError {
  override name = 'StanConfigError';
}

export interface Field {
  /** The key path as written. */
  readonly key: string;
  readonly value: unknown;
  readonly pos: ConfigPosition | undefined;
}

export interface Ctx {
  readonly file: string;
  readonly values: Record<string, unknown>;
  readonly sources: Record<string, string>;
}

/** Checks and converts a value; throws StanConfigError. */
type Read = (ctx: Ctx, f: Field) => unknown;

export interface KeySpec {
  /** Spellings, lower case. */
  readonly names: readonly string[];
  /** The option set (absent for blocks, whose reader stores their keys). */
  readonly option?: string;
  readonly read: Read;
  /** A block's keys, to point a misplaced key to its block. */
  readonly children?: () => readonly KeySpec[];
}

/** The largest CRC polynomial (a uint32). */
const MAX_UINT32 = 0xffff_ffff;
/** compact_frag is a percentage. */
const MAX_PERCENT = 100;

export function show(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' || typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function isMap(v: unknown): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function at(ctx: Ctx, pos: ConfigPosition | undefined): string {
  return pos === undefined ? ctx.file : formatPosition(pos);
}

export function fail(ctx: Ctx, f: Field, reason: string, cause?: unknown): never {
  throw new StanConfigError(at(ctx, f.pos), f.key, reason, cause === undefined ? undefined : { cause });
}

function expected(ctx: Ctx, f: Field, what: string): never {
  fail(ctx, f, `expected ${what}, got ${show(f.value)}`);
}

// ---------- Value readers ----------

/** A string; `rule` returns what is wrong with it, if anything. */
const string = (rule?: (s: string) => string | undefined): Read => (c, f) => {
  if (typeof f.value !== 'string') expected(c, f, 'a string');
  const why = rule?.(f.value);
  if (why !== undefined) fail(c, f, `${why}, got ${show(f.value)}`);
  return f.value;
};

const boolean: Read = (c, f) => {
  if (typeof f.value !== 'boolean') expected(c, f, 'true or false');
  return f.value;
};

function intValue(c: Ctx, f: Field): number {
  if (typeof f.value !== 'number' || !Number.isInteger(f.value)) expected(c, f, 'an integer');
  return f.value;
}

function sizeValue(c: Ctx, f: Field): number {
  if (typeof f.value === 'number' && Number.isInteger(f.value)) return f.value;
  if (typeof f.value === 'string') {
    try {
      return parseSize(f.value);
    } catch (err) {
      fail(c, f, `expected a size such as 1024, 64MB or 10GB, got ${show(f.value)}`, err);
    }
  }
  expected(c, f, 'a size such as 1024, 64MB or 10GB');
}

function durationValue(c: Ctx, f: Field): number {
  const what = 'a duration string such as "500ms", "10s" or "72h"';
  if (f.value === 0) return 0;
  if (typeof f.value !== 'string') expected(c, f, what);
  try {
    return parseDuration(f.value);
  } catch (err) {
    fail(c, f, `expected ${what}, got ${show(f.value)} (${(err as Error).message})`, err);
  }
}

/** A number from `value` at least `min` (and at most `max`). */
const ranged = (value: (c: Ctx, f: Field) => number, min: number, max = Infinity): Read => (c, f) => {
  const v = value(c, f);
  if (v < min || v > max) {
    const rule =
      max !== Infinity ? `must be from ${min} to ${max}`
      : min === 0 ? 'must not be negative'
      : `must be at least ${min}`;
    fail(c, f, `${rule}, got ${show(f.value)}`);
  }
  return v;
};

const count = ranged(intValue, 0);
const bytes = ranged(sizeValue, 0);
const duration = ranged(durationValue, 0);

const positiveDuration: Read = (c, f) => {
  const v = durationValue(c, f);
  if (!(v > 0)) fail(c, f, `must be greater than 0, got ${show(f.value)}`);
  return v;
};

/** One of `choices` in any case; the value is the upper-case form. */
const oneOf = (choices: readonly string[]): Read => (c, f) => {
  const s = string()(c, f) as string;
  const up = s.toUpperCase();
  if (!choices.includes(up)) fail(c, f, `expected one of ${choices.join(', ')} (in any case), got ${show(f.value)}`);
  return up;
};

/** `[ "a", "b" ]` or `"a,b"`, as the comma-separated string the flag takes. */
const stringList: Read = (c, f) => {
  if (typeof f.value === 'string') return f.value;
  if (!Array.isArray(f.value) || !f.value.every((s) => typeof s === 'string' && s !== '' && !s.includes(','))) {
    expected(c, f, 'an array of names');
  }
  return f.value.join(',');
};

/** The Go server's "max <what> limit cannot be negative (<value>)". */
const globalLimit = (what: string, value: (c: Ctx, f: Field) => number, durationText = false): Read => (c, f) => {
  const v = value(c, f);
  if (v < 0) fail(c, f, `max ${what} limit cannot be negative (${durationText ? goDuration(v) : v})`);
  return v;
};

const notEmpty = (s: string): string | undefined => (s === '' ? 'must not be empty' : undefined);

/** Used in subjects (`_STAN.pub.<id>`): no blanks or wildcards. */
const subjectPart = (s: string): string | undefined =>
  s === '' ? 'must not be empty'
  : /[\s*>]/.test(s) ? 'must not contain spaces, "*" or ">"'
  : s.startsWith('.') || s.endsWith('.') || s.includes('..') ? 'must not have empty tokens (a leading, trailing or double ".")'
  : undefined;

// ---------- Blocks ----------

/** `store_limits.max_msgs` for `max_msgs` written outside its block. */
function inBlock(key: string, specs: readonly KeySpec[]): string | undefined {
  for (const b of specs) {
    if (b.children?.().some((c) => c.names.includes(key)) !== true) continue;
    const name = b.names.reduce((x, y) => (y.length > x.length ? y : x));
    return `${name}.${key}`;
  }
  return undefined;
}

/**
 * Reads the keys of `map` against `specs`, storing each option's value and
 * source in ctx; `skip` leaves keys to someone else. An unknown key is an
 * error naming the nearest valid one; two spellings of one option too.
 */
export function readMap(
  ctx: Ctx,
  map: ConfigMap,
  path: string,
  specs: readonly KeySpec[],
  skip: (key: string) => boolean = () => false,
): void {
  const seen = new Map<KeySpec, Field>();
  for (const key of Object.keys(map)) {
    if (skip(key)) continue;
    const f: Field = { key: path === '' ? key : `${path}.${key}`, value: map[key], pos: keyPosition(map, key) };
    const lower = key.toLowerCase();
    const found = specs.find((s) => s.names.includes(lower));
    if (found === undefined) {
      const near = inBlock(lower, specs) ?? nearestName(lower, specs.flatMap((s) => s.names));
      fail(ctx, f, `unknown key${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`);
    }
    const prev = seen.get(found);
    if (prev !== undefined) fail(ctx, f, `${JSON.stringify(prev.key)} is given too; use one of them`);
    seen.set(found, f);
    const value = found.read(ctx, f);
    if (found.option !== undefined) {
      ctx.values[found.option] = value;
      ctx.sources[found.option] = `${JSON.stringify(f.key)} (${at(ctx, f.pos)})`;
    }
  }
}

const block = (specs: () => readonly KeySpec[], what: string, then?: (c: Ctx, f: Field) => void): Read => (c, f) => {
  if (!isMap(f.value)) expected(c, f, `a map of ${what}`);
  readMap(c, f.value, f.key, specs());
  then?.(c, f);
  return undefined;
};

const spec = (names: string, option: string | undefined, read: Read, children?: () => readonly KeySpec[]): KeySpec => ({
  names: names.split(' '),
  ...(option !== undefined ? { option } : {}),
  read,
  ...(children !== undefined ? { children } : {}),
});

/** A block key: a map read against `specs`. */
const blockSpec = (names: string, specs: () => readonly KeySpec[], what: string, then?: (c: Ctx, f: Field) => void): KeySpec =>
  spec(names, undefined, block(specs, what, then), specs);

/** Per-channel limit keys → ChannelLimits field, reader (negative = unlimited = 0). */
const CHANNEL_LIMITS: ReadonlyArray<[names: string, field: keyof ChannelLimits, read: (c: Ctx, f: Field) => number]> = [
  ['msu max_subs max_subscriptions maxsubscriptions', 'maxSubscriptions', intValue],
  ['mm max_msgs maxmsgs max_count maxcount', 'maxMsgs', intValue],
  ['mb max_bytes maxbytes', 'maxBytes', sizeValue],
  ['ma max_age maxage', 'maxAgeMs', durationValue],
  ['mi max_inactivity maxinactivity', 'maxInactivityMs', durationValue],
];

const GLOBAL_ONLY = ['mc', 'max_channels', 'maxchannels', 'channels', 'channels_limits', 'channelslimits', 'per_channel', 'per_channel_limits'];

/** One `channels` entry: omitted keys inherit, 0 or negative is unlimited (stored as 0). */
function channelEntry(c: Ctx, name: string, f: Field): Partial<ChannelLimits> {
  if (!isMap(f.value)) expected(c, f, 'a map of limits (max_subs, max_msgs, max_bytes, max_age, max_inactivity)');
  const out: Partial<ChannelLimits> = {};
  const seen = new Map<string, Field>();
  for (const key of Object.keys(f.value)) {
    const g: Field = { key: `${f.key}.${key}`, value: f.value[key], pos: keyPosition(f.value, key) };
    const lower = key.toLowerCase();
    const entry = CHANNEL_LIMITS.find(([names]) => names.split(' ').includes(lower));
    if (entry === undefined) {
      if (GLOBAL_ONLY.includes(lower)) fail(c, g, 'a store-wide limit, which cannot be set per channel');
      const near = nearestName(lower, CHANNEL_LIMITS.flatMap(([names]) => names.split(' ')));
      fail(c, g, `unknown key${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`);
    }
    const [, field, read] = entry;
    const prev = seen.get(field);
    if (prev !== undefined) fail(c, g, `${JSON.stringify(prev.key)} is given too; use one of them`);
    seen.set(field, g);
    out[field] = Math.max(0, read(c, g));
    c.sources[`perChannelLimits.${name}.${field}`] = `${JSON.stringify(g.key)} (${at(c, g.pos)})`;
  }
  return out;
}

/** `channels { "orders.>": { max_msgs: 1000 }, ... }` → Map of partial limits. */
const channels: Read = (c, f) => {
  if (!isMap(f.value)) expected(c, f, 'a map of channel names to limits');
  const out = new Map<string, Partial<ChannelLimits>>();
  for (const name of Object.keys(f.value)) {
    // `channels[orders.>]`: the name may hold dots, so it is bracketed.
    const g: Field = { key: `${f.key}[${name}]`, value: f.value[name], pos: keyPosition(f.value, name) };
    // Go's text for a bad name; wildcards are allowed as whole tokens.
    if (!isValidChannelPattern(name)) fail(c, g, `invalid channel name ${JSON.stringify(name)}`);
    out.set(name, channelEntry(c, name, g));
  }
  return out;
};

const LIMITS: readonly KeySpec[] = [
  spec('mc max_channels maxchannels', 'maxChannels', globalLimit('channels', intValue)),
  spec('msu max_subs max_subscriptions maxsubscriptions', 'maxSubs', globalLimit('subscriptions', intValue)),
  spec('mm max_msgs maxmsgs max_count maxcount', 'maxMsgs', globalLimit('messages', intValue)),
  spec('mb max_bytes maxbytes', 'maxBytes', globalLimit('bytes', sizeValue)),
  spec('ma max_age maxage', 'maxAge', globalLimit('age', durationValue, true)),
  spec('mi max_inactivity maxinactivity', 'maxInactivity', globalLimit('inactivity', durationValue, true)),
  spec('channels channels_limits channelslimits per_channel per_channel_limits', 'perChannelLimits', channels),
];

const FILE: readonly KeySpec[] = [
  spec('compact compact_enabled', 'fileCompactEnabled', boolean),
  spec('compact_frag compact_fragmentation', 'fileCompactFrag', ranged(intValue, 0, MAX_PERCENT)),
  spec('compact_interval', 'fileCompactInterval', count),
  spec('compact_min_size', 'fileCompactMinSize', bytes),
  spec('buffer_size', 'fileBufferSize', bytes),
  spec('crc do_crc', 'fileCrc', boolean),
  spec('crc_poly', 'fileCrcPoly', ranged(intValue, 0, MAX_UINT32)),
  spec('sync do_sync sync_on_flush', 'fileSync', boolean),
  spec('slice_max_msgs slice_max_count slice_msgs slice_count', 'fileSliceMaxMsgs', count),
  spec('slice_max_bytes slice_max_size slice_bytes slice_size', 'fileSliceMaxBytes', bytes),
  spec('slice_max_age slice_age slice_max_time slice_time_limit', 'fileSliceMaxAge', duration),
  spec('slice_archive_script slice_archive slice_script', 'fileSliceArchiveScript', string()),
  spec('file_descriptors_limit fds_limit', 'fileFdsLimit', count),
  spec('parallel_recovery', 'fileParallelRecovery', ranged(intValue, 1)),
  spec('file_read_buffer_size read_buffer_size', 'fileReadBufferSize', bytes),
  // <= 0 disables it, as the flag.
  spec('file_auto_sync auto_sync', 'fileAutoSync', durationValue),
];

const SQL: readonly KeySpec[] = [
  spec('driver', 'sqlDriver', (c, f) => (oneOf(['MYSQL', 'POSTGRES'])(c, f) as string).toLowerCase()),
  spec('source', 'sqlSource', string(notEmpty)),
  spec('no_caching', 'sqlNoCaching', boolean),
  spec('max_open_conns max_conns', 'sqlMaxOpenConns', count),
  spec('bulk_insert_limit', 'sqlBulkInsertLimit', count),
];

const TLS: readonly KeySpec[] = [
  spec('client_cert', 'tlsClientCert', string(notEmpty)),
  spec('client_key', 'tlsClientKey', string(notEmpty)),
  spec('client_ca client_cacert', 'tlsClientCaCert', string(notEmpty)),
  spec('server_name server_hostname', 'tlsClientServerName', string()),
  spec('skip_verify insecure', 'tlsClientSkipVerify', boolean),
];

const CLUSTER: readonly KeySpec[] = [
  spec('node_id', 'clusterNodeId', string()),
  spec('bootstrap', 'clusterBootstrap', boolean),
  spec('peers', 'clusterPeers', stringList),
  spec('log_path', 'clusterLogPath', string()),
  spec('log_cache_size', 'clusterLogCacheSize', count),
  spec('log_snapshots', 'clusterLogSnapshots', count),
  spec('trailing_logs', 'clusterTrailingLogs', count),
  spec('sync', 'clusterSync', boolean),
  spec('raft_logging', 'clusterRaftLogging', boolean),
  spec('raft_heartbeat_timeout', 'clusterRaftHeartbeatTimeout', positiveDuration),
  spec('raft_election_timeout', 'clusterRaftElectionTimeout', positiveDuration),
  spec('raft_lease_timeout', 'clusterRaftLeaseTimeout', positiveDuration),
  spec('raft_commit_timeout', 'clusterRaftCommitTimeout', positiveDuration),
  spec('proceed_on_restore_failure', 'clusterProceedOnRestoreFailure', boolean),
  spec('allow_add_remove_node', 'clusterAllowAddRemoveNode', boolean),
  spec('bolt_free_list_sync', 'clusterBoltFreeListSync', boolean),
  spec('bolt_free_list_map', 'clusterBoltFreeListMap', boolean),
  spec('nodes_connections', 'clusterNodesConnections', boolean),
];

/** The keys of a streaming configuration's top level (or of its `streaming` block). */
export const TOP: readonly KeySpec[] = [
  spec('id cid cluster_id', 'clusterId', string(subjectPart)),
  spec('discover_prefix', 'discoverPrefix', string(subjectPart)),
  spec('st store_type store storetype', 'storeType', oneOf(['MEMORY', 'FILE', 'SQL'])),
  spec('dir datastore', 'filestoreDir', string(notEmpty)),
  spec('sd stan_debug', 'stanDebug', boolean),
  spec('sv stan_trace', 'stanTrace', boolean),
  spec('ns nats_server nats_server_url', 'natsServerUrl', string(notEmpty)),
  spec('secure', 'secure', boolean),
  blockSpec('tls', () => TLS, 'TLS settings (client_cert, client_key, client_ca, server_name, skip_verify)'),
  blockSpec('limits store_limits storelimits', () => LIMITS, 'store limits'),
  blockSpec('file file_options', () => FILE, 'file store options'),
  blockSpec('sql sql_options', () => SQL, 'SQL store options'),
  spec('hbi hb_interval server_to_client_hb_interval', 'clientHbInterval', positiveDuration),
  spec('hbt hb_timeout server_to_client_hb_timeout', 'clientHbTimeout', positiveDuration),
  spec('hbf hb_fail_count server_to_client_hb_fail_count', 'clientHbFailCount', count),
  spec('ft_group ft_group_name', 'ftGroupName', string()),
  spec('partitioning', 'partitioning', boolean),
  // A streaming `cluster { }` block turns clustering on (§7.1), whatever it holds.
  blockSpec('cluster', () => CLUSTER, 'clustering options', (c, f) => {
    c.values.clustered = true;
    c.sources.clustered = `${JSON.stringify(f.key)} (${at(c, f.pos)})`;
  }),
  spec('syslog_name', 'syslogName', string()),
  spec('encrypt', 'encrypt', boolean),
  spec('encryption_cipher', 'encryptionCipher', oneOf(['AES', 'CHACHA'])),
  spec('encryption_key', 'encryptionKey', string()),
  spec('credentials', 'credentials', string(notEmpty)),
  spec('username user', 'stanUser', string()),
  spec('password pass', 'stanPassword', string()),
  spec('token', 'stanToken', string()),
  spec('nkey_seed_file', 'nkeySeedFile', string(notEmpty)),
  spec('replace_durable replace_durables replace_duplicate_durable replace_duplicate_durables', 'replaceDurable', boolean),
];

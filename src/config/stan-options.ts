// The streaming server's configuration: a `-sc` file, or the streaming part
// of a `-c` file (a `streaming { }` block, else the streaming keys at its top
// level). STAN-REFERENCE §7.1-§7.3, following nats-streaming-server's
// ProcessConfigFile (server/conf.go). The key tables are in stan-keys.ts.
//
// The result is a StanConfig: option values under the flag table's keys
// (`maxMsgs`, `clientHbInterval`, `filestoreDir`...; durations in ms, sizes
// in bytes), so that withStanConfig() can lay the command line over it and
// the streaming layer reads one ParsedFlags. Options without a flag have
// their own keys (`discoverPrefix`, `stanUser`, `perChannelLimits`...).
// stanOptionsFrom() turns the merged values into the streaming options.
//
// Where the Go server is lenient this is strict: an unknown key is an error
// naming the nearest valid key (Go ignores it), a value of the wrong kind or
// out of range is an error naming the key, the value and the rule, and
// two spellings of one option in a map are an error. Keys for features that
// do not exist here yet are read and checked, then listed by
// stanConfigNotSupported() so that startup refuses them.

import type { ChannelLimits, StoreLimits } from '../limits/store-limits.js';
import { FLAGS, type ParsedFlags } from './flag-table.js';
import { keyPosition } from './index.js';
import { type Ctx, type Field, fail, isMap, readMap, show, StanConfigError, TOP } from './stan-keys.js';
import type { ConfigMap } from './types.js';

export { StanConfigError } from './stan-keys.js';

/** Streaming options read from a configuration file. */
export interface StanConfig {
  /** The file they were read from. */
  readonly file: string;
  /** Option key → value (see the header); only the keys the file sets. */
  readonly values: Record<string, unknown>;
  /** Option key → `"key.path" (file:line:col)`, for messages. */
  readonly sources: Record<string, string>;
}

export interface StanConfigReadOptions {
  /**
   * The top-level keys to read, when the file is shared with the NATS
   * server's parser (natsOptionsFromConfig's `streamingKeys`): a single
   * `streaming` key is the block to read, otherwise these keys are read and
   * every other one is left to the NATS parser. Absent: the whole file is a
   * streaming configuration.
   */
  keys?: readonly string[];
  /** Names used as `$NAME`: top-level keys by these names define variables. */
  variables?: ReadonlySet<string>;
}

/**
 * Maps a parsed configuration file to streaming options. Absent keys stay
 * absent. Throws StanConfigError.
 */
export function stanOptionsFromConfig(map: ConfigMap, file: string, opts: StanConfigReadOptions = {}): StanConfig {
  const ctx: Ctx = { file, values: {}, sources: {} };
  const isVariable = (key: string): boolean => opts.variables?.has(key) === true;
  const keys = Object.keys(map);
  const blockKey = opts.keys !== undefined
    ? (opts.keys.length === 1 && opts.keys[0]!.toLowerCase() === 'streaming' ? opts.keys[0] : undefined)
    : keys.find((k) => k.toLowerCase() === 'streaming');
  if (blockKey !== undefined) {
    const f: Field = { key: blockKey, value: map[blockKey], pos: keyPosition(map, blockKey) };
    if (!isMap(f.value)) fail(ctx, f, `expected a map of streaming options, got ${show(f.value)}`);
    if (opts.keys === undefined) {
      // A -sc file of its own: the block is the only place read, so anything beside it would be lost.
      for (const k of keys) {
        if (k === blockKey || isVariable(k)) continue;
        fail(ctx, { key: k, value: map[k], pos: keyPosition(map, k) },
          `outside the ${JSON.stringify(blockKey)} block, which is then the only place read for streaming options; move it there`);
      }
    }
    readMap(ctx, f.value, '', TOP);
  } else if (opts.keys !== undefined) {
    const wanted = new Set(opts.keys);
    readMap(ctx, map, '', TOP, (k) => !wanted.has(k));
  } else {
    readMap(ctx, map, '', TOP, isVariable);
  }
  return { file, values: ctx.values, sources: ctx.sources };
}

/**
 * Options of the FILE store: never refused here; the store they configure
 * checks them when src/stores/open.ts opens it.
 */
const FILE_STORE_OPTIONS: ReadonlySet<string> = new Set(
  FLAGS.filter((f) => f.section === 'file' || f.key === 'filestoreDir').map((f) => f.key),
);

/** Options without a flag whose feature does not exist here yet → what it is. */
const CONFIG_ONLY_NOT_YET: Readonly<Record<string, string>> = {
  credentials: 'NATS credentials files',
  nkeySeedFile: 'NKey authentication',
  tlsClientServerName: 'TLS server name for the NATS connection',
  tlsClientSkipVerify: 'TLS without verification for the NATS connection',
};

/** Blocks refused as a whole: their own keys are not listed one by one. */
const BLOCKS_NOT_YET: ReadonlyArray<[option: string, prefix: string, what: string]> = [
  ['clustered', 'cluster', 'clustering'],
];

function asksForSomething(v: unknown): boolean {
  return v !== undefined && v !== false && v !== '' && v !== 0;
}

/**
 * One line per setting of `config` whose feature this server lacks yet,
 * naming the key and where it is: `config key "partitioning" (f:3:1) is
 * not supported yet (partitioning)`. Settings that only turn a feature off
 * (`partitioning: false`, `max_inactivity: 0`) are not listed.
 */
export function stanConfigNotSupported(config: StanConfig): string[] {
  const out: string[] = [];
  const { values, sources } = config;
  const blocked = new Set<string>();
  for (const [option, prefix, what] of BLOCKS_NOT_YET) {
    if (values[option] !== true) continue;
    out.push(`config key ${sources[option]} is not supported yet (${what})`);
    blocked.add(prefix);
  }
  const maxInactivity = FLAGS.find((f) => f.key === 'maxInactivity');
  for (const [option, value] of Object.entries(values)) {
    if (!asksForSomething(value) || FILE_STORE_OPTIONS.has(option)) continue;
    if ([...blocked].some((p) => option.startsWith(p) && option !== p)) continue;
    if (option === 'perChannelLimits') {
      if (maxInactivity?.supported === true) continue;
      for (const [name, l] of value as Map<string, { maxInactivityMs?: number }>) {
        if (asksForSomething(l.maxInactivityMs) && l.maxInactivityMs! > 0) {
          out.push(`config key ${sources[`perChannelLimits.${name}.maxInactivityMs`]} is not supported yet`);
        }
      }
      continue;
    }
    const flag = FLAGS.find((f) => f.key === option);
    if (flag !== undefined) {
      if (!flag.supported) out.push(`config key ${sources[option]} is not supported yet`);
    } else if (CONFIG_ONLY_NOT_YET[option] !== undefined) {
      out.push(`config key ${sources[option]} is not supported yet (${CONFIG_ONLY_NOT_YET[option]})`);
    }
  }
  return out;
}

/**
 * The command line laid over a configuration file's streaming options
 * (defaults < file < command line, §7.1): one ParsedFlags whose `set` holds
 * the options given by either, and whose `given` names a file's option by
 * its key and place. Returns `flags` itself when there is no file.
 */
export function withStanConfig(flags: ParsedFlags, config: StanConfig | undefined): ParsedFlags {
  if (config === undefined) return flags;
  const given = new Map(flags.given);
  for (const k of Object.keys(config.values)) {
    if (!flags.set.has(k)) given.set(k, `config key ${config.sources[k] ?? k}`);
  }
  return {
    values: { ...config.values, ...flags.values },
    set: new Set([...Object.keys(config.values), ...flags.set]),
    given,
  };
}

/** Throws a StanConfigError at an option's recorded place (for checks made after merging). */
export function failAt(config: StanConfig, option: string, reason: string): never {
  const src = config.sources[option];
  const m = src === undefined ? null : /^"(.*)" \((.*)\)$/.exec(src);
  throw new StanConfigError(m === null ? config.file : m[2]!, m === null ? option : m[1]!, reason);
}

/**
 * The streaming options that the command line and the configuration file
 * set; the streaming layer's StanOptions extends it and has the defaults.
 */
export interface StanSettings {
  clusterId: string;
  discoverPrefix: string;
  /** Server-to-client heartbeat interval, ms. */
  hbIntervalMs: number;
  /** How long a heartbeat waits for its reply, ms. */
  hbTimeoutMs: number;
  /** Failed heartbeats tolerated; one more closes the client. */
  hbFailCount: number;
  /** A duplicate durable replaces the active one instead of failing. */
  replaceDurable: boolean;
  /** Publishes processed per store batch (io_batch_size). */
  ioBatchSize: number;
  /** Serve only the channels of storeLimits.perChannel, next to other servers of the cluster ID (config key `partitioning`). */
  partitioning: boolean;
  storeLimits: StoreLimits;
}

/**
 * `defaults` with the configuration file's options laid over them and the
 * command line's over both (defaults < file < command line), as a new
 * object. The limits are not validated here: the store's rules do that
 * (stanOptions() in src/streaming/options.ts), with limitsErrorAt() for
 * where a file put them.
 */
export function stanOptionsFrom<O extends StanSettings>(defaults: O, cmdline: ParsedFlags, file?: StanConfig): O {
  const o: O = { ...defaults, storeLimits: { ...defaults.storeLimits, perChannel: new Map(defaults.storeLimits.perChannel) } };
  const flags = withStanConfig(cmdline, file);
  const v = flags.values;
  const has = (k: string) => flags.set.has(k);
  const num = (k: string) => v[k] as number;
  if (has('clusterId')) o.clusterId = v.clusterId as string;
  if (has('discoverPrefix')) o.discoverPrefix = v.discoverPrefix as string;
  if (has('clientHbInterval')) o.hbIntervalMs = num('clientHbInterval');
  if (has('clientHbTimeout')) o.hbTimeoutMs = num('clientHbTimeout');
  if (has('clientHbFailCount')) o.hbFailCount = num('clientHbFailCount');
  if (has('replaceDurable')) o.replaceDurable = v.replaceDurable === true;
  if (has('ioBatchSize') && num('ioBatchSize') > 0) o.ioBatchSize = num('ioBatchSize');
  if (has('partitioning')) o.partitioning = v.partitioning === true;
  const l = o.storeLimits;
  if (has('maxChannels')) l.maxChannels = num('maxChannels');
  if (has('maxSubs')) l.maxSubscriptions = num('maxSubs');
  if (has('maxMsgs')) l.maxMsgs = num('maxMsgs');
  if (has('maxBytes')) l.maxBytes = num('maxBytes');
  if (has('maxAge')) l.maxAgeMs = num('maxAge');
  if (has('maxInactivity')) l.maxInactivityMs = num('maxInactivity');
  if (has('perChannelLimits')) l.perChannel = new Map(v.perChannelLimits as Map<string, Partial<ChannelLimits>>);
  return o;
}

/**
 * Throws `reason` (a broken limits rule) as a StanConfigError at the file's
 * per-channel limits when they come from `file` and are not empty: only the
 * file sets per-channel limits, so that is where the error is. Returns
 * otherwise, and the caller throws its own error.
 */
export function limitsErrorAt(file: StanConfig | undefined, limits: StoreLimits, reason: string): void {
  if (file?.sources.perChannelLimits !== undefined && limits.perChannel.size > 0) failAt(file, 'perChannelLimits', reason);
}

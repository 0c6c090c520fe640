// A NATS server configuration file (`-c`) turned into options of the
// embedded NATS server: STAN-REFERENCE §7.5, following nats-server 2.9's
// processConfigFileLine, parseListen, parseTLS and setBaselineOptions.
//
// Keys are case-insensitive. Each value is checked; every problem is a
// NatsConfigError `<file>:<line>:<col>: <key>: <what is wrong>`. Where
// nats-server is lenient this is strict:
//   - an unknown key is an error naming the nearest known key (the Go
//     streaming server sets NoErrOnUnknownFields and ignores it);
//   - a key nats-server knows but this server does not implement yet
//     (accounts, jetstream, leafnodes, gateway, websocket, mqtt...)
//     is an error saying so, never silently ignored;
//   - two spellings of one option (`max_conn` and `max_connections`), or
//     `listen` with `host`/`port`, are an error (Go's map order decides);
//   - a zero limit means the default, as in setBaselineOptions; a negative
//     one is an error.
// Streaming options may share the file (§7.1): a `streaming {}` block, or
// streaming keys at the top level when there is no such block, are skipped
// here and listed in `streamingKeys` for the streaming layer.

import { type ConfigMap, keyPosition, parseDuration } from '../config/index.js';
import { authFromConfig, AuthConfigError } from './auth-config.js';
import { clusterFromConfig } from './cluster-config.js';
import {
  at,
  bool,
  expected,
  fail,
  fromAuthError,
  type Field,
  fields,
  int,
  isMap,
  listen,
  MAX_PORT,
  port,
  show,
  str,
} from './config-fields.js';
import {
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_PENDING,
  DEFAULT_TLS_TIMEOUT_MS,
  type NatsOptions,
  type TlsOptions,
} from './options.js';

/** Settings read from the file that belong to layers other than the NATS listener. */
export interface NatsConfigExtras {
  debug?: boolean;
  trace?: boolean;
  logtime?: boolean;
  logFile?: string;
  syslog?: boolean;
  remoteSyslog?: string;
  pidFile?: string;
  /** Monitoring: `http`/`https` host, `http_port`/`monitor_port`, `https_port`. */
  httpHost?: string;
  httpPort?: number;
  httpsPort?: number;
  /** Top-level keys left for the streaming layer, as written. */
  streamingKeys: string[];
  /** Option name → `"key" (file:line:col)`, for messages about a setting. */
  sources: Record<string, string>;
}

export type NatsConfigOptions = Partial<NatsOptions> & NatsConfigExtras;

export interface NatsConfigReadOptions {
  /**
   * Names used as `$NAME` in the file: a top-level key with such a name is a
   * variable definition, not an option (nats-server's IsUsedVariable).
   */
  variables?: ReadonlySet<string>;
}

export { NatsConfigError } from './config-fields.js';

type Handler = (ctx: Ctx, f: Field) => void;

interface Ctx {
  readonly file: string;
  readonly out: NatsConfigOptions;
}

/** nats-server rejects max_payload / max_control_line above this ("value is too big"). */
const MAX_INT32 = 2 ** 31 - 1;

/** nats-server top-level keys this server refuses at startup as not supported yet (lower case). */
const NOT_SUPPORTED_YET: readonly string[] = [
  'client_advertise', 'trace_verbose', 'logtime_utc', 'mappings', 'maps', 'disable_sublist_cache',
  'no_sublist_cache', 'accounts', 'http_base_path', 'gateway', 'leaf', 'leafnodes',
  'store_dir', 'storedir', 'jetstream', 'logfile_size_limit', 'log_size_limit', 'ports_file_dir',
  'prof_port', 'max_traced_msg_len', 'max_sub_tokens', 'max_subscription_tokens', 'ocsp',
  'allow_non_tls', 'lame_duck_duration', 'lame_duck_grace_period', 'operator', 'operators', 'roots',
  'root', 'root_operators', 'root_operator', 'resolver', 'account_resolver', 'accounts_resolver',
  'resolver_tls', 'resolver_preload', 'resolver_pinned_accounts', 'system_account', 'system',
  'no_system_account', 'no_system', 'no_sys_acc', 'trusted', 'trusted_keys', 'connect_error_reports',
  'reconnect_error_reports', 'websocket', 'ws', 'mqtt', 'server_tags', 'default_js_domain',
  'max_closed_clients', 'disable_short_first_ping',
];

/** Streaming server top-level keys (its ProcessConfigFile), except the shared `tls` and `cluster`. */
const STREAMING_KEYS: readonly string[] = [
  'id', 'cid', 'cluster_id', 'discover_prefix', 'st', 'store_type', 'store', 'storetype', 'dir',
  'datastore', 'sd', 'stan_debug', 'sv', 'stan_trace', 'ns', 'nats_server', 'nats_server_url',
  'credentials', 'secure', 'limits', 'store_limits', 'storelimits', 'file', 'file_options', 'sql',
  'sql_options', 'hbi', 'hb_interval', 'server_to_client_hb_interval', 'hbt', 'hb_timeout',
  'server_to_client_hb_timeout', 'hbf', 'hb_fail_count', 'server_to_client_hb_fail_count',
  'ft_group', 'ft_group_name', 'partitioning', 'syslog_name', 'encrypt', 'encryption_cipher',
  'encryption_key', 'username', 'user', 'password', 'pass', 'token', 'nkey_seed_file',
  'replace_durable', 'replace_durables', 'replace_duplicate_durable', 'replace_duplicate_durables',
];

/** A limit where 0 means the server default (nats-server setBaselineOptions): undefined then. */
function limit(ctx: Ctx, f: Field, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = int(ctx, f, 0, max, `a non-negative integer${max === MAX_INT32 ? ' up to 2147483647' : ''} (0 for the default)`);
  return v === 0 ? undefined : v;
}

/** nats-server parseDuration: a duration string, or an integer number of seconds (old style). */
function duration(ctx: Ctx, f: Field): number | undefined {
  const what = 'a duration such as "2m" or "10s", or a number of seconds';
  let ms: number;
  if (typeof f.value === 'number' && Number.isInteger(f.value)) {
    ms = f.value * 1000;
  } else if (typeof f.value === 'string') {
    try {
      ms = parseDuration(f.value);
    } catch (err) {
      fail(ctx, f, `expected ${what}, got ${show(f.value)} (${(err as Error).message})`, err);
    }
  } else {
    expected(ctx, f, what);
  }
  if (ms < 0) expected(ctx, f, `${what}, not negative`);
  return ms === 0 ? undefined : ms;
}

/** A monitoring port: -1 (any free port) is kept, since 0 there means no listener. */
function monitorPort(ctx: Ctx, f: Field, value: unknown = f.value): number {
  return int(ctx, { ...f, value }, -1, MAX_PORT, `a port number from 0 to ${MAX_PORT} (or -1 for any free port)`);
}

const TLS_KEYS: Record<string, readonly string[]> = {
  cert: ['cert_file'],
  key: ['key_file'],
  ca: ['ca_file'],
  verify: ['verify'],
  timeout: ['timeout'],
};

const TLS_NOT_SUPPORTED_YET = [
  'verify_and_map', 'verify_cert_and_check_known_urls', 'cipher_suites', 'curve_preferences',
  'insecure', 'pinned_certs', 'rate_limit', 'handshake_first', 'cert_store', 'cert_match_by',
  'cert_match', 'ca_certs_match', 'ocsp_peer', 'min_version', 'certs',
];

function tls(ctx: Ctx, f: Field): void {
  if (!isMap(f.value)) expected(ctx, f, 'a map { cert_file, key_file, ca_file, verify, timeout }');
  const t = fields(ctx, f.value, f.key, TLS_KEYS, TLS_NOT_SUPPORTED_YET);
  const out: Partial<TlsOptions> = { verify: false, timeoutMs: DEFAULT_TLS_TIMEOUT_MS };
  for (const [name, g] of t) {
    if (name === 'verify') out.verify = bool(ctx, g);
    else if (name === 'timeout') {
      // Seconds (a float is allowed) or a duration string, as nats-server 2.9's parseTLS; 0: the default.
      let ms: number | undefined;
      if (typeof g.value === 'number') {
        if (!(g.value >= 0) || !Number.isFinite(g.value)) expected(ctx, g, 'a non-negative number of seconds or a duration string');
        ms = g.value * 1000;
      } else {
        ms = duration(ctx, g);
      }
      if (ms !== undefined && ms > 0) out.timeoutMs = ms;
    } else out[name as 'cert' | 'key' | 'ca'] = str(ctx, g);
  }
  if (!out.cert) fail(ctx, f, 'cert_file is required');
  if (!out.key) fail(ctx, f, 'key_file is required');
  ctx.out.tls = out as TlsOptions;
}

function authorization(ctx: Ctx, f: Field, noAuthUser: Field | undefined): void {
  if (!isMap(f.value)) expected(ctx, f, 'a map');
  try {
    ctx.out.auth = authFromConfig(f.value, f.key, noAuthUser?.value);
  } catch (err) {
    fromAuthError(ctx, err, err instanceof AuthConfigError && err.path === 'no_auth_user' ? noAuthUser?.pos : f.pos);
  }
}

/** Option → [spellings (lower case), handler]. Handlers write into ctx.out. */
const TOP: Record<string, [readonly string[], Handler]> = {
  listen: [['listen'], (c, f) => {
    const hp = listen(c, f);
    if (hp.host) c.out.host = hp.host; // `:4222` keeps the default host, as setBaselineOptions
    c.out.port = hp.port;
  }],
  host: [['host', 'net'], (c, f) => void (c.out.host = str(c, f))],
  port: [['port'], (c, f) => void (c.out.port = port(c, f))],
  serverName: [['server_name'], (c, f) => {
    const name = str(c, f);
    if (/\s/.test(name)) fail(c, f, `server name can not contain spaces, got ${show(name)}`);
    c.out.serverName = name;
  }],
  maxConnections: [['max_connections', 'max_conn'], (c, f) => void (c.out.maxConnections = limit(c, f))],
  maxPayload: [['max_payload'], (c, f) => void (c.out.maxPayload = limit(c, f, MAX_INT32))],
  maxPending: [['max_pending'], (c, f) => void (c.out.maxPending = limit(c, f))],
  maxControlLine: [['max_control_line'], (c, f) => void (c.out.maxControlLine = limit(c, f, MAX_INT32))],
  maxSubscriptions: [['max_subscriptions', 'max_subs'], (c, f) => void (c.out.maxSubscriptions = int(c, f, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer (0 for unlimited)'))],
  pingIntervalMs: [['ping_interval'], (c, f) => void (c.out.pingIntervalMs = duration(c, f))],
  pingMax: [['ping_max'], (c, f) => void (c.out.pingMax = limit(c, f))],
  writeDeadlineMs: [['write_deadline'], (c, f) => void (c.out.writeDeadlineMs = duration(c, f))],
  headers: [['no_header_support'], (c, f) => void (c.out.headers = !bool(c, f))],
  auth: [['authorization'], () => {}], // read with no_auth_user, below
  noAuthUser: [['no_auth_user'], () => {}],
  tls: [['tls'], tls],
  cluster: [['cluster'], (c, f) => void (c.out.cluster = clusterFromConfig(c, f))],
  debug: [['debug'], (c, f) => void (c.out.debug = bool(c, f))],
  trace: [['trace'], (c, f) => void (c.out.trace = bool(c, f))],
  logtime: [['logtime'], (c, f) => void (c.out.logtime = bool(c, f))],
  logFile: [['log_file', 'logfile'], (c, f) => void (c.out.logFile = str(c, f))],
  syslog: [['syslog'], (c, f) => void (c.out.syslog = bool(c, f))],
  remoteSyslog: [['remote_syslog'], (c, f) => void (c.out.remoteSyslog = str(c, f))],
  pidFile: [['pid_file', 'pidfile'], (c, f) => void (c.out.pidFile = str(c, f))],
  http: [['http'], (c, f) => {
    const hp = listen(c, f, monitorPort);
    if (hp.host) c.out.httpHost = hp.host;
    c.out.httpPort = hp.port;
  }],
  https: [['https'], (c, f) => {
    const hp = listen(c, f, monitorPort);
    if (hp.host) c.out.httpHost = hp.host;
    c.out.httpsPort = hp.port;
  }],
  httpPort: [['http_port', 'monitor_port'], (c, f) => void (c.out.httpPort = monitorPort(c, f))],
  httpsPort: [['https_port'], (c, f) => void (c.out.httpsPort = monitorPort(c, f))],
};

/** Options that one key among several sets: giving two of them is ambiguous. */
const EXCLUSIVE: ReadonlyArray<readonly string[]> = [
  ['listen', 'host'],
  ['listen', 'port'],
  ['http', 'httpPort'],
  ['https', 'httpsPort'],
];

/**
 * Maps a parsed NATS configuration file to NATS server options plus the
 * settings of other layers. Absent keys stay absent, so the result can be
 * laid over the defaults and under the command line. Throws NatsConfigError.
 */
export function natsOptionsFromConfig(map: ConfigMap, file: string, opts: NatsConfigReadOptions = {}): NatsConfigOptions {
  const ctx: Ctx = { file, out: { streamingKeys: [], sources: {} } };
  const spellings = Object.fromEntries(Object.entries(TOP).map(([name, [names]]) => [name, names]));
  const keys = Object.keys(map);
  const streamingBlock = keys.find((k) => k.toLowerCase() === 'streaming');
  const skip = (key: string): boolean => {
    const lower = key.toLowerCase();
    const f: Field = { key, value: map[key], pos: keyPosition(map, key) };
    if (opts.variables?.has(key)) return true;
    if (lower === 'streaming') {
      if (!isMap(f.value)) expected(ctx, f, 'a map of streaming options');
    } else if (!STREAMING_KEYS.includes(lower)) {
      return false;
    } else if (streamingBlock !== undefined) {
      fail(ctx, f, `a streaming option outside the ${JSON.stringify(streamingBlock)} block, which is then the only place read for streaming options; move it there`);
    }
    ctx.out.streamingKeys.push(key);
    return true;
  };
  const found = fields(ctx, map, '', spellings, NOT_SUPPORTED_YET, skip);
  for (const group of EXCLUSIVE) {
    const given = group.filter((name) => found.has(name));
    if (given.length > 1) {
      const [a, b] = [found.get(given[0]!)!, found.get(given[1]!)!];
      fail(ctx, b, `${JSON.stringify(a.key)} is given too; use one of them`);
    }
  }
  for (const [name, f] of found) {
    TOP[name]![1](ctx, f);
    ctx.out.sources[name] = `${JSON.stringify(f.key)} (${at(ctx, f.pos)})`;
  }
  const auth = found.get('auth');
  const nau = found.get('noAuthUser');
  if (auth !== undefined || nau !== undefined) {
    authorization(ctx, auth ?? { key: 'authorization', value: {}, pos: nau!.pos }, nau);
  }
  const payload = ctx.out.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const pending = ctx.out.maxPending ?? DEFAULT_MAX_PENDING;
  if (payload > pending) {
    const f = found.get('maxPayload') ?? found.get('maxPending')!;
    fail(ctx, f, `max_payload (${payload}) cannot be higher than max_pending (${pending})`);
  }
  for (const [k, v] of Object.entries(ctx.out)) if (v === undefined) delete (ctx.out as unknown as Record<string, unknown>)[k];
  return ctx.out;
}

// The streaming configuration (src/config/stan-options.ts, stan-keys.ts;
// STAN-REFERENCE §7.1-§7.3): every key and alias mapped to its option, the
// per-channel inheritance example of §7.3, each validation error with
// file:line:col, unknown keys with the nearest valid one, keys refused as not
// supported yet, and the precedence defaults < file < command line.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlags } from '../../src/cli/flags.js';
import { FLAGS } from '../../src/config/flag-table.js';
import { parseConfig } from '../../src/config/index.js';
import {
  type StanConfig,
  StanConfigError,
  stanConfigNotSupported,
  stanOptionsFrom,
  stanOptionsFromConfig,
  type StanConfigReadOptions,
  withStanConfig,
} from '../../src/config/stan-options.js';
import { effectiveLimits } from '../../src/stores/limits.js';
import { DEFAULT_STORE_LIMITS } from '../../src/stores/store.js';
import { defaultStanOptions, stanOptions } from '../../src/streaming/options.js';

const FILE = 'test.conf';
const HOUR = 3_600_000;

function read(text: string, opts: StanConfigReadOptions = {}): StanConfig {
  return stanOptionsFromConfig(parseConfig(text, { file: FILE }), FILE, opts);
}

function fails(text: string, message: string): void {
  try {
    stanOptions(parseFlags([]), read(text));
  } catch (err) {
    assert.instance(err, StanConfigError);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`accepted: ${text}`);
}

// ---------- Keys and aliases ----------

type Row = [names: string, sample: string, option: string, value: unknown];

const TOP: Row[] = [
  ['id cid cluster_id', 'my_cluster', 'clusterId', 'my_cluster'],
  ['discover_prefix', '"_MY.discover"', 'discoverPrefix', '_MY.discover'],
  ['st store_type store storetype', 'file', 'storeType', 'FILE'],
  ['dir datastore', '"/data/stan"', 'filestoreDir', '/data/stan'],
  ['sd stan_debug', 'true', 'stanDebug', true],
  ['sv stan_trace', 'true', 'stanTrace', true],
  ['ns nats_server nats_server_url', '"nats://u:p@h1:4222,nats://h2:4222"', 'natsServerUrl', 'nats://u:p@h1:4222,nats://h2:4222'],
  ['secure', 'true', 'secure', true],
  ['hbi hb_interval server_to_client_hb_interval', '"10s"', 'clientHbInterval', 10_000],
  ['hbt hb_timeout server_to_client_hb_timeout', '"1.5s"', 'clientHbTimeout', 1500],
  ['hbf hb_fail_count server_to_client_hb_fail_count', '3', 'clientHbFailCount', 3],
  ['ft_group ft_group_name', 'grp', 'ftGroupName', 'grp'],
  ['partitioning', 'true', 'partitioning', true],
  ['syslog_name', 'stan', 'syslogName', 'stan'],
  ['encrypt', 'yes', 'encrypt', true],
  ['encryption_cipher', 'chacha', 'encryptionCipher', 'CHACHA'],
  ['encryption_key', 'mykey', 'encryptionKey', 'mykey'],
  ['credentials', '"/etc/stan.creds"', 'credentials', '/etc/stan.creds'],
  ['username user', 'me', 'stanUser', 'me'],
  ['password pass', 'secret', 'stanPassword', 'secret'],
  ['token', 'tok', 'stanToken', 'tok'],
  ['nkey_seed_file', '"/etc/seed.nk"', 'nkeySeedFile', '/etc/seed.nk'],
  ['replace_durable replace_durables replace_duplicate_durable replace_duplicate_durables', 'true', 'replaceDurable', true],
];

const BLOCKS: [blocks: string, rows: Row[]][] = [
  ['limits store_limits storelimits', [
    ['mc max_channels maxchannels', '5', 'maxChannels', 5],
    ['msu max_subs max_subscriptions maxsubscriptions', '7', 'maxSubs', 7],
    ['mm max_msgs maxmsgs max_count maxcount', '1000', 'maxMsgs', 1000],
    ['mb max_bytes maxbytes', '10GB', 'maxBytes', 10 * 2 ** 30],
    ['ma max_age maxage', '"72h"', 'maxAge', 72 * HOUR],
    ['mi max_inactivity maxinactivity', '"1h30m"', 'maxInactivity', 1.5 * HOUR],
    ['channels channels_limits channelslimits per_channel per_channel_limits', '{ "a.>": { mm: 1 } }', 'perChannelLimits',
      new Map([['a.>', { maxMsgs: 1 }]])],
  ]],
  ['file file_options', [
    ['compact compact_enabled', 'false', 'fileCompactEnabled', false],
    ['compact_frag compact_fragmentation', '40', 'fileCompactFrag', 40],
    ['compact_interval', '600', 'fileCompactInterval', 600],
    ['compact_min_size', '2MB', 'fileCompactMinSize', 2 * 2 ** 20],
    ['buffer_size', '"4MB"', 'fileBufferSize', 4 * 2 ** 20],
    ['crc do_crc', 'false', 'fileCrc', false],
    ['crc_poly', '3988292384', 'fileCrcPoly', 3988292384],
    ['sync do_sync sync_on_flush', 'false', 'fileSync', false],
    ['slice_max_msgs slice_max_count slice_msgs slice_count', '1000', 'fileSliceMaxMsgs', 1000],
    ['slice_max_bytes slice_max_size slice_bytes slice_size', '256MB', 'fileSliceMaxBytes', 256 * 2 ** 20],
    ['slice_max_age slice_age slice_max_time slice_time_limit', '"24h"', 'fileSliceMaxAge', 24 * HOUR],
    ['slice_archive_script slice_archive slice_script', '"/bin/archive.sh"', 'fileSliceArchiveScript', '/bin/archive.sh'],
    ['file_descriptors_limit fds_limit', '100', 'fileFdsLimit', 100],
    ['parallel_recovery', '4', 'fileParallelRecovery', 4],
    ['file_read_buffer_size read_buffer_size', '1MB', 'fileReadBufferSize', 2 ** 20],
    ['file_auto_sync auto_sync', '"2m"', 'fileAutoSync', 120_000],
  ]],
  ['sql sql_options', [
    ['driver', 'Postgres', 'sqlDriver', 'postgres'],
    ['source', '"user=stan dbname=stan"', 'sqlSource', 'user=stan dbname=stan'],
    ['no_caching', 'true', 'sqlNoCaching', true],
    ['max_open_conns max_conns', '10', 'sqlMaxOpenConns', 10],
    ['bulk_insert_limit', '1000', 'sqlBulkInsertLimit', 1000],
  ]],
  ['tls', [
    ['client_cert', '"c.pem"', 'tlsClientCert', 'c.pem'],
    ['client_key', '"k.pem"', 'tlsClientKey', 'k.pem'],
    ['client_ca client_cacert', '"ca.pem"', 'tlsClientCaCert', 'ca.pem'],
    ['server_name server_hostname', 'nats.example.com', 'tlsClientServerName', 'nats.example.com'],
    ['skip_verify insecure', 'true', 'tlsClientSkipVerify', true],
  ]],
  ['cluster', [
    ['node_id', 'a', 'clusterNodeId', 'a'],
    ['bootstrap', 'true', 'clusterBootstrap', true],
    ['peers', '[a, b, c]', 'clusterPeers', 'a,b,c'],
    ['log_path', '"/raft"', 'clusterLogPath', '/raft'],
    ['log_cache_size', '1024', 'clusterLogCacheSize', 1024],
    ['log_snapshots', '3', 'clusterLogSnapshots', 3],
    ['trailing_logs', '100', 'clusterTrailingLogs', 100],
    ['sync', 'true', 'clusterSync', true],
    ['raft_logging', 'true', 'clusterRaftLogging', true],
    ['raft_heartbeat_timeout', '"3s"', 'clusterRaftHeartbeatTimeout', 3000],
    ['raft_election_timeout', '"3s"', 'clusterRaftElectionTimeout', 3000],
    ['raft_lease_timeout', '"2s"', 'clusterRaftLeaseTimeout', 2000],
    ['raft_commit_timeout', '"50ms"', 'clusterRaftCommitTimeout', 50],
    ['proceed_on_restore_failure', 'true', 'clusterProceedOnRestoreFailure', true],
    ['allow_add_remove_node', 'true', 'clusterAllowAddRemoveNode', true],
    ['bolt_free_list_sync', 'true', 'clusterBoltFreeListSync', true],
    ['bolt_free_list_map', 'true', 'clusterBoltFreeListMap', true],
    ['nodes_connections', 'true', 'clusterNodesConnections', true],
  ]],
];

const keys = suite('config/stan-options keys');

for (const [names, sample, option, value] of TOP) {
  keys(`${names} -> ${option}`, () => {
    for (const name of names.split(' ')) {
      // At the top level of a -sc file, in a streaming block, and in any case.
      for (const text of [`${name}: ${sample}`, `streaming { ${name}: ${sample} }`, `${name.toUpperCase()} = ${sample}`]) {
        const c = read(text);
        assert.equal(c.values, { [option]: value }, text);
        assert.match(c.sources[option]!, new RegExp(`^"${name}" \\(test\\.conf:1:\\d+\\)$`, 'i'));
      }
    }
  });
}

for (const [blocks, rows] of BLOCKS) {
  for (const [names, sample, option, value] of rows) {
    keys(`${blocks} { ${names} } -> ${option}`, () => {
      for (const block of blocks.split(' ')) {
        for (const name of names.split(' ')) {
          const text = `${block} {\n  ${name}: ${sample}\n}`;
          const want: Record<string, unknown> = { [option]: value };
          if (block === 'cluster') want.clustered = true;
          assert.equal(read(text).values, want, text);
          assert.is(read(text).sources[option], `"${block}.${name}" (test.conf:2:3)`);
        }
      }
    });
  }
}

keys('per-channel keys: each alias; omitted inherits, explicit 0 or negative is unlimited (0)', () => {
  const aliases: [string, string, string, number][] = [
    ['msu max_subs max_subscriptions maxsubscriptions', '5', 'maxSubscriptions', 5],
    ['mm max_msgs maxmsgs max_count maxcount', '-1', 'maxMsgs', 0],
    ['mb max_bytes maxbytes', '1KB', 'maxBytes', 1024],
    ['ma max_age maxage', '0', 'maxAgeMs', 0],
    ['mi max_inactivity maxinactivity', '"10m"', 'maxInactivityMs', 600_000],
  ];
  for (const [names, sample, field, value] of aliases) {
    for (const name of names.split(' ')) {
      const c = read(`store_limits { channels { "foo.*": { ${name}: ${sample} } } }`);
      assert.equal(c.values.perChannelLimits, new Map([['foo.*', { [field]: value }]]), name);
    }
  }
  assert.equal(read('store_limits { channels { foo: {} } }').values.perChannelLimits, new Map([['foo', {}]]));
});

keys('values: sizes as integers or strings, durations as strings or 0, booleans in all their forms', () => {
  assert.is(read('store_limits { max_bytes: "1G" }').values.maxBytes, 1e9);
  assert.is(read('store_limits { max_bytes: 512 }').values.maxBytes, 512);
  assert.is(read('store_limits { max_age: 0 }').values.maxAge, 0);
  assert.is(read('store_limits { max_age: "0" }').values.maxAge, 0);
  assert.is(read('store_limits { max_age: 24h }').values.maxAge, 24 * HOUR);
  for (const t of ['true', 'yes', 'on']) assert.is(read(`secure: ${t}`).values.secure, true);
  for (const t of ['false', 'no', 'off']) assert.is(read(`secure: ${t}`).values.secure, false);
  assert.is(read('cluster { peers: "a,b" }').values.clusterPeers, 'a,b');
});

keys('variables: a top-level key used as $NAME is not an option', () => {
  const c = read('LIMIT: 42\nstore_limits { max_msgs: $LIMIT }', { variables: new Set(['LIMIT']) });
  assert.equal(c.values, { maxMsgs: 42 });
});

// ---------- §7.3 inheritance ----------

const inherit = suite('config/stan-options store limits inheritance (§7.3)');

const EXAMPLE = `streaming {
  cluster_id: my_cluster
  store: file
  dir: "/data/stan"
  store_limits {
    max_channels: 0
    max_msgs: 0
    max_bytes: 10GB
    max_age: "72h"
    channels {
      "orders.>": { max_msgs: 1000000 }        # inherits max_bytes 10GB, max_age 72h
      "orders.audit": { max_age: 0 }           # explicit 0 -> no age limit; inherits max_msgs 1e6 from orders.>
    }
  }
  file_options { sync_on_flush: true, slice_max_bytes: 256MB }
  hb_interval: "10s"
  hb_timeout: "5s"
  hb_fail_count: 3
}`;

inherit('the example of §7.3: every option, and each channel\'s effective limits', () => {
  const c = read(EXAMPLE);
  assert.equal(c.values, {
    clusterId: 'my_cluster',
    storeType: 'FILE',
    filestoreDir: '/data/stan',
    maxChannels: 0,
    maxMsgs: 0,
    maxBytes: 10 * 2 ** 30,
    maxAge: 72 * HOUR,
    perChannelLimits: new Map<string, object>([['orders.>', { maxMsgs: 1_000_000 }], ['orders.audit', { maxAgeMs: 0 }]]),
    fileSync: true,
    fileSliceMaxBytes: 256 * 2 ** 20,
    clientHbInterval: 10_000,
    clientHbTimeout: 5_000,
    clientHbFailCount: 3,
  });
  const o = stanOptionsFrom(defaultStanOptions(), parseFlags([]), c);
  assert.is(o.clusterId, 'my_cluster');
  assert.equal([o.hbIntervalMs, o.hbTimeoutMs, o.hbFailCount], [10_000, 5_000, 3]);
  const subs = DEFAULT_STORE_LIMITS.maxSubscriptions;
  const bytes = 10 * 2 ** 30;
  assert.equal(effectiveLimits(o.storeLimits, 'orders.new'),
    { maxSubscriptions: subs, maxMsgs: 1_000_000, maxBytes: bytes, maxAgeMs: 72 * HOUR, maxInactivityMs: 0 });
  assert.equal(effectiveLimits(o.storeLimits, 'orders.audit'),
    { maxSubscriptions: subs, maxMsgs: 1_000_000, maxBytes: bytes, maxAgeMs: 0, maxInactivityMs: 0 });
  assert.equal(effectiveLimits(o.storeLimits, 'payments'),
    { maxSubscriptions: subs, maxMsgs: 0, maxBytes: bytes, maxAgeMs: 72 * HOUR, maxInactivityMs: 0 });
});

// ---------- Validation ----------

const errors = suite('config/stan-options errors');

const ERRORS: [text: string, message: string][] = [
  ['hb_interval: 10', 'test.conf:1:1: hb_interval: expected a duration string such as "500ms", "10s" or "72h", got 10'],
  ['hb_interval: "10"', 'test.conf:1:1: hb_interval: expected a duration string such as "500ms", "10s" or "72h", got "10" (time: missing unit in duration "10")'],
  ['hb_interval: "2d"', 'test.conf:1:1: hb_interval: expected a duration string such as "500ms", "10s" or "72h", got "2d" (time: unknown unit "d" in duration "2d")'],
  ['hbt: "0s"', 'test.conf:1:1: hbt: must be greater than 0, got "0s"'],
  ['hb_fail_count: -1', 'test.conf:1:1: hb_fail_count: must not be negative, got -1'],
  ['hb_fail_count: 1.5', 'test.conf:1:1: hb_fail_count: expected an integer, got 1.5'],
  ['store: disk', 'test.conf:1:1: store: expected one of MEMORY, FILE, SQL (in any case), got "disk"'],
  ['cluster_id: "a b"', 'test.conf:1:1: cluster_id: must not contain spaces, "*" or ">", got "a b"'],
  ['id: ""', 'test.conf:1:1: id: must not be empty, got ""'],
  ['discover_prefix: "_STAN..d"', 'test.conf:1:1: discover_prefix: must not have empty tokens (a leading, trailing or double "."), got "_STAN..d"'],
  ['dir: 5', 'test.conf:1:1: dir: expected a string, got 5'],
  ['secure: "yes"', 'test.conf:1:1: secure: expected true or false, got "yes"'],
  ['encryption_cipher: des', 'test.conf:1:1: encryption_cipher: expected one of AES, CHACHA (in any case), got "des"'],
  ['tls: 5', 'test.conf:1:1: tls: expected a map of TLS settings (client_cert, client_key, client_ca, server_name, skip_verify), got 5'],
  ['store_limits: [1]', 'test.conf:1:1: store_limits: expected a map of store limits, got [1]'],
  ['store_limits { max_channels: -1 }', 'test.conf:1:16: store_limits.max_channels: max channels limit cannot be negative (-1)'],
  ['store_limits { max_subs: -2 }', 'test.conf:1:16: store_limits.max_subs: max subscriptions limit cannot be negative (-2)'],
  ['store_limits { max_msgs: -5 }', 'test.conf:1:16: store_limits.max_msgs: max messages limit cannot be negative (-5)'],
  ['store_limits { max_bytes: -1KB }', 'test.conf:1:16: store_limits.max_bytes: max bytes limit cannot be negative (-1024)'],
  ['store_limits { max_age: "-1h" }', 'test.conf:1:16: store_limits.max_age: max age limit cannot be negative (-1h0m0s)'],
  ['store_limits { max_inactivity: "-90s" }', 'test.conf:1:16: store_limits.max_inactivity: max inactivity limit cannot be negative (-1m30s)'],
  ['store_limits { max_bytes: "lots" }', 'test.conf:1:16: store_limits.max_bytes: expected a size such as 1024, 64MB or 10GB, got "lots"'],
  ['store_limits { max_age: 3600 }', 'test.conf:1:16: store_limits.max_age: expected a duration string such as "500ms", "10s" or "72h", got 3600'],
  ['store_limits { channels: [] }', 'test.conf:1:16: store_limits.channels: expected a map of channel names to limits, got []'],
  ['store_limits { channels { "foo..bar": {} } }', 'test.conf:1:27: store_limits.channels[foo..bar]: invalid channel name "foo..bar"'],
  ['store_limits { channels { "foo.>.bar": {} } }', 'test.conf:1:27: store_limits.channels[foo.>.bar]: invalid channel name "foo.>.bar"'],
  ['store_limits { channels { foo: 5 } }', 'test.conf:1:27: store_limits.channels[foo]: expected a map of limits (max_subs, max_msgs, max_bytes, max_age, max_inactivity), got 5'],
  ['store_limits { channels { foo: { max_channels: 1 } } }', 'test.conf:1:34: store_limits.channels[foo].max_channels: a store-wide limit, which cannot be set per channel'],
  ['store_limits { channels { foo: { mm: 1, max_msgs: 2 } } }', 'test.conf:1:41: store_limits.channels[foo].max_msgs: "store_limits.channels[foo].mm" is given too; use one of them'],
  ['store_limits { channels { foo: { max_age: 10 } } }', 'test.conf:1:34: store_limits.channels[foo].max_age: expected a duration string such as "500ms", "10s" or "72h", got 10'],
  ['store_limits {\n  max_channels: 1\n  channels { a: {}, b: {}, "c.*": {} }\n}', 'test.conf:3:3: store_limits.channels: too many channels defined (2). The max channels limit is set to 1'],
  ['file { compact_frag: 150 }', 'test.conf:1:8: file.compact_frag: must be from 0 to 100, got 150'],
  ['file { parallel_recovery: 0 }', 'test.conf:1:8: file.parallel_recovery: must be at least 1, got 0'],
  ['file { crc_poly: -1 }', 'test.conf:1:8: file.crc_poly: must be from 0 to 4294967295, got -1'],
  ['file { slice_max_bytes: -1 }', 'test.conf:1:8: file.slice_max_bytes: must not be negative, got -1'],
  ['sql { driver: oracle }', 'test.conf:1:7: sql.driver: expected one of MYSQL, POSTGRES (in any case), got "oracle"'],
  ['cluster { peers: [1] }', 'test.conf:1:11: cluster.peers: expected an array of names, got [1]'],
  ['cluster { raft_lease_timeout: "0s" }', 'test.conf:1:11: cluster.raft_lease_timeout: must be greater than 0, got "0s"'],
  ['id: a\ncluster_id: b', 'test.conf:2:1: cluster_id: "id" is given too; use one of them'],
  ['streaming: 5', 'test.conf:1:1: streaming: expected a map of streaming options, got 5'],
  ['streaming { id: a }\nhb_interval: "1s"', 'test.conf:2:1: hb_interval: outside the "streaming" block, which is then the only place read for streaming options; move it there'],
];

for (const [text, message] of ERRORS) {
  errors(message, () => fails(text, message));
}

errors('an unknown key names the nearest valid key, at every level', () => {
  fails('hb_intervall: "1s"', 'test.conf:1:1: hb_intervall: unknown key (did you mean "hb_interval"?)');
  fails('cluster_idd: x', 'test.conf:1:1: cluster_idd: unknown key (did you mean "cluster_id"?)');
  fails('max_msgs: 10', 'test.conf:1:1: max_msgs: unknown key (did you mean "store_limits.max_msgs"?)');
  fails('streaming { sync_on_flush: true }', 'test.conf:1:13: sync_on_flush: unknown key (did you mean "file_options.sync_on_flush"?)');
  fails('streaming {\n  store_limit { }\n}', 'test.conf:2:3: store_limit: unknown key (did you mean "store_limits"?)');
  fails('store_limits { max_msg: 1 }', 'test.conf:1:16: store_limits.max_msg: unknown key (did you mean "max_msgs"?)');
  fails('store_limits { channels { foo: { max_mgs: 1 } } }', 'test.conf:1:34: store_limits.channels[foo].max_mgs: unknown key (did you mean "max_msgs"?)');
  fails('file_options { sync_on_flsh: true }', 'test.conf:1:16: file_options.sync_on_flsh: unknown key (did you mean "sync_on_flush"?)');
  fails('tls { client_certt: x }', 'test.conf:1:7: tls.client_certt: unknown key (did you mean "client_cert"?)');
  fails('sql { drivers: mysql }', 'test.conf:1:7: sql.drivers: unknown key (did you mean "driver"?)');
  fails('cluster { node: a }', 'test.conf:1:11: cluster.node: unknown key (did you mean "node_id"?)');
});

// ---------- Not supported yet ----------

const notYet = suite('config/stan-options not supported yet');

notYet('each setting of a missing feature is listed with its key and place', () => {
  const c = read([
    'partitioning: true', 'credentials: "/x.creds"', 'nkey_seed_file: "/seed"', 'encrypt: true', 'ft_group: g',
    'tls { server_name: h, skip_verify: true }', 'sql { driver: mysql }', 'cluster { node_id: a, bootstrap: true }',
  ].join('\n'));
  assert.equal(stanConfigNotSupported(c), [
    'config key "cluster" (test.conf:8:1) is not supported yet (clustering)',
    'config key "credentials" (test.conf:2:1) is not supported yet (NATS credentials files)',
    'config key "nkey_seed_file" (test.conf:3:1) is not supported yet (NKey authentication)',
    'config key "tls.server_name" (test.conf:6:7) is not supported yet (TLS server name for the NATS connection)',
    'config key "tls.skip_verify" (test.conf:6:23) is not supported yet (TLS without verification for the NATS connection)',
  ]);
});

notYet('a flag-backed key is refused exactly while its flag is', () => {
  for (const [names, sample, option] of TOP) {
    const flag = FLAGS.find((f) => f.key === option);
    if (flag === undefined || option === 'filestoreDir' || option === 'storeType') continue;
    const name = names.split(' ')[0]!;
    assert.is(stanConfigNotSupported(read(`${name}: ${sample}`)).length, flag.supported ? 0 : 1, name);
  }
  const mi = FLAGS.find((f) => f.key === 'maxInactivity')!;
  assert.is(stanConfigNotSupported(read('store_limits { max_inactivity: "1h" }')).length, mi.supported ? 0 : 1);
  assert.equal(stanConfigNotSupported(read('store_limits { channels { foo: { max_inactivity: "1h" } } }')),
    mi.supported ? [] : ['config key "store_limits.channels[foo].max_inactivity" (test.conf:1:34) is not supported yet']);
});

notYet('supported features, the file store (refused by startup while absent) and settings that turn a feature off are not listed', () => {
  assert.equal(stanConfigNotSupported(read(EXAMPLE)), []);
  assert.equal(stanConfigNotSupported(read(
    'partitioning: false\nencrypt: false\nft_group: ""\nstore_limits { max_inactivity: 0 }\nuser: u\npassword: p\ntoken: t\nsecure: true\n' +
    'tls { client_cert: c, client_key: k, client_ca: ca, skip_verify: false }\nreplace_durable: true\ndiscover_prefix: _D',
  )), []);
});

// ---------- Precedence ----------

const precedence = suite('config/stan-options precedence: defaults < file < command line');

precedence('a file value replaces the default; a flag replaces the file value', () => {
  const file = read('cluster_id: from_file\nhb_interval: "5s"\nstore_limits { max_msgs: 10, max_bytes: 1MB, channels { foo: { max_msgs: 3 } } }');
  const none = stanOptionsFrom(defaultStanOptions(), parseFlags([]));
  assert.equal([none.clusterId, none.hbIntervalMs, none.storeLimits.maxMsgs], ['test-cluster', 30_000, 1_000_000]);
  const fromFile = stanOptionsFrom(defaultStanOptions(), parseFlags([]), file);
  assert.equal([fromFile.clusterId, fromFile.hbIntervalMs, fromFile.storeLimits.maxMsgs, fromFile.storeLimits.maxBytes],
    ['from_file', 5_000, 10, 2 ** 20]);
  const flags = parseFlags(['-cid', 'from_flag', '-mm', '20', '--hb_interval=1s']);
  const both = stanOptionsFrom(defaultStanOptions(), flags, file);
  assert.equal([both.clusterId, both.hbIntervalMs, both.storeLimits.maxMsgs, both.storeLimits.maxBytes],
    ['from_flag', 1_000, 20, 2 ** 20]);
  assert.equal(effectiveLimits(both.storeLimits, 'foo').maxMsgs, 3);
  assert.equal(effectiveLimits(both.storeLimits, 'bar').maxMsgs, 20);
});

precedence('withStanConfig: one set of options, a file option named by its key and place', () => {
  const merged = withStanConfig(parseFlags(['-mm', '5']), read('store_limits { max_msgs: 1 }\nstore: memory'));
  assert.equal(merged.values, { maxMsgs: 5, storeType: 'MEMORY' });
  assert.equal([...merged.set].sort(), ['maxMsgs', 'storeType']);
  assert.is(merged.given.get('maxMsgs'), '-mm');
  assert.is(merged.given.get('storeType'), 'config key "store" (test.conf:2:1)');
});

precedence('a command-line -mc below the file\'s channel count fails, naming the channels map', () => {
  const file = read('store_limits {\n  channels { a: {}, b: {} }\n}');
  assert.throws(() => stanOptions(parseFlags(['-mc', '1']), file),
    (err: Error) => err.message === 'test.conf:2:3: store_limits.channels: too many channels defined (2). The max channels limit is set to 1');
});

keys.run();
inherit.run();
errors.run();
notYet.run();
precedence.run();

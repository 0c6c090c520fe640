// The command-line flags of the Go nats-streaming-server binary (v0.25 with
// its embedded nats-server 2.9), as data: STAN-REFERENCE §7.2. Streaming
// flags come from the streaming server's ConfigureOptions (server/conf.go),
// the others from nats-server's ConfigureOptions (server/opts.go); the usage
// text is nats-streaming-server.go's `usageStr`, rebuilt line for line from
// `usage` and `help` below.
//
// Each entry lists every name Go registers for one option (without dashes;
// Go accepts `-name` and `--name` alike), the value type, the key it sets in
// ParsedFlags.values, and whether this server implements it yet. Entries
// without `usage` are accepted by Go but not shown in its usage text.
//
// This is the option schema: the command line (src/cli/flags.ts) and the
// streaming configuration file (stan-options.ts) both produce values under
// these keys, which the layers read.

/** How a flag's value is read: Go's flag types, plus `size` (NATS size suffixes, as Go's getBytes). */
export type FlagType = 'string' | 'int' | 'bool' | 'duration' | 'size';

export interface FlagSpec {
  /** Every spelling, without dashes; Go flag names are case-sensitive. */
  readonly names: readonly string[];
  readonly type: FlagType;
  /** Key of ParsedFlags.values (durations in ms, sizes in bytes). */
  readonly key: string;
  /** Help text as in Go's usage text (`\n` continues on the next line). */
  readonly help: string;
  /** False while the feature behind the flag does not exist here yet. */
  readonly supported: boolean;
  /** Accepted for compatibility with older releases, and without effect (startup says so at debug level). */
  readonly ignored?: true;
  /** The usage-text section, for flags Go's usage text lists. */
  readonly section?: SectionId;
  /** The left column of the usage line, as in Go's usage text. */
  readonly usage?: string;
}

export type SectionId =
  | 'streaming'
  | 'clustering'
  | 'file'
  | 'sql'
  | 'stanTls'
  | 'stanLog'
  | 'nats'
  | 'log'
  | 'auth'
  | 'tls'
  | 'natsCluster'
  | 'common';

export interface Section {
  readonly id: SectionId;
  readonly title: string;
  /** Width of the left column; the help text starts at column 4 + width. */
  readonly width: number;
  /** A line printed after the section's flags. */
  readonly footer?: string;
}

/** The usage-text sections in Go's order, with Go's column widths. */
export const SECTIONS: readonly Section[] = [
  { id: 'streaming', title: 'Streaming Server Options:', width: 37 },
  { id: 'clustering', title: 'Streaming Server Clustering Options:', width: 39 },
  { id: 'file', title: 'Streaming Server File Store Options:', width: 37 },
  { id: 'sql', title: 'Streaming Server SQL Store Options:', width: 33 },
  { id: 'stanTls', title: 'Streaming Server TLS Options:', width: 33 },
  { id: 'stanLog', title: 'Streaming Server Logging Options:', width: 33, footer: '(See additional NATS logging options below)' },
  { id: 'nats', title: 'Embedded NATS Server Options:', width: 33 },
  { id: 'log', title: 'Logging Options:', width: 33 },
  { id: 'auth', title: 'Authorization Options:', width: 33 },
  { id: 'tls', title: 'TLS Options:', width: 33 },
  { id: 'natsCluster', title: 'NATS Clustering Options:', width: 33 },
  { id: 'common', title: 'Common Options:', width: 33 },
];

const Y = true; // supported now
const N = false; // parsed, then refused at startup until the feature exists
const IGNORED = 'ignored'; // accepted and without effect, as the Go server later did

type Row = [names: string, type: FlagType, key: string, supported: boolean | typeof IGNORED, usage: string | null, help: string];

/** Builds one section's entries; `names` is space-separated. */
function rows(section: SectionId | undefined, list: Row[]): FlagSpec[] {
  return list.map(([names, type, key, supported, usage, help]) => ({
    names: names.split(' '),
    type,
    key,
    help,
    supported: supported !== N,
    ...(supported === IGNORED ? { ignored: true as const } : {}),
    ...(section !== undefined && usage !== null ? { section, usage } : {}),
  }));
}

export const FLAGS: readonly FlagSpec[] = [
  ...rows('streaming', [
    ['cid cluster_id', 'string', 'clusterId', Y, '-cid, --cluster_id  <string>', 'Cluster ID (default: test-cluster)'],
    ['st store', 'string', 'storeType', Y, '-st,  --store <string>', 'Store type: MEMORY|FILE|SQL (default: MEMORY)'],
    ['dir', 'string', 'filestoreDir', Y, '      --dir <string>', 'For FILE store type, this is the root directory'],
    ['mc max_channels', 'int', 'maxChannels', Y, '-mc,  --max_channels <int>', 'Max number of channels (0 for unlimited)'],
    ['msu max_subs', 'int', 'maxSubs', Y, '-msu, --max_subs <int>', 'Max number of subscriptions per channel (0 for unlimited)'],
    ['mm max_msgs', 'int', 'maxMsgs', Y, '-mm,  --max_msgs <int>', 'Max number of messages per channel (0 for unlimited)'],
    ['mb max_bytes', 'size', 'maxBytes', Y, '-mb,  --max_bytes <size>', 'Max messages total size per channel (0 for unlimited)'],
    ['ma max_age', 'duration', 'maxAge', Y, '-ma,  --max_age <duration>', 'Max duration a message can be stored ("0s" for unlimited)'],
    ['mi max_inactivity', 'duration', 'maxInactivity', Y, '-mi,  --max_inactivity <duration>',
      'Max inactivity (no new message, no subscription) after which a channel can be garbage collected (0 for unlimited)'],
    ['ns nats_server', 'string', 'natsServerUrl', Y, '-ns,  --nats_server <string>', 'Connect to this external NATS Server URL (embedded otherwise)'],
    ['sc stan_config', 'string', 'stanConfigFile', Y, '-sc,  --stan_config <string>', 'Streaming server configuration file'],
    ['hbi hb_interval', 'duration', 'clientHbInterval', Y, '-hbi, --hb_interval <duration>', 'Interval at which server sends heartbeat to a client'],
    ['hbt hb_timeout', 'duration', 'clientHbTimeout', Y, '-hbt, --hb_timeout <duration>', 'How long server waits for a heartbeat response'],
    ['hbf hb_fail_count', 'int', 'clientHbFailCount', Y, '-hbf, --hb_fail_count <int>',
      'Number of failed heartbeats before server closes the client connection'],
    // In the 0.4.0 usage text (and its Docker documentation) only: a pool of
    // internal ack subscriptions, which later releases dropped.
    ['ack_subs', 'int', 'ackSubs', IGNORED, '      --ack_subs <int>',
      "Number of internal subscriptions handling incoming ACKs (0 means one per client's subscription)"],
    ['ft_group', 'string', 'ftGroupName', Y, '      --ft_group <string>',
      'Name of the FT Group. A group can be 2 or more servers with a single active server and all sharing the same datastore'],
    ['sl signal', 'string', 'signal', Y, '-sl,  --signal <signal>[=<pid>]',
      'Send signal to nats-streaming-server process (stop, quit, reopen, reload - only for embedded NATS Server)'],
    ['encrypt', 'bool', 'encrypt', Y, '      --encrypt <bool>', 'Specify if server should use encryption at rest'],
    ['encryption_cipher', 'string', 'encryptionCipher', Y, '      --encryption_cipher <string>',
      'Cipher to use for encryption. Currently support AES and CHAHA (ChaChaPoly). Defaults to AES'],
    ['encryption_key', 'string', 'encryptionKey', Y, '      --encryption_key <string>',
      'Encryption Key. It is recommended to specify it through the NATS_STREAMING_ENCRYPTION_KEY environment variable instead'],
    ['replace_durable', 'bool', 'replaceDurable', Y, '      --replace_durable <bool>',
      'Replace the existing durable subscription instead of reporting a duplicate durable error'],
  ]),
  ...rows('clustering', [
    ['clustered', 'bool', 'clustered', N, '--clustered <bool>', 'Run the server in a clustered configuration (default: false)'],
    ['cluster_node_id', 'string', 'clusterNodeId', N, '--cluster_node_id <string>',
      'ID of the node within the cluster if there is no stored ID (default: random UUID)'],
    ['cluster_bootstrap', 'bool', 'clusterBootstrap', N, '--cluster_bootstrap <bool>',
      'Bootstrap the cluster if there is no existing state by electing self as leader (default: false)'],
    ['cluster_peers', 'string', 'clusterPeers', N, '--cluster_peers <string, ...>', 'Comma separated list of cluster peer node IDs to bootstrap cluster state'],
    ['cluster_log_path', 'string', 'clusterLogPath', N, '--cluster_log_path <string>', 'Directory to store log replication data'],
    ['cluster_log_cache_size', 'int', 'clusterLogCacheSize', N, '--cluster_log_cache_size <int>',
      'Number of log entries to cache in memory to reduce disk IO (default: 512)'],
    ['cluster_log_snapshots', 'int', 'clusterLogSnapshots', N, '--cluster_log_snapshots <int>', 'Number of log snapshots to retain (default: 2)'],
    ['cluster_trailing_logs', 'int', 'clusterTrailingLogs', N, '--cluster_trailing_logs <int>', 'Number of log entries to leave after a snapshot and compaction'],
    ['cluster_sync', 'bool', 'clusterSync', N, '--cluster_sync <bool>', 'Do a file sync after every write to the replication log and message store'],
    ['cluster_raft_logging', 'bool', 'clusterRaftLogging', N, '--cluster_raft_logging <bool>', 'Enable logging from the Raft library (disabled by default)'],
    ['cluster_allow_add_remove_node', 'bool', 'clusterAllowAddRemoveNode', N, '--cluster_allow_add_remove_node <bool>',
      'Enable the ability to send NATS requests to the leader to add/remove cluster nodes'],
  ]),
  ...rows('file', [
    ['file_compact_enabled', 'bool', 'fileCompactEnabled', Y, '--file_compact_enabled <bool>', 'Enable file compaction'],
    ['file_compact_frag', 'int', 'fileCompactFrag', Y, '--file_compact_frag <int>', 'File fragmentation threshold for compaction'],
    ['file_compact_interval', 'int', 'fileCompactInterval', Y, '--file_compact_interval <int>', 'Minimum interval (in seconds) between file compactions'],
    ['file_compact_min_size', 'size', 'fileCompactMinSize', Y, '--file_compact_min_size <size>', 'Minimum file size for compaction'],
    ['file_buffer_size', 'size', 'fileBufferSize', Y, '--file_buffer_size <size>', 'File buffer size (in bytes)'],
    ['file_crc', 'bool', 'fileCrc', Y, '--file_crc <bool>', 'Enable file CRC-32 checksum'],
    ['file_crc_poly', 'int', 'fileCrcPoly', Y, '--file_crc_poly <int>', 'Polynomial used to make the table used for CRC-32 checksum'],
    ['file_sync', 'bool', 'fileSync', Y, '--file_sync <bool>', 'Enable File.Sync on Flush'],
    ['file_slice_max_msgs', 'int', 'fileSliceMaxMsgs', Y, '--file_slice_max_msgs <int>',
      'Maximum number of messages per file slice (subject to channel limits)'],
    ['file_slice_max_bytes', 'size', 'fileSliceMaxBytes', Y, '--file_slice_max_bytes <size>',
      'Maximum file slice size - including index file (subject to channel limits)'],
    ['file_slice_max_age', 'duration', 'fileSliceMaxAge', Y, '--file_slice_max_age <duration>',
      'Maximum file slice duration starting when the first message is stored (subject to channel limits)'],
    ['file_slice_archive_script', 'string', 'fileSliceArchiveScript', Y, '--file_slice_archive_script <string>',
      'Path to script to use if you want to archive a file slice being removed'],
    ['file_fds_limit', 'int', 'fileFdsLimit', Y, '--file_fds_limit <int>', 'Store will try to use no more file descriptors than this given limit'],
    ['file_parallel_recovery', 'int', 'fileParallelRecovery', Y, '--file_parallel_recovery <int>',
      'On startup, number of channels that can be recovered in parallel'],
    ['file_truncate_bad_eof', 'bool', 'fileTruncateBadEof', Y, '--file_truncate_bad_eof <bool>',
      'Truncate files for which there is an unexpected EOF on recovery, dataloss may occur'],
    ['file_read_buffer_size', 'size', 'fileReadBufferSize', Y, '--file_read_buffer_size <size>', 'Size of messages read ahead buffer (0 to disable)'],
    ['file_auto_sync', 'duration', 'fileAutoSync', Y, '--file_auto_sync <duration>',
      "Interval at which the store should be automatically flushed and sync'ed on disk (<= 0 to disable)"],
  ]),
  ...rows('sql', [
    ['sql_driver', 'string', 'sqlDriver', Y, '--sql_driver <string>', 'Name of the SQL Driver ("mysql" or "postgres")'],
    ['sql_source', 'string', 'sqlSource', Y, '--sql_source <string>', 'Datasource used when opening an SQL connection to the database'],
    ['sql_no_caching', 'bool', 'sqlNoCaching', Y, '--sql_no_caching <bool>', 'Enable/Disable caching for improved performance'],
    ['sql_max_open_conns', 'int', 'sqlMaxOpenConns', Y, '--sql_max_open_conns <int>', 'Maximum number of opened connections to the database'],
    ['sql_bulk_insert_limit', 'int', 'sqlBulkInsertLimit', Y, '--sql_bulk_insert_limit <int>',
      'Maximum number of messages stored with a single SQL "INSERT" statement'],
  ]),
  ...rows('stanTls', [
    ['secure', 'bool', 'secure', Y, '-secure <bool>',
      'Use a TLS connection to the NATS server without\nverification; weaker than specifying certificates.'],
    ['tls_client_key', 'string', 'tlsClientKey', Y, '-tls_client_key <string>', 'Client key for the streaming server'],
    ['tls_client_cert', 'string', 'tlsClientCert', Y, '-tls_client_cert <string>', 'Client certificate for the streaming server'],
    ['tls_client_cacert', 'string', 'tlsClientCaCert', Y, '-tls_client_cacert <string>', 'Client certificate CA for the streaming server'],
  ]),
  ...rows('stanLog', [
    ['SD stan_debug', 'bool', 'stanDebug', Y, '-SD, --stan_debug=<bool>', 'Enable STAN debugging output'],
    ['SV stan_trace', 'bool', 'stanTrace', Y, '-SV, --stan_trace=<bool>', 'Trace the raw STAN protocol'],
    ['SDV', 'bool', 'stanDebugAndTrace', Y, '-SDV', 'Debug and trace STAN'],
    ['syslog_name', 'string', 'syslogName', Y, '     --syslog_name',
      'On Windows, when running several servers as a service, use this name for the event source'],
  ]),
  ...rows('nats', [
    ['a addr net', 'string', 'host', Y, '-a, --addr <string>', 'Bind to host address (default: 0.0.0.0)'],
    ['p port', 'int', 'port', Y, '-p, --port <int>', 'Use port for clients (default: 4222)'],
    ['P pid', 'string', 'pidFile', Y, '-P, --pid <string>', 'File to store PID'],
    ['m http_port', 'int', 'httpPort', Y, '-m, --http_port <int>', 'Use port for http monitoring'],
    ['ms https_port', 'int', 'httpsPort', Y, '-ms,--https_port <int>', 'Use port for https monitoring'],
    ['c config', 'string', 'configFile', Y, '-c, --config <string>', 'Configuration file'],
  ]),
  ...rows('log', [
    ['l log', 'string', 'logFile', Y, '-l, --log <string>', 'File to redirect log output'],
    ['T logtime', 'bool', 'logtime', Y, '-T, --logtime=<bool>', 'Timestamp log entries (default: true)'],
    ['s syslog', 'bool', 'syslog', Y, '-s, --syslog <bool>', 'Enable syslog as log method'],
    ['r remote_syslog', 'string', 'remoteSyslog', Y, '-r, --remote_syslog <string>', 'Syslog server addr (udp://localhost:514)'],
    ['D debug', 'bool', 'debug', Y, '-D, --debug=<bool>', 'Enable debugging output'],
    ['V trace', 'bool', 'trace', Y, '-V, --trace=<bool>', 'Trace the raw protocol'],
    ['DV', 'bool', 'debugAndTrace', Y, '-DV', 'Debug and trace'],
  ]),
  ...rows('auth', [
    ['user', 'string', 'user', Y, '    --user <string>', 'User required for connections'],
    ['pass', 'string', 'password', Y, '    --pass <string>', 'Password required for connections'],
    ['auth', 'string', 'token', Y, '    --auth <string>', 'Authorization token required for connections'],
  ]),
  ...rows('tls', [
    ['tls', 'bool', 'tls', Y, '    --tls=<bool>', 'Enable TLS, do not verify clients (default: false)'],
    ['tlscert', 'string', 'tlsCert', Y, '    --tlscert <string>', 'Server certificate file'],
    ['tlskey', 'string', 'tlsKey', Y, '    --tlskey <string>', 'Private key for server certificate'],
    ['tlsverify', 'bool', 'tlsVerify', Y, '    --tlsverify=<bool>', 'Enable TLS, verify client certificates'],
    ['tlscacert', 'string', 'tlsCaCert', Y, '    --tlscacert <string>', 'Client certificate CA for verification'],
  ]),
  ...rows('natsCluster', [
    ['routes', 'string', 'routes', Y, '    --routes <string, ...>', 'Routes to solicit and connect'],
    ['cluster cluster_listen', 'string', 'clusterListen', Y, '    --cluster <string>', 'Cluster URL for solicited routes'],
  ]),
  ...rows('common', [
    ['h help', 'bool', 'help', Y, '-h, --help', 'Show this message'],
    ['v version', 'bool', 'version', Y, '-v, --version', 'Show version'],
    ['help_tls', 'bool', 'helpTls', Y, '    --help_tls', 'TLS help.'],
  ]),
  // Accepted by Go but absent from its usage text; help is Go's flag help
  // where Go registers a useful one.
  ...rows(undefined, [
    ['cluster_proceed_on_restore_failure', 'bool', 'clusterProceedOnRestoreFailure', N, null,
      'Start even if restoring a Raft snapshot fails (Go registers no help text)'],
    ['io_batch_size', 'int', 'ioBatchSize', Y, null, 'Maximum number of messages stored in one I/O batch (default: 1024)'],
    ['io_sleep_time', 'int', 'ioSleepTime', N, null, 'Microseconds to wait for more messages before storing a batch (default: 0)'],
    ['n name server_name', 'string', 'serverName', Y, null, 'Server name.'],
    ['client_advertise', 'string', 'clientAdvertise', N, null, 'Client URL to advertise to other servers.'],
    ['VV', 'bool', 'traceVerbose', Y, null, 'Enable Verbose Trace logging. (Traces system account as well)'],
    ['DVV', 'bool', 'debugAndTraceVerbose', Y, null, 'Enable Debug and Verbose Trace logging. (Traces system account as well)'],
    ['t', 'bool', 'checkConfig', Y, null, 'Check configuration and exit.'],
    ['ports_file_dir', 'string', 'portsFileDir', N, null, 'Creates a ports file in the specified directory (<executable_name>_<pid>.ports).'],
    ['log_size_limit', 'int', 'logSizeLimit', Y, null, 'Logfile size limit being auto-rotated'],
    ['logtime_utc', 'bool', 'logtimeUtc', Y, null, 'Timestamps in UTC instead of local timezone.'],
    ['max_traced_msg_len', 'int', 'maxTracedMsgLen', N, null, 'Maximum printable length for traced messages. 0 for unlimited.'],
    ['profile', 'int', 'profPort', N, null, 'Profiling HTTP port.'],
    ['cluster_advertise', 'string', 'clusterAdvertise', Y, null, 'Cluster URL to advertise to other servers.'],
    ['no_advertise', 'bool', 'clusterNoAdvertise', Y, null, 'Advertise known cluster IPs to clients.'],
    ['connect_retries', 'int', 'clusterConnectRetries', Y, null, 'For implicit routes, number of connect retries.'],
    ['cluster_name', 'string', 'clusterName', Y, null, 'Cluster Name, if not set one will be dynamically generated.'],
    ['js jetstream', 'bool', 'jetstream', N, null, 'Enable JetStream.'],
    ['sd store_dir', 'string', 'storeDir', N, null, 'Storage directory.'],
    // Ours, not Go's: structured logs.
    ['log_json', 'bool', 'logJson', Y, null, 'Write log entries as JSON objects, one per line.'],
  ]),
];

/** Options by key, as given on the command line, possibly laid over a file's (withStanConfig). */
export interface ParsedFlags {
  /** Option key → value, for the flags given (durations in ms, sizes in bytes). */
  values: Record<string, unknown>;
  /** The option keys the user gave, so they override the config file. */
  set: Set<string>;
  /** Option key → the flag as last written (`-p`, `--port`), for messages. */
  given: Map<string, string>;
}

/** Flag name (no dashes) → entry. */
const BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.flatMap((f) => f.names.map((n) => [n, f] as const)));

/** Every flag name, without dashes, in table order. */
export const FLAG_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The table entry for a flag name without dashes (case-sensitive, as Go). */
export function flagByName(name: string): FlagSpec | undefined {
  return BY_NAME.get(name);
}

// The command-line parser (src/cli/flags.ts) against its table: every
// flag in every form Go's flag package accepts, the error texts, and the
// usage and version texts (STAN-REFERENCE §7.1, §7.2).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliError, ignoredFlags, parseFlags, parseGoInt, unsupportedFlags, usageText, versionText } from '../../src/cli/flags.js';
import { FLAGS, flagByName, type FlagSpec, SECTIONS } from '../../src/config/flag-table.js';
import { nearestName } from '../../src/config/nearest-name.js';

/** A value of each type and what it parses to. */
const SAMPLES: Record<FlagSpec['type'], [text: string, value: unknown]> = {
  string: ['some/value', 'some/value'],
  int: ['42', 42],
  duration: ['1h15m', 75 * 60_000],
  size: ['64MB', 64 * 1024 * 1024],
  bool: ['false', false],
};

function fails(argv: string[], message: string): void {
  try {
    parseFlags(argv);
  } catch (err) {
    assert.instance(err, CliError);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`${argv.join(' ')} was accepted`);
}

const table = suite('cli/flags table');

table('names are unique, keys belong to one entry, usage lines to sections', () => {
  const names = FLAGS.flatMap((f) => f.names);
  assert.is(new Set(names).size, names.length);
  const keys = FLAGS.map((f) => f.key);
  assert.is(new Set(keys).size, keys.length);
  for (const f of FLAGS) {
    assert.ok(f.names.length > 0 && f.help !== '', f.key);
    assert.is(f.section === undefined, f.usage === undefined, f.key);
    for (const n of f.names) assert.is(flagByName(n), f);
  }
  const ids = new Set(SECTIONS.map((s) => s.id));
  assert.ok(FLAGS.every((f) => f.section === undefined || ids.has(f.section)));
});

table('what is supported now: the embedded NATS server, its logging, auth and TLS, the streaming core', () => {
  const supported = FLAGS.filter((f) => f.supported).map((f) => f.key).sort();
  assert.equal(supported, [
    // --ack_subs is accepted and ignored (issue #11).
    'ackSubs',
    'checkConfig', 'clientHbFailCount', 'clientHbInterval', 'clientHbTimeout',
    // NATS routes (issue #12).
    'clusterAdvertise', 'clusterConnectRetries',
    'clusterId',
    'clusterListen', 'clusterName', 'clusterNoAdvertise',
    'configFile', 'debug',
    'debugAndTrace', 'debugAndTraceVerbose',
    // Encryption at rest (issue #17).
    'encrypt', 'encryptionCipher', 'encryptionKey',
    // The FILE store (issue #5).
    'fileAutoSync', 'fileBufferSize', 'fileCompactEnabled', 'fileCompactFrag', 'fileCompactInterval',
    'fileCompactMinSize', 'fileCrc', 'fileCrcPoly', 'fileFdsLimit', 'fileParallelRecovery', 'fileReadBufferSize',
    'fileSliceArchiveScript', 'fileSliceMaxAge', 'fileSliceMaxBytes', 'fileSliceMaxMsgs', 'fileSync',
    'fileTruncateBadEof', 'filestoreDir',
    // Fault tolerance (issue #13).
    'ftGroupName',
    'help', 'helpTls', 'host', 'httpPort', 'httpsPort', 'ioBatchSize', 'logFile',
    'logJson', 'logSizeLimit', 'logtime', 'logtimeUtc', 'maxAge', 'maxBytes', 'maxChannels', 'maxInactivity', 'maxMsgs', 'maxSubs',
    'natsServerUrl', 'password', 'pidFile', 'port', 'remoteSyslog', 'replaceDurable', 'routes', 'secure', 'serverName',
    'signal', 'sqlBulkInsertLimit', 'sqlDriver', 'sqlMaxOpenConns', 'sqlNoCaching', 'sqlSource',
    'stanConfigFile', 'stanDebug', 'stanDebugAndTrace', 'stanTrace', 'storeType', 'syslog', 'syslogName',
    'tls', 'tlsCaCert', 'tlsCert', 'tlsClientCaCert', 'tlsClientCert', 'tlsClientKey', 'tlsKey', 'tlsVerify', 'token',
    'trace', 'traceVerbose', 'user', 'version',
  ]);
});

const forms = suite('cli/flags forms');

for (const spec of FLAGS) {
  for (const name of spec.names) {
    forms(`${name} (${spec.type}) -> ${spec.key}`, () => {
      const [text, value] = SAMPLES[spec.type];
      const cases: [string[], unknown][] =
        spec.type === 'bool'
          ? [
              [[`-${name}`], true],
              [[`--${name}`], true],
              [[`-${name}=false`], false],
              [[`--${name}=true`], true],
              [[`-${name}=0`], false],
              [[`--${name}=T`], true],
            ]
          : [
              [[`-${name}`, text], value],
              [[`-${name}=${text}`], value],
              [[`--${name}`, text], value],
              [[`--${name}=${text}`], value],
            ];
      for (const [argv, want] of cases) {
        const p = parseFlags(argv);
        assert.equal(p.values, { [spec.key]: want }, argv.join(' '));
        assert.equal([...p.set], [spec.key]);
        assert.is(p.given.get(spec.key), argv[0]!.split('=')[0]);
      }
    });
  }
}

forms('a bool flag never takes the next argument', () => {
  const p = parseFlags(['-D', '-p', '5']);
  assert.equal(p.values, { debug: true, port: 5 });
  fails(['-D', 'false'], 'unrecognized command: "false"');
});

forms('a value flag takes the next argument whatever it looks like', () => {
  assert.equal(parseFlags(['-cid', '-p']).values, { clusterId: '-p' });
  assert.equal(parseFlags(['--user=']).values, { user: '' });
  assert.equal(parseFlags(['--auth', 'a=b']).values, { token: 'a=b' });
});

forms('the last of repeated flags and aliases wins', () => {
  const p = parseFlags(['-p', '1', '--port', '2', '-a', 'x', '--net=y']);
  assert.equal(p.values, { port: 2, host: 'y' });
  assert.is(p.given.get('port'), '--port');
  assert.is(p.given.get('host'), '--net');
});

forms('flags end at --, at - and at the commands version and help', () => {
  assert.equal(parseFlags(['-p', '1', '--']).values, { port: 1 });
  fails(['--', '-p', '1'], 'unrecognized command: "-p"');
  fails(['-'], 'unrecognized command: "-"');
  assert.equal(parseFlags(['-p', '1', 'version']).values, { port: 1, version: true });
  assert.equal(parseFlags(['HELP', '-p', 'x']).values, { help: true });
});

forms('integers as strconv.ParseInt(s, 0, 64)', () => {
  const table: [string, number | undefined][] = [
    ['0', 0], ['42', 42], ['-7', -7], ['+7', 7], ['0x1F', 31], ['0X1f', 31], ['010', 8], ['0o17', 15],
    ['0b101', 5], ['1_000', 1000], ['0x_ff', 255], ['1.5', undefined], ['12a', undefined], ['', undefined],
    ['0x', undefined], ['09', undefined], ['_1', undefined], ['1__0', undefined], ['1_', undefined],
    ['9007199254740992', undefined], ['-9007199254740991', -9007199254740991],
  ];
  for (const [text, want] of table) assert.is(parseGoInt(text), want, text);
  assert.equal(parseFlags(['-p', '0x10']).values, { port: 16 });
});

forms('bools as strconv.ParseBool', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.is(parseFlags([`-D=${t}`]).values.debug, true);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.is(parseFlags([`-D=${f}`]).values.debug, false);
});

forms('durations in ms and sizes in bytes', () => {
  assert.equal(parseFlags(['-hbi', '500ms', '-ma', '24h', '-mi=1.5s']).values, {
    clientHbInterval: 500, maxAge: 86_400_000, maxInactivity: 1500,
  });
  assert.equal(parseFlags(['-mb', '1GB', '--file_buffer_size=1G', '--file_slice_max_bytes', '1024']).values, {
    maxBytes: 1073741824, fileBufferSize: 1_000_000_000, fileSliceMaxBytes: 1024,
  });
});

const errors = suite('cli/flags errors');

errors('unknown flags name the nearest valid one', () => {
  fails(['--prot', '5'], 'flag provided but not defined: --prot (did you mean --port?)');
  fails(['-cluster-id', 'x'], 'flag provided but not defined: -cluster-id (did you mean -cluster_id?)');
  fails(['--stan_debgu'], 'flag provided but not defined: --stan_debgu (did you mean --stan_debug?)');
  fails(['-Sd'], 'flag provided but not defined: -Sd (did you mean -SD?)');
  fails(['-x=1'], 'flag provided but not defined: -x (did you mean -a?)');
});

errors('missing values and bad values name the flag, the value and what was expected', () => {
  fails(['-p'], 'flag needs an argument: -p (expected an integer)');
  fails(['-D', '--hb_interval'], 'flag needs an argument: --hb_interval (expected a duration such as 500ms, 30s or 1h15m)');
  fails(['-mb'], 'flag needs an argument: -mb (expected a size such as 1024, 64MB or 1GB)');
  fails(['--user'], 'flag needs an argument: --user (expected a string)');
  fails(['-p', 'abc'], 'invalid value "abc" for flag -p: expected an integer');
  fails(['--port=4.5'], 'invalid value "4.5" for flag --port: expected an integer');
  fails(['-hbi', '5x'], 'invalid value "5x" for flag -hbi: expected a duration such as 500ms, 30s or 1h15m (time: unknown unit "x" in duration "5x")');
  fails(['-ma=1d'], 'invalid value "1d" for flag -ma: expected a duration such as 500ms, 30s or 1h15m (time: unknown unit "d" in duration "1d")');
  fails(['-hbt', '10'], 'invalid value "10" for flag -hbt: expected a duration such as 500ms, 30s or 1h15m (time: missing unit in duration "10")');
  fails(['-mb', '12QB'], 'invalid value "12QB" for flag -mb: expected a size such as 1024, 64MB or 1GB');
  fails(['--max_bytes=1.5GB'], 'invalid value "1.5GB" for flag --max_bytes: expected a size such as 1024, 64MB or 1GB');
  fails(['-D=maybe'], 'invalid value "maybe" for flag -D: expected a boolean (true, false, 1, 0, t, f)');
  fails(['--tls=yes'], 'invalid value "yes" for flag --tls: expected a boolean (true, false, 1, 0, t, f)');
});

errors('bad syntax and stray arguments', () => {
  fails(['---p', '1'], 'bad flag syntax: ---p');
  fails(['-=1'], 'bad flag syntax: -=1');
  fails(['serve'], 'unrecognized command: "serve"');
});

errors('nearestName prefers a case-only difference', () => {
  assert.is(nearestName('sd', ['SD', 's']), 'SD');
  assert.is(nearestName('abc', []), undefined);
});

const unsupported = suite('cli/flags unsupportedFlags');

unsupported('each unsupported flag given is reported as written', () => {
  for (const spec of FLAGS.filter((f) => !f.supported)) {
    const name = spec.names[spec.names.length - 1]!;
    const argv = spec.type === 'bool' ? [`--${name}`] : [`--${name}`, SAMPLES[spec.type][0]];
    const found = unsupportedFlags(parseFlags([...argv, '-p', '1']));
    assert.equal(found.map((u) => [u.flag, u.spec]), [[`--${name}`, spec]]);
  }
});

unsupported('supported flags and flags that only turn a feature off are not', () => {
  const supported = FLAGS.filter((f) => f.supported).flatMap((f) =>
    f.type === 'bool' ? [`-${f.names[0]}`] : [`-${f.names[0]}`, SAMPLES[f.type][0]],
  );
  assert.equal(unsupportedFlags(parseFlags(supported)), []);
  assert.equal(unsupportedFlags(parseFlags(['--clustered=false', '-l', '', '-SDV=false'])), []);
  assert.equal(unsupportedFlags(parseFlags(['-ft_group', 'x', '-p', '1', '--cluster_node_id', 'a'])).map((u) => u.flag), ['--cluster_node_id']);
});

const ignored = suite('cli/flags ignoredFlags');

ignored('--ack_subs (0.4.0 docs) is parsed as an int, listed as written, and a bad value is refused (issue #11)', () => {
  const p = parseFlags(['-p', '1', '--ack_subs', '0x10']);
  assert.equal(p.values, { port: 1, ackSubs: 16 });
  assert.equal(ignoredFlags(p), ['--ack_subs']);
  assert.equal(ignoredFlags(parseFlags(['-ack_subs=0'])), ['-ack_subs']);
  assert.equal(ignoredFlags(parseFlags(['-p', '1'])), []);
  assert.equal(unsupportedFlags(p), []);
  fails(['--ack_subs', 'many'], 'invalid value "many" for flag --ack_subs: expected an integer');
  fails(['-ack_subs=1.5'], 'invalid value "1.5" for flag -ack_subs: expected an integer');
  fails(['--ack_subs'], 'flag needs an argument: --ack_subs (expected an integer)');
});

ignored('only --ack_subs is ignored', () => {
  assert.equal(FLAGS.filter((f) => f.ignored).map((f) => f.key), ['ackSubs']);
});

const texts = suite('cli/flags help and version');

/**
 * `nats-streaming-server -h` of the Go binary (v0.24/0.25), after its first
 * three lines, plus the `--ack_subs` line of the 0.4.0 usage text (issue #11).
 */
const GO_USAGE = `Streaming Server Options:
    -cid, --cluster_id  <string>         Cluster ID (default: test-cluster)
    -st,  --store <string>               Store type: MEMORY|FILE|SQL (default: MEMORY)
          --dir <string>                 For FILE store type, this is the root directory
    -mc,  --max_channels <int>           Max number of channels (0 for unlimited)
    -msu, --max_subs <int>               Max number of subscriptions per channel (0 for unlimited)
    -mm,  --max_msgs <int>               Max number of messages per channel (0 for unlimited)
    -mb,  --max_bytes <size>             Max messages total size per channel (0 for unlimited)
    -ma,  --max_age <duration>           Max duration a message can be stored ("0s" for unlimited)
    -mi,  --max_inactivity <duration>    Max inactivity (no new message, no subscription) after which a channel can be garbage collected (0 for unlimited)
    -ns,  --nats_server <string>         Connect to this external NATS Server URL (embedded otherwise)
    -sc,  --stan_config <string>         Streaming server configuration file
    -hbi, --hb_interval <duration>       Interval at which server sends heartbeat to a client
    -hbt, --hb_timeout <duration>        How long server waits for a heartbeat response
    -hbf, --hb_fail_count <int>          Number of failed heartbeats before server closes the client connection
          --ack_subs <int>               Number of internal subscriptions handling incoming ACKs (0 means one per client's subscription)
          --ft_group <string>            Name of the FT Group. A group can be 2 or more servers with a single active server and all sharing the same datastore
    -sl,  --signal <signal>[=<pid>]      Send signal to nats-streaming-server process (stop, quit, reopen, reload - only for embedded NATS Server)
          --encrypt <bool>               Specify if server should use encryption at rest
          --encryption_cipher <string>   Cipher to use for encryption. Currently support AES and CHAHA (ChaChaPoly). Defaults to AES
          --encryption_key <string>      Encryption Key. It is recommended to specify it through the NATS_STREAMING_ENCRYPTION_KEY environment variable instead
          --replace_durable <bool>       Replace the existing durable subscription instead of reporting a duplicate durable error

Streaming Server Clustering Options:
    --clustered <bool>                     Run the server in a clustered configuration (default: false)
    --cluster_node_id <string>             ID of the node within the cluster if there is no stored ID (default: random UUID)
    --cluster_bootstrap <bool>             Bootstrap the cluster if there is no existing state by electing self as leader (default: false)
    --cluster_peers <string, ...>          Comma separated list of cluster peer node IDs to bootstrap cluster state
    --cluster_log_path <string>            Directory to store log replication data
    --cluster_log_cache_size <int>         Number of log entries to cache in memory to reduce disk IO (default: 512)
    --cluster_log_snapshots <int>          Number of log snapshots to retain (default: 2)
    --cluster_trailing_logs <int>          Number of log entries to leave after a snapshot and compaction
    --cluster_sync <bool>                  Do a file sync after every write to the replication log and message store
    --cluster_raft_logging <bool>          Enable logging from the Raft library (disabled by default)
    --cluster_allow_add_remove_node <bool> Enable the ability to send NATS requests to the leader to add/remove cluster nodes

Streaming Server File Store Options:
    --file_compact_enabled <bool>        Enable file compaction
    --file_compact_frag <int>            File fragmentation threshold for compaction
    --file_compact_interval <int>        Minimum interval (in seconds) between file compactions
    --file_compact_min_size <size>       Minimum file size for compaction
    --file_buffer_size <size>            File buffer size (in bytes)
    --file_crc <bool>                    Enable file CRC-32 checksum
    --file_crc_poly <int>                Polynomial used to make the table used for CRC-32 checksum
    --file_sync <bool>                   Enable File.Sync on Flush
    --file_slice_max_msgs <int>          Maximum number of messages per file slice (subject to channel limits)
    --file_slice_max_bytes <size>        Maximum file slice size - including index file (subject to channel limits)
    --file_slice_max_age <duration>      Maximum file slice duration starting when the first message is stored (subject to channel limits)
    --file_slice_archive_script <string> Path to script to use if you want to archive a file slice being removed
    --file_fds_limit <int>               Store will try to use no more file descriptors than this given limit
    --file_parallel_recovery <int>       On startup, number of channels that can be recovered in parallel
    --file_truncate_bad_eof <bool>       Truncate files for which there is an unexpected EOF on recovery, dataloss may occur
    --file_read_buffer_size <size>       Size of messages read ahead buffer (0 to disable)
    --file_auto_sync <duration>          Interval at which the store should be automatically flushed and sync'ed on disk (<= 0 to disable)

Streaming Server SQL Store Options:
    --sql_driver <string>            Name of the SQL Driver ("mysql" or "postgres")
    --sql_source <string>            Datasource used when opening an SQL connection to the database
    --sql_no_caching <bool>          Enable/Disable caching for improved performance
    --sql_max_open_conns <int>       Maximum number of opened connections to the database
    --sql_bulk_insert_limit <int>    Maximum number of messages stored with a single SQL "INSERT" statement

Streaming Server TLS Options:
    -secure <bool>                   Use a TLS connection to the NATS server without
                                     verification; weaker than specifying certificates.
    -tls_client_key <string>         Client key for the streaming server
    -tls_client_cert <string>        Client certificate for the streaming server
    -tls_client_cacert <string>      Client certificate CA for the streaming server

Streaming Server Logging Options:
    -SD, --stan_debug=<bool>         Enable STAN debugging output
    -SV, --stan_trace=<bool>         Trace the raw STAN protocol
    -SDV                             Debug and trace STAN
         --syslog_name               On Windows, when running several servers as a service, use this name for the event source
    (See additional NATS logging options below)

Embedded NATS Server Options:
    -a, --addr <string>              Bind to host address (default: 0.0.0.0)
    -p, --port <int>                 Use port for clients (default: 4222)
    -P, --pid <string>               File to store PID
    -m, --http_port <int>            Use port for http monitoring
    -ms,--https_port <int>           Use port for https monitoring
    -c, --config <string>            Configuration file

Logging Options:
    -l, --log <string>               File to redirect log output
    -T, --logtime=<bool>             Timestamp log entries (default: true)
    -s, --syslog <bool>              Enable syslog as log method
    -r, --remote_syslog <string>     Syslog server addr (udp://localhost:514)
    -D, --debug=<bool>               Enable debugging output
    -V, --trace=<bool>               Trace the raw protocol
    -DV                              Debug and trace

Authorization Options:
        --user <string>              User required for connections
        --pass <string>              Password required for connections
        --auth <string>              Authorization token required for connections

TLS Options:
        --tls=<bool>                 Enable TLS, do not verify clients (default: false)
        --tlscert <string>           Server certificate file
        --tlskey <string>            Private key for server certificate
        --tlsverify=<bool>           Enable TLS, verify client certificates
        --tlscacert <string>         Client certificate CA for verification

NATS Clustering Options:
        --routes <string, ...>       Routes to solicit and connect
        --cluster <string>           Cluster URL for solicited routes

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help.
`;

texts('-h prints the Go usage text exactly', () => {
  assert.fixture(usageText(), `\nUsage: nats-streaming-server [options]\n\n${GO_USAGE}\n`);
});

texts('the usage text lists every flag that has a usage line, in section order', () => {
  const text = usageText();
  let last = -1;
  for (const s of SECTIONS) {
    const at = text.indexOf(`\n${s.title}\n`);
    assert.ok(at > last, s.title);
    last = at;
  }
  for (const f of FLAGS) if (f.usage !== undefined) assert.ok(text.includes(`    ${f.usage}`), f.key);
});

texts('-v prints the Go format', () => {
  assert.is(versionText('0.1.0', '2.9.24'), 'nats-streaming-server version 0.1.0, nats-server: v2.9.24\n');
});

table.run();
forms.run();
errors.run();
unsupported.run();
ignored.run();
texts.run();

// Which configuration file is read for what (src/cli/config-files.ts;
// STAN-REFERENCE §7.1): -c, -sc, or both, and where their errors point.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfigFiles } from '../../src/cli/config-files.js';
import { parseFlags } from '../../src/cli/flags.js';

const files = suite('cli/config-files: -c, -sc, or both');
let dir = '';

files.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-files-'));
});
files.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadFails(args: string[], message: string | RegExp): void {
  try {
    loadConfigFiles(parseFlags(args));
  } catch (err) {
    if (typeof message === 'string') assert.is((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return;
  }
  assert.unreachable(`accepted: ${args.join(' ')}`);
}

files('-c only: its streaming block configures streaming, the rest the NATS server', () => {
  const c = file('c.conf', 'port: 4333\nauthorization { user: a, password: b }\nstreaming {\n  cluster_id: x\n  tls { client_cert: c }\n}\n');
  const l = loadConfigFiles(parseFlags(['-c', c]));
  assert.equal([l.natsFile, l.stanFile], [c, c]);
  assert.is(l.nats!.port, 4333);
  assert.equal(l.nats!.auth, { user: 'a', password: 'b' });
  assert.equal(l.stan!.values, { clusterId: 'x', tlsClientCert: 'c' });
  assert.is(l.stan!.sources.clusterId, `"cluster_id" (${c}:4:3)`);
});

files('-c only, no streaming block: its top-level streaming keys; top-level tls is the NATS server\'s', () => {
  const c = file('flat.conf', 'port: 4333\ncluster_id: x\nstore_limits { max_msgs: 5 }\ntls { cert_file: s.pem, key_file: k.pem }\n');
  const l = loadConfigFiles(parseFlags(['-c', c]));
  assert.is(l.nats!.tls!.cert, 's.pem');
  assert.equal(l.stan!.values, { clusterId: 'x', maxMsgs: 5 });
});

files('-sc only: the same file also configures the NATS server', () => {
  const sc = file('sc.conf', 'port: 4334\nstreaming { hb_fail_count: 2 }\n');
  const l = loadConfigFiles(parseFlags(['-sc', sc]));
  assert.equal([l.natsFile, l.stanFile], [sc, sc]);
  assert.is(l.nats!.port, 4334);
  assert.equal(l.stan!.values, { clientHbFailCount: 2 });
});

files('both: each file for its own part; streaming settings left in -c are an error', () => {
  const c = file('both-c.conf', 'port: 4335\n');
  const sc = file('both-sc.conf', 'cluster_id: y\ntls { client_key: k.pem }\n');
  const l = loadConfigFiles(parseFlags(['-c', c, '-sc', sc]));
  assert.is(l.nats!.port, 4335);
  assert.equal(l.stan!.values, { clusterId: 'y', tlsClientKey: 'k.pem' });
  const stray = file('stray-c.conf', 'port: 4335\n\nstreaming { id: z }\n');
  loadFails(['-c', stray, '-sc', sc],
    `${stray}:3:1: streaming: streaming options are read from the -sc file ${sc} when both -c and -sc are given; move it there`);
  // A -sc file of its own holds streaming keys only.
  const natsKey = file('nats-key-sc.conf', 'cluster_id: y\nport: 4222\n');
  loadFails(['-c', c, '-sc', natsKey], new RegExp(`^${natsKey.replace(/[.\\]/g, '\\$&')}:2:1: port: unknown key \\(did you mean "[a-z_]+"\\?\\)$`));
});

files('a syntax error names the file, line and column', () => {
  const sc = file('syntax-sc.conf', 'streaming {\n  store_limits {\n    max_msgs: [\n');
  loadFails(['-sc', sc], new RegExp(`^${sc.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `));
});

files.run();

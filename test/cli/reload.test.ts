// SIGHUP reload on a live server (issue 6; src/cli/reload.ts through
// bin/nats-streaming-server.js): a user's password and a channel's max_msgs
// changed in the -c and -sc files apply at once, a change that cannot apply
// at runtime is refused and logged, a file with an error keeps the running
// configuration; and a config file with a syntax error at startup exits 1
// with file:line:col before any datastore is touched.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, NatsError } from 'nats';
import { closeClient, publish, stanConnect, until } from '../helpers/stan.js';
import { ServerChild as Child } from '../helpers/server-child.js';

let dir = '';

function conf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const natsConf = (password: string, debug = false): string =>
  `# embedded NATS server\ndebug: ${debug}\nauthorization {\n  users: [\n    { user: alice, password: ${password} }\n  ]\n}\n`;

const stanConf = (maxMsgs: number, clusterId = 'test-cluster'): string =>
  `streaming {\n  cluster_id: ${clusterId}\n  store_limits {\n    channels {\n      foo: { max_msgs: ${maxMsgs} }\n    }\n  }\n}\n`;

async function login(port: number, pass: string): Promise<'ok' | 'refused'> {
  try {
    const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, user: 'alice', pass });
    await nc.close();
    return 'ok';
  } catch (err) {
    assert.instance(err, NatsError);
    assert.is((err as NatsError).code, 'AUTHORIZATION_VIOLATION');
    return 'refused';
  }
}

/** The sequences a new deliver-all subscription on `channel` receives, once `count` arrived. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function storedSeqs(sc: any, channel: string, count: number): Promise<number[]> {
  const seqs: number[] = [];
  const sub = sc.subscribe(channel, sc.subscriptionOptions().setDeliverAllAvailable());
  sub.on('message', (m: { getSequence(): number }) => seqs.push(m.getSequence()));
  await until(() => seqs.length >= count, `${count} messages on ${channel}`);
  sub.unsubscribe();
  return seqs;
}

const reload = suite('cli/reload SIGHUP');

reload.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-reload-'));
});
reload.after(() => rmSync(dir, { recursive: true, force: true }));

reload('a new password and a new channel limit apply to a live server (issue 6)', async () => {
  const c = conf('nats.conf', natsConf('pw1'));
  const sc = conf('stan.conf', stanConf(10));
  const r = new Child(['-c', c, '-sc', sc, '-p', '0', '-a', '127.0.0.1']);
  const port = await r.port();
  await r.waitFor(/\[INF\] Server is ready\n/);
  assert.is(await login(port, 'pw1'), 'ok');
  const client = await stanConnect(`nats://alice:pw1@127.0.0.1:${port}`, 'reloader');
  for (let i = 0; i < 15; i++) await publish(client, 'foo', `m${i}`);
  assert.equal(await storedSeqs(client, 'foo', 10), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

  conf('nats.conf', natsConf('pw2', true));
  conf('stan.conf', stanConf(3));
  let from = r.stderr.length;
  r.child.kill('SIGHUP');
  await r.waitFor(/\[INF\] Reloaded server configuration\n/, from);
  const log = r.stderr.slice(from);
  assert.ok(log.includes('[INF] Reloading server configuration\n'), log);
  assert.ok(log.includes('[INF] Reloaded: authorization (users changed: alice)\n'), log);
  assert.ok(log.includes('[INF] STREAM: Reloaded: store limits channel "foo" max_msgs: 10 -> 3\n'), log);
  assert.ok(log.includes('[INF] Reloaded: log levels (debug: false -> true)\n'), log);
  assert.not.match(log, /\[ERR\]/);

  assert.is(await login(port, 'pw1'), 'refused');
  assert.is(await login(port, 'pw2'), 'ok');
  // The streaming client logged in before keeps its connection; its channel was trimmed at once.
  assert.equal(await storedSeqs(client, 'foo', 3), [13, 14, 15]);
  await publish(client, 'foo', 'after');
  assert.equal(await storedSeqs(client, 'foo', 3), [14, 15, 16]);

  // What cannot change at runtime is refused, the rest still applies.
  conf('stan.conf', stanConf(5, 'other-cluster'));
  conf('nats.conf', `max_payload: 65536\n${natsConf('pw2', true)}`);
  from = r.stderr.length;
  r.child.kill('SIGHUP');
  await r.waitFor(/\[INF\] Reloaded server configuration\n/, from);
  const refusedLog = r.stderr.slice(from);
  assert.ok(refusedLog.includes(`[ERR] Reload refused: config key "cluster_id" (${sc}:2:3) cannot be changed at runtime ` +
    '("test-cluster" -> "other-cluster"); keeping "test-cluster"\n'), refusedLog);
  assert.ok(refusedLog.includes(`[ERR] Reload refused: config key "max_payload" (${c}:1:1) cannot be changed at runtime ` +
    '(1048576 -> 65536); keeping 1048576\n'), refusedLog);
  assert.ok(refusedLog.includes('[INF] STREAM: Reloaded: store limits channel "foo" max_msgs: 3 -> 5\n'), refusedLog);
  assert.is(await login(port, 'pw2'), 'ok');

  // A file with an error changes nothing and says where the error is.
  conf('nats.conf', natsConf('pw3', true));
  conf('stan.conf', 'streaming {\n  store_limits {\n    max_msgs: [\n');
  from = r.stderr.length;
  r.child.kill('SIGHUP');
  const failed = await r.waitFor(/\[ERR\] Failed to reload server configuration, keeping the current one: (.*)\n/, from);
  assert.match(failed[1]!, new RegExp(`^${sc.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `));
  assert.is(await login(port, 'pw3'), 'refused');
  assert.is(await login(port, 'pw2'), 'ok');

  await closeClient(client);
  r.child.kill('SIGINT');
  assert.equal(await r.exit(), { code: 0, signal: null });
});

reload('a syntax error at startup exits 1 with file:line:col and leaves the datastore alone', async () => {
  const data = join(dir, 'datastore');
  const sc = conf('bad-stan.conf', `store: file\ndir: "${data}"\nstore_limits {\n  max_msgs: = 5\n}\n`);
  const r = new Child(['-sc', sc, '-p', '0', '-a', '127.0.0.1']);
  assert.equal(await r.exit(), { code: 1, signal: null });
  assert.match(r.stderr, new RegExp(`^${sc.replace(/[.\\]/g, '\\$&')}:4:\\d+: .+\n$`));
  assert.is(r.stdout, '');
  assert.not.ok(existsSync(data), 'the datastore directory was created');
});

reload('an invalid value at startup names file:line:col, the key, the value and the rule', async () => {
  const sc = conf('value-stan.conf', 'streaming {\n  store_limits { max_msgs: -5 }\n}\n');
  const r = new Child(['-sc', sc, '-p', '0']);
  assert.equal(await r.exit(), { code: 1, signal: null });
  assert.is(r.stderr, `${sc}:2:18: store_limits.max_msgs: max messages limit cannot be negative (-5)\n`);
});

reload.run();

// Process control end to end (src/cli/signals.ts through main.ts): the -P
// pid file, SIGINT (exit 0) and SIGTERM (exit 143, as the Go server's
// signal.go), and -sl stop/quit/reopen against a live server found through
// its pid file, with the errors for a missing or wrong pid.

import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findServerPids, SIGNAL_COMMANDS } from '../../src/cli/signals.js';
import { runToEnd, ServerChild } from '../helpers/server-child.js';

let dir = '';

const sig = suite('cli/signals');

sig.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-sig-'));
});
sig.after.each(() => rmSync(dir, { recursive: true, force: true }));

async function started(args: string[]): Promise<ServerChild> {
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', ...args]);
  await s.waitFor(/\[INF\] Server is ready\n/);
  return s;
}

sig('-P writes the pid (no newline, as nats-server); SIGINT exits 0 and removes it', async () => {
  const pidFile = join(dir, 'nss.pid');
  const s = await started(['-P', pidFile]);
  assert.is(readFileSync(pidFile, 'utf8'), String(s.pid));
  s.child.kill('SIGINT');
  assert.equal(await s.exit(), { code: 0, signal: null });
  assert.ok(s.stderr.includes('[INF] Trapped "interrupt" signal\n'));
  assert.ok(s.stderr.includes('[INF] Server Exiting..\n'));
  assert.is(existsSync(pidFile), false);
});

sig('SIGTERM stops gracefully with exit code 143 and removes the pid file', async () => {
  const pidFile = join(dir, 'nss.pid');
  const s = await started(['--pid', pidFile]);
  s.child.kill('SIGTERM');
  assert.equal(await s.exit(), { code: 143, signal: null });
  assert.ok(s.stderr.includes('[INF] Trapped "terminated" signal\n'));
  assert.ok(s.stderr.includes('[INF] Server Exiting..\n'));
  assert.is(existsSync(pidFile), false);
});

sig('a pid file that cannot be written stops the start', async () => {
  const r = await runToEnd(['-p', '0', '-P', join(dir, 'no', 'such', 'dir.pid')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Could not write pidfile: ENOENT/);
});

sig('-sl quit with -P: the server stops as on SIGINT', async () => {
  const pidFile = join(dir, 'nss.pid');
  const s = await started(['-P', pidFile]);
  const r = await runToEnd(['-sl', 'quit', '-P', pidFile]);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  assert.equal(await s.exit(), { code: 0, signal: null });
  assert.ok(s.stderr.includes('[INF] Trapped "interrupt" signal\n'));
});

sig('-sl stop=PIDFILE kills the server (SIGKILL, as nats-server)', async () => {
  const pidFile = join(dir, 'nss.pid');
  const s = await started(['-P', pidFile]);
  const r = await runToEnd(['--signal', `stop=${pidFile}`]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(await s.exit(), { code: null, signal: 'SIGKILL' });
});

sig('-sl reopen=PID reopens the log file after a rename', async () => {
  const pidFile = join(dir, 'nss.pid');
  const log = join(dir, 'nss.log');
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-P', pidFile, '-l', log]);
  await s.waitForFile(log, /Server is ready\n/);
  renameSync(log, `${log}.1`);
  const r = await runToEnd(['-sl', `reopen=${s.pid}`]);
  assert.is(r.code, 0, r.stderr);
  await s.waitForFile(log, /\[INF\] STREAM: File log re-opened\n/);
  const q = await runToEnd(['-sl', `quit=${pidFile}`]);
  assert.is(q.code, 0, q.stderr);
  assert.equal(await s.exit(), { code: 0, signal: null });
  assert.match(readFileSync(log, 'utf8'), /File log re-opened\n[^]*Server Exiting\.\.\n$/);
  assert.not.match(readFileSync(`${log}.1`, 'utf8'), /re-opened/);
});

sig('-sl errors: no such process, invalid pid, unknown command, unreadable pid file', async () => {
  // A pid that existed and is gone (reuse this soon is unlikely).
  const gone = new ServerChild(['-v']);
  await gone.exit();
  const deadPid = gone.pid;
  const bad = join(dir, 'bad.pid');
  writeFileSync(bad, 'garbage');
  // Independent runs: started together, checked in order.
  const [dead, notPid, garbage, halt, missing, extra] = await Promise.all([
    runToEnd(['-sl', `quit=${deadPid}`]),
    runToEnd(['-sl', 'quit=not-a-pid']),
    runToEnd(['-sl', `quit=${bad}`]),
    runToEnd(['-sl', 'halt=1']),
    runToEnd(['-sl', 'quit', '-P', join(dir, 'missing.pid')]),
    runToEnd(['-sl', 'quit=1=2']),
  ]);
  assert.equal([dead.code, dead.stderr], [1, `unable to send signal quit (SIGINT) to process ${deadPid}: no such process\n`]);
  assert.equal([notPid.code, notPid.stderr], [1, 'invalid pid: not-a-pid\n']);
  assert.equal([garbage.code, garbage.stderr], [1, 'invalid pid: garbage\n']);
  assert.equal([halt.code, halt.stderr], [1, 'unknown signal "halt" (expected one of: stop, quit, reopen, reload, ldm, term)\n']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^unable to read pid file .*missing\.pid: ENOENT/);
  assert.equal([extra.code, extra.stderr], [1, 'invalid signal parameters: ["2"]\n']);
});

sig('without a pid, the running servers are found by their command line', async () => {
  const s = await started([]);
  assert.ok(findServerPids().includes(s.pid));
  s.child.kill('SIGINT');
  await s.exit();
  assert.not.ok(findServerPids().includes(s.pid));
});

sig("the commands map to nats-server's signals", () => {
  assert.equal(SIGNAL_COMMANDS, { stop: 'SIGKILL', quit: 'SIGINT', reopen: 'SIGUSR1', reload: 'SIGHUP', ldm: 'SIGUSR2', term: 'SIGTERM' });
});

sig.run();

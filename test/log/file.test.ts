// `-l FILE`: appending, reopening by name (logrotate: rename, then SIGUSR1,
// in process and with a real server process), and rotation by
// --log_size_limit as nats-server's fileLogger does it.

import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log/logger.js';
import { ServerChild } from '../helpers/server-child.js';

const PID = 77;
const T0 = new Date(2006, 0, 2, 15, 4, 5).getTime() * 1000;
let dir = '';

const file = suite('log/file');

file.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-log-'));
});
file.after.each(() => rmSync(dir, { recursive: true, force: true }));

file('-l appends to the file, in the Go format, mode 0640', async () => {
  const path = join(dir, 'server.log');
  writeFileSync(path, 'earlier\n');
  const log = createLogger({ logFile: path, pid: PID, clock: () => T0 });
  log.info('one');
  log.stan.info('STREAM: two');
  await log.close();
  assert.is(readFileSync(path, 'utf8'), 'earlier\n[77] 2006/01/02 15:04:05.000000 [INF] one\n[77] 2006/01/02 15:04:05.000000 [INF] STREAM: two\n');
  const fresh = join(dir, 'fresh.log');
  const log2 = createLogger({ logFile: fresh });
  log2.info('x');
  await log2.close();
  assert.is(statSync(fresh).mode & 0o777 & ~0o640, 0, 'no more than 0640');
});

file('a log file that cannot be opened is an error in nats-server words', () => {
  assert.throws(() => createLogger({ logFile: join(dir, 'missing', 'x.log') }), /^error opening file: ENOENT/);
});

file('reopen(): after a rename, new lines go to a new file at the same path', async () => {
  const path = join(dir, 'server.log');
  const log = createLogger({ logFile: path, pid: PID, logtime: false });
  log.info('before');
  renameSync(path, `${path}.1`);
  log.info('after rename, before reopen');
  assert.is(log.reopen(), true);
  log.info('after reopen');
  await log.close();
  assert.is(readFileSync(`${path}.1`, 'utf8'), '[77] [INF] before\n[77] [INF] after rename, before reopen\n');
  assert.is(readFileSync(path, 'utf8'), '[77] [INF] STREAM: File log re-opened\n[77] [INF] after reopen\n');
});

file('--log_size_limit: past the limit the file is renamed with a timestamp and a new one starts', async () => {
  const path = join(dir, 'server.log');
  const log = createLogger({ logFile: path, logSizeLimit: 300, pid: PID, logtime: false });
  const line = (i: number) => `line ${i} ${'x'.repeat(82)}`; // 101 bytes with "[77] [INF] " and "\n"
  for (let i = 0; i < 3; i++) log.info(line(i)); // 303 bytes: the third write rotates
  log.info(line(3));
  await log.close();
  const backups = readdirSync(dir).filter((n) => n !== 'server.log');
  assert.is(backups.length, 1);
  assert.match(backups[0]!, /^server\.log\.\d{4}\.\d\d\.\d\d\.\d\d\.\d\d\.\d\d\.\d{9}$/);
  const old = readFileSync(join(dir, backups[0]!), 'utf8');
  assert.is(old, [0, 1, 2].map((i) => `[77] [INF] ${line(i)}\n`).join(''));
  assert.is(
    readFileSync(path, 'utf8'),
    `[77] [INF] Rotated log, backup saved as ${JSON.stringify(join(dir, backups[0]!))}\n[77] [INF] ${line(3)}\n`,
  );
});

file('SIGUSR1 to a running server reopens -l (rename, signal, new file)', async () => {
  const path = join(dir, 'server.log');
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-l', path]);
  await s.waitForFile(path, /\[INF\] Server is ready\n/);
  renameSync(path, `${path}.1`);
  s.child.kill('SIGUSR1');
  await s.waitForFile(path, /\[INF\] STREAM: File log re-opened\n/);
  s.child.kill('SIGINT');
  assert.equal(await s.exit(), { code: 0, signal: null });
  const rotated = readFileSync(`${path}.1`, 'utf8');
  const fresh = readFileSync(path, 'utf8');
  assert.match(rotated, /\[INF\] Server is ready\n$/);
  assert.not.match(rotated, /re-opened|Exiting/);
  assert.match(fresh, /^\[\d+\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] STREAM: File log re-opened\n/);
  assert.match(fresh, /\[INF\] Trapped "interrupt" signal\n[^]*\[INF\] Server Exiting\.\.\n$/);
  assert.is(s.stderr, '', 'nothing on stderr with -l');
});

file.run();

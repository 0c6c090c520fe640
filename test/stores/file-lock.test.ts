// The FILE store's exclusive lock of its directory (src/stores/file/lock.ts):
// Store.lock() and recover() against another process (a node child holding
// the same directory) and against a second store of this process; and the
// pid-file fallback of a process without the addon.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { core } from '../../src/core/index.js';
import { FileStore } from '../../src/stores/file/index.js';
import { PidFileLock, type LockRefused } from '../../src/stores/file/lock.js';
import { StoreError } from '../../src/stores/store.js';
import { logLines, tempDir } from './file-helpers.js';

const t = suite('stores/file-lock');

const OS_LOCK = core().files !== undefined;
const LOCK_NAME = OS_LOCK ? '.rootdir.lck' : '.pid.lck';

/** A node process that tries `dir` through its own FileStore.lock() and says what it got; it ends with its stdin. */
async function tryLockIn(dir: string): Promise<{ child: ChildProcessWithoutNullStreams; said: string }> {
  const storeModule = new URL('../../src/stores/file/index.js', import.meta.url).href;
  const script = `
    const { FileStore } = await import(process.argv[1]);
    const store = new FileStore({ dir: process.argv[2] });
    process.stdout.write(String(await store.lock()) + '\\n');
    process.stdin.on('end', () => store.close().then(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, storeModule, dir], { stdio: 'pipe' });
  const said = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`the holder exited (${code}): ${out}`)));
  });
  return { child, said };
}

/** A node process holding `dir` through its own FileStore.lock(), until its stdin ends. */
async function holder(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const { child, said } = await tryLockIn(dir);
  assert.is(said, 'true', 'the holder took the lock');
  return child;
}

async function refusal(store: FileStore): Promise<string> {
  try {
    await store.recover();
  } catch (err) {
    assert.ok(err instanceof StoreError);
    return (err as Error).message;
  }
  throw new Error('recover() was not refused');
}

t('lock() is false while another process holds the directory, and recover() names it; free once it is gone', async () => {
  const dir = tempDir();
  const child = await holder(dir);
  const store = new FileStore({ dir, log: logLines() });
  try {
    assert.is(await store.lock(), false);
    assert.is(await store.lock(), false, 'asked again, without waiting');
    const m = await refusal(store);
    assert.match(m, `store directory "${dir}" is in use by another server (process ${child.pid}; lock file "${join(dir, LOCK_NAME)}")`);
  } finally {
    const gone = new Promise((r) => child.on('exit', r));
    child.stdin.end();
    await gone;
  }
  assert.is(await store.lock(), true);
  await store.recover();
  await store.close();
});

t('a second store of this process is refused, by lock() and recover(); free again after close', async () => {
  const dir = tempDir();
  const first = new FileStore({ dir });
  await first.recover();
  const second = new FileStore({ dir });
  try {
    assert.is(await second.lock(), false);
    assert.match(await refusal(second), `store directory "${dir}" is already in use by this server`);
    assert.is(await first.lock(), true, 'the holder still holds it');
  } finally {
    await first.close();
  }
  assert.is(await second.lock(), true);
  await second.recover();
  assert.is(await first.lock(), false, 'a closed store takes nothing');
  await second.close();
});

t('lock() then recover(): the lock is held once, released by close()', async () => {
  const dir = tempDir();
  const store = new FileStore({ dir });
  assert.is(await store.lock(), true);
  await store.recover();
  const other = new FileStore({ dir });
  assert.is(await other.lock(), false);
  await store.close();
  assert.is(await other.lock(), true);
  await other.close();
});

t('the lock file removed while held: lock() says so, locks a new one, and another process is kept out', async () => {
  const dir = tempDir();
  const log = logLines();
  const store = new FileStore({ dir, log });
  assert.is(await store.lock(), true);
  unlinkSync(join(dir, LOCK_NAME));
  assert.is(await store.lock(), true);
  assert.match(log.text(), `the store lock file "${join(dir, LOCK_NAME)}" was removed or replaced: locking it again`);
  assert.ok(existsSync(join(dir, LOCK_NAME)));
  const other = await tryLockIn(dir);
  const gone = new Promise((r) => other.child.on('exit', r));
  other.child.stdin.end();
  await gone;
  assert.is(other.said, 'false', 'another process got the new lock file');
  await store.close();
});

if (OS_LOCK) {
  t('the OS lock is the Go server\'s lock file, with our pid inside', async () => {
    const dir = tempDir();
    const store = new FileStore({ dir });
    await store.recover();
    assert.is(readFileSync(join(dir, '.rootdir.lck'), 'utf8'), `${process.pid}\n`);
    assert.not.ok(existsSync(join(dir, '.pid.lck')));
    await store.close();
  });
} else {
  t('without the addon the pid file guards the directory, with a warning', async () => {
    const dir = tempDir();
    const log = logLines();
    const store = new FileStore({ dir, log });
    await store.recover();
    assert.match(log.text(), /No OS file lock without the native addon/);
    assert.is(readFileSync(join(dir, '.pid.lck'), 'utf8'), `${process.pid}\n`);
    await store.close();
    assert.not.ok(existsSync(join(dir, '.pid.lck')));
  });
}

// ---------- the pid-file fallback ----------

t('pid file: a stale lock is taken over, and removed on release', () => {
  const dir = tempDir();
  const path = join(dir, '.pid.lck');
  // A lock left by a process that is gone.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(path, `${gone.stdout}\n`);
  const lock = PidFileLock.take(path, realpathSync(dir));
  assert.ok('release' in lock);
  assert.is(readFileSync(path, 'utf8'), `${process.pid}\n`);
  if ('release' in lock) lock.release();
  assert.not.ok(existsSync(path));
});

t('pid file: the lock of a live server process is respected', () => {
  const dir = tempDir();
  const path = join(dir, '.pid.lck');
  // Our parent (a node process) plays the other server.
  writeFileSync(path, `${process.ppid}\n`);
  const got = PidFileLock.take(path, realpathSync(dir)) as LockRefused;
  assert.equal(got, { path, byThisProcess: false, pid: process.ppid });
  assert.is(readFileSync(path, 'utf8'), `${process.ppid}\n`);
});

t.run();

// The store directory's exclusive lock (Store.lock; STAN-REFERENCE §8.1):
// the Go server's — an fcntl F_SETLK write lock on the whole of
// <dir>/.rootdir.lck (LockFileEx on Windows), taken through the addon
// without waiting and held until the store closes (or the process dies:
// the OS releases it, so there is no stale lock to clear). A Go server in
// FT mode and this one exclude each other.
//
// fcntl locks belong to the process: the OS would grant a second lock of
// the same file to this process, and closing any descriptor of it would
// drop the lock. A directory this process holds is therefore refused here
// (`held`), before the OS is asked.
//
// Without the addon (the WASM core: node has no fcntl/flock) or on a
// platform the addon has no lock for, the fallback is the pid file of
// earlier versions (.pid.lck, created exclusively; the lock of a process
// that is gone is stale and taken over), with a warning: it is advisory
// between servers of this implementation on the WASM core only, and
// invisible to the Go server and to servers on the native core.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { core, type NativeFileApi, type NativeLock } from '../../core/index.js';
import { LOCK_FILE, PID_LOCK_FILE } from './format.js';
import type { StoreLog } from './options.js';
import { StoreError } from '../store.js';

/** Directories this process holds (by real path). */
const held = new Set<string>();

export interface DirLock {
  readonly path: string;
  /**
   * Whether the lock file is still the one locked: a lock file removed (or
   * replaced) while held no longer excludes anyone, since another server
   * creates a new one and locks that.
   */
  intact(): boolean;
  release(): void;
}

/** Why the lock was not taken: this process has it, or another one (pid if known). */
export interface LockRefused {
  readonly path: string;
  readonly byThisProcess: boolean;
  readonly pid: number | undefined;
}

/**
 * The lock a file store holds on its directory: taken by recovery (or an
 * FT standby's lock()), checked while held, released on close.
 */
export class StoreDirLock {
  #held: DirLock | undefined;

  constructor(
    private readonly dir: string,
    private readonly log: StoreLog | undefined,
  ) {}

  /** The held lock, or takes it (creating the directory), or says who holds it. */
  take(): DirLock | LockRefused {
    if (this.#held !== undefined) return this.#held;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new StoreError(`unable to create the root directory [${this.dir}]: ${(err as Error).message}`);
    }
    const got = takeDirLock(this.dir, this.log);
    if ('release' in got) this.#held = got;
    return got;
  }

  /**
   * Whether it is held now. A lock file removed (or replaced) while held is
   * locked anew: false then means another server got in first.
   */
  check(): boolean {
    const held = this.#held;
    if (held !== undefined && !held.intact()) {
      this.log?.error(`STREAM: the store lock file "${held.path}" was removed or replaced: locking it again`);
      this.#held = undefined;
      held.release();
    }
    return !('byThisProcess' in this.take());
  }

  /** Takes it, or throws the store's error naming who holds it. */
  acquire(): void {
    const lock = this.take();
    if (!('byThisProcess' in lock)) return;
    if (lock.byThisProcess) throw new StoreError(`store directory "${this.dir}" is already in use by this server`);
    const who = lock.pid === undefined ? '' : `process ${lock.pid}; `;
    throw new StoreError(`store directory "${this.dir}" is in use by another server (${who}lock file "${lock.path}")`);
  }

  release(): void {
    this.#held?.release();
    this.#held = undefined;
  }
}

/** Takes the lock of `dir` (which exists), or says who holds it. Throws on I/O errors. */
export function takeDirLock(dir: string, log: StoreLog | undefined): DirLock | LockRefused {
  const key = realpathSync(dir);
  if (held.has(key)) return { path: join(dir, LOCK_FILE), byThisProcess: true, pid: process.pid };
  const files = core().files;
  let lock: DirLock | LockRefused | undefined;
  if (files !== undefined) lock = OsLock.take(files, join(dir, LOCK_FILE), key);
  if (lock === undefined) {
    log?.warn(
      `STREAM: No OS file lock without the native addon: the store directory is guarded by the pid file ` +
        `"${join(dir, PID_LOCK_FILE)}" only, which neither the Go server nor a server on the native core sees`,
    );
    lock = PidFileLock.take(join(dir, PID_LOCK_FILE), key);
  }
  if (!('release' in lock)) return lock;
  held.add(key);
  return lock;
}

class OsLock implements DirLock {
  #handle: NativeLock | undefined;
  /** The locked file's inode, to tell it from a new file of the same name. */
  readonly #ino: number;

  private constructor(
    private readonly files: NativeFileApi,
    handle: NativeLock,
    readonly path: string,
    private readonly key: string,
  ) {
    this.#handle = handle;
    this.#ino = inodeOf(path);
  }

  intact(): boolean {
    return this.#handle !== undefined && inodeOf(this.path) === this.#ino;
  }

  /** The lock, who holds it, or undefined where the OS has no lock (ENOTSUP). */
  static take(files: NativeFileApi, path: string, key: string): DirLock | LockRefused | undefined {
    let got: NativeLock | number;
    try {
      got = files.fileLock(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTSUP') return undefined;
      throw err;
    }
    if (typeof got === 'number') return { path, byThisProcess: false, pid: got > 0 ? got : undefined };
    return new OsLock(files, got, path, key);
  }

  release(): void {
    const h = this.#handle;
    if (h === undefined) return;
    this.#handle = undefined;
    held.delete(this.key);
    this.files.fileUnlock(h);
  }
}

/** The file's inode number, -1 when it cannot be read (removed). */
function inodeOf(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A reused pid: on Linux, only a node process can be one of ours.
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) {
    try {
      return readFileSync(cmdline, 'latin1').includes('node');
    } catch {
      return true;
    }
  }
  return true;
}

/**
 * The fallback: a file holding the owner's pid, created exclusively.
 * Known limit: two servers starting at the same instant on a directory
 * whose lock is stale can both remove it; the second to create it wins
 * and the first will not notice.
 */
export class PidFileLock implements DirLock {
  #released = false;

  private constructor(
    readonly path: string,
    private readonly key: string,
  ) {}

  static take(path: string, key: string): DirLock | LockRefused {
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return new PidFileLock(path, key);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // Removed meanwhile: try again.
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        return { path, byThisProcess: false, pid };
      }
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  }

  intact(): boolean {
    try {
      return !this.#released && Number.parseInt(readFileSync(this.path, 'utf8'), 10) === process.pid;
    } catch {
      return false;
    }
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    held.delete(this.key);
    try {
      if (Number.parseInt(readFileSync(this.path, 'utf8'), 10) === process.pid) unlinkSync(this.path);
    } catch {
      // Nothing to release.
    }
  }
}

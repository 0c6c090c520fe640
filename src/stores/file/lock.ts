// The store directory's lock against a second server: a file holding the
// owner's pid, created exclusively. A lock whose process is gone (a crash,
// kill -9) is stale and taken over. Node has no flock(), so this is
// advisory between servers of this implementation; FT mode's fcntl lock
// on .rootdir.lck (STAN-REFERENCE §8.1) is separate and comes later.
// Known limit: two servers starting at the same instant on a directory
// whose lock is stale can both remove it; the second to create it wins and
// the first will not notice.

import { closeSync, existsSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../store.js';
import { LOCK_FILE } from './format.js';

/** Directories this process holds (a second open in-process is refused too). */
const held = new Set<string>();

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

export class DirLock {
  #released = false;

  private constructor(
    readonly path: string,
    readonly key: string,
  ) {}

  /** Takes the lock of `dir` (which exists) or throws StoreError naming its owner. */
  static take(dir: string): DirLock {
    const key = realpathSync(dir);
    const path = join(dir, LOCK_FILE);
    if (held.has(key)) throw new StoreError(`store directory "${dir}" is already in use by this server`);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        held.add(key);
        return new DirLock(path, key);
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
        throw new StoreError(
          `store directory "${dir}" is in use by another server (process ${pid}; lock file "${path}")`,
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
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

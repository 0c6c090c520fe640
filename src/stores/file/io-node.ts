// The FILE store's I/O through node:fs, for a process with only the WASM
// core: writes with positional writev on the event loop, fdatasync/fsync
// and batch reads on libuv's thread pool, the same bytes as the native
// backend.

import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsync,
  ftruncateSync,
  open,
  openSync,
  read,
  readSync,
  writeSync,
  writevSync,
} from 'node:fs';
import type { FileIo, StoreFile } from './io.js';

class NodeStoreFile implements StoreFile {
  /** -1 once closed. */
  fd: number;
  /** Syncs and reads running on the fd: it is closed only once they are done (fd numbers are reused). */
  busy = 0;
  #closeWhenIdle = false;

  constructor(fd: number) {
    this.fd = fd;
  }

  write(views: readonly Uint8Array[], pos: number): number {
    const fd = this.#open();
    let done = 0;
    // writev may write less than asked (signals, limits): go on from there.
    let rest: readonly Uint8Array[] = views;
    while (rest.length > 0) {
      const w = rest.length === 1 ? writeSync(fd, rest[0]!, 0, rest[0]!.length, pos + done) : writevSync(fd, rest as Uint8Array[], pos + done);
      done += w;
      rest = skipBytes(rest, w);
    }
    return done;
  }

  read(buf: Uint8Array, off: number, len: number, pos: number): number {
    const fd = this.#open();
    let got = 0;
    while (got < len) {
      const r = readSync(fd, buf, off + got, len - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    return got;
  }

  readAsync(buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
    let fd: number;
    try {
      fd = this.#open();
    } catch (err) {
      return Promise.reject(err);
    }
    // The fd stays open until the read is done (see released()).
    this.busy++;
    return new Promise<number>((resolve, reject) => {
      let got = 0;
      const next = (): void => {
        if (got === len) return done(null);
        read(fd, buf, off + got, len - got, pos + got, (err, n) => {
          if (err) return done(err);
          if (n === 0) return done(null);
          got += n;
          next();
        });
      };
      const done = (err: NodeJS.ErrnoException | null): void => {
        this.released();
        if (err) reject(err);
        else resolve(got);
      };
      next();
    });
  }

  size(): number {
    return fstatSync(this.#open()).size;
  }

  truncate(len: number): void {
    ftruncateSync(this.#open(), len);
  }

  datasyncNow(): void {
    fdatasyncSync(this.#open());
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.busy > 0) {
      this.#closeWhenIdle = true;
      return;
    }
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }

  /** A sync or read finished: close now if close() was called meanwhile. */
  released(): void {
    if (--this.busy === 0 && this.#closeWhenIdle) {
      this.#closeWhenIdle = false;
      this.close();
    }
  }

  #open(): number {
    if (this.fd < 0 || this.#closeWhenIdle) throw badFd();
    return this.fd;
  }
}

function badFd(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('EBADF: bad file descriptor, the file is closed');
  e.code = 'EBADF';
  return e;
}

export class NodeIo implements FileIo {
  readonly kind = 'node' as const;

  open(path: string, create: boolean): StoreFile {
    return new NodeStoreFile(openSync(path, create ? 'wx+' : 'r+'));
  }

  async sync(files: readonly StoreFile[], dirs: readonly string[], dataOnly: boolean): Promise<void> {
    await Promise.all(files.map((f) => syncFile(f as NodeStoreFile, dataOnly)));
    await Promise.all(dirs.map(syncDir));
  }
}

function syncFile(f: NodeStoreFile, dataOnly: boolean): Promise<void> {
  if (f.fd < 0) return Promise.reject(badFd());
  f.busy++;
  return new Promise<void>((resolve, reject) =>
    (dataOnly ? fdatasync : fsync)(f.fd, (err) => {
      f.released();
      if (err) reject(err);
      else resolve();
    }),
  );
}

/** fsync of a directory, so new or renamed entries in it survive a crash. */
function syncDir(dir: string): Promise<void> {
  return new Promise((resolve, reject) =>
    open(dir, 'r', (err, fd) => {
      if (err) return err.code === 'ENOENT' ? resolve() : reject(err);
      fsync(fd, (e) => close(fd, () => (e && e.code !== 'EINVAL' ? reject(e) : resolve())));
    }),
  );
}

/** The views after the first n bytes. */
function skipBytes(views: readonly Uint8Array[], n: number): readonly Uint8Array[] {
  let i = 0;
  while (i < views.length && n >= views[i]!.length) n -= views[i++]!.length;
  if (i === views.length) return [];
  const rest = views.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}

// One file of the FILE store as the writer sees it: records are encoded
// straight into the file's own pending chunks (so one file's records are
// contiguous in memory and go out with one positional writev per batch),
// `written` counts the bytes handed to the OS, and reads are positional.
//
// A chunk is never written into again once a byte of it has gone out, and
// never reused: views into it (the message cache keeps some) stay valid for
// as long as they are held.

import {
  closeSync,
  ftruncateSync,
  fstatSync,
  openSync,
  readSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { versionHeader, VERSION_SIZE } from './format.js';

/** Size of a pending chunk; a larger record gets a chunk of its own. */
export const CHUNK_SIZE = 128 * 1024;

export class AppendFile {
  readonly path: string;
  /** -1 while closed; reopened on use. */
  fd: number;
  /** Bytes handed to the OS (the file's size on disk). */
  written: number;
  /** The chunk records are being encoded into, and its fill. */
  buf: Buffer = EMPTY;
  #used = 0;
  /** Start of the bytes of `buf` not written yet. */
  #pendingStart = 0;
  /** Full chunks (as views) waiting to be written, oldest first. */
  #full: Buffer[] = [];
  #fullBytes = 0;
  /** Async operations (fsync) using the fd: it must not be closed under them. */
  busy = 0;
  /** The commit making this file's written bytes durable, while it runs. */
  syncing: Promise<void> | undefined;
  /** Written and not fsynced yet. */
  unsynced = false;
  /** Deleted (channel or slice removed): errors of late operations are ignored. */
  dead = false;
  /** Created by this process: its directory entry needs an fsync too. */
  isNew = false;
  /** Last use (ms), for closing idle files. */
  lastUsed = 0;

  private constructor(path: string, fd: number, size: number) {
    this.path = path;
    this.fd = fd;
    this.written = size;
  }

  /** Creates a new file with its version header (fails if it exists). */
  static create(path: string): AppendFile {
    const fd = openSync(path, 'wx+');
    writeSync(fd, versionHeader(), 0, VERSION_SIZE, 0);
    const f = new AppendFile(path, fd, VERSION_SIZE);
    f.isNew = true;
    return f;
  }

  /** Opens an existing file read-write; its size is taken from the disk. */
  static open(path: string): AppendFile {
    const fd = openSync(path, 'r+');
    return new AppendFile(path, fd, fstatSync(fd).size);
  }

  get dir(): string {
    return dirname(this.path);
  }

  /** Bytes waiting to be written. */
  get pendingBytes(): number {
    return this.#fullBytes + this.#used - this.#pendingStart;
  }

  /** The file's size once everything pending is written. */
  get size(): number {
    return this.written + this.pendingBytes;
  }

  /**
   * Room for `n` bytes at the end of the pending data: returns their
   * position in `this.buf`; write them there, then call added(n).
   */
  reserve(n: number): number {
    if (this.#used + n > this.buf.length) {
      if (this.#used > this.#pendingStart) {
        this.#full.push(this.buf.subarray(this.#pendingStart, this.#used));
        this.#fullBytes += this.#used - this.#pendingStart;
      }
      this.buf = Buffer.allocUnsafeSlow(Math.max(CHUNK_SIZE, n));
      this.#used = 0;
      this.#pendingStart = 0;
    }
    return this.#used;
  }

  /** The n reserved bytes are filled: returns their offset in the file. */
  added(n: number): number {
    const at = this.size;
    this.#used += n;
    return at;
  }

  /** Appends bytes (copied). Returns their offset in the file. */
  append(bytes: Uint8Array): number {
    const p = this.reserve(bytes.length);
    this.buf.set(bytes, p);
    return this.added(bytes.length);
  }

  /** Forgets everything pending (the file is being replaced or removed). */
  dropPending(): void {
    this.#full = [];
    this.#fullBytes = 0;
    this.#pendingStart = this.#used;
  }

  /** Writes everything pending with one positional writev; returns the byte count. */
  writePending(): number {
    const n = this.pendingBytes;
    if (n === 0) return 0;
    const views = this.#full;
    if (this.#used > this.#pendingStart) views.push(this.buf.subarray(this.#pendingStart, this.#used));
    this.#full = [];
    this.#fullBytes = 0;
    this.#pendingStart = this.#used;
    const fd = this.ensureOpen();
    let pos = this.written;
    let done = 0;
    // writev may write less than asked (signals, limits): go on from there.
    let rest: Buffer[] = views;
    while (rest.length > 0) {
      const w = rest.length === 1 ? writeSync(fd, rest[0]!, 0, rest[0]!.length, pos) : writevSync(fd, rest, pos);
      pos += w;
      done += w;
      rest = skipBytes(rest, w);
    }
    this.written = pos;
    this.unsynced = true;
    return done;
  }

  ensureOpen(): number {
    if (this.fd < 0) this.fd = openSync(this.path, 'r+');
    this.lastUsed = Date.now();
    return this.fd;
  }

  /** Reads up to len bytes at pos (positional); returns how many were read. */
  read(into: Buffer, at: number, len: number, pos: number): number {
    const fd = this.ensureOpen();
    let got = 0;
    while (got < len) {
      const r = readSync(fd, into, at + got, len - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    return got;
  }

  /** Cuts the file (and what this process counts as written) at `len`. */
  truncate(len: number): void {
    ftruncateSync(this.ensureOpen(), len);
    this.written = len;
  }

  /** Closes the fd unless an async operation uses it; true if closed (or already). */
  closeIfIdle(): boolean {
    if (this.fd < 0) return true;
    if (this.busy > 0 || this.unsynced || this.pendingBytes > 0) return false;
    closeSync(this.fd);
    this.fd = -1;
    return true;
  }

  /** Closes the fd now (callers make sure late async results are ignored, see `dead`). */
  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } finally {
      this.fd = -1;
    }
  }

  /** Swaps in a new fd for the same path (after a compaction renamed a new file over it). */
  replaceFd(fd: number, size: number): void {
    this.close();
    this.fd = fd;
    this.written = size;
  }
}

const EMPTY = Buffer.alloc(0);

/** Gives an empty file its version header. */
export function writeHeader(f: AppendFile): void {
  writeSync(f.ensureOpen(), versionHeader(), 0, VERSION_SIZE, 0);
  f.written = VERSION_SIZE;
}

/** The views after the first n bytes. */
function skipBytes(views: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < views.length && n >= views[i]!.length) n -= views[i++]!.length;
  if (i === views.length) return [];
  const rest = views.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}

// One file of the FILE store as the writer sees it: records are encoded
// straight into the file's own pending chunks (so one file's records are
// contiguous in memory and go out with one positional writev per batch),
// `written` counts the bytes handed to the OS, and reads are positional.
// The I/O itself goes through io.ts (the Rust addon, or node:fs).
//
// A chunk is never written into again once a byte of it has gone out, and
// never reused: views into it (the message cache keeps some) stay valid for
// as long as they are held.

import { dirname } from 'node:path';
import { core } from '../../core/index.js';
import { versionHeader, VERSION_SIZE } from './format.js';
import { fileIo, type StoreFile } from './io.js';

/** Size of a pending chunk; a larger record gets a chunk of its own. */
export const CHUNK_SIZE = 128 * 1024;
/** Checksums owed (see sealLater) past which they are computed at once rather than kept. */
const MAX_OWED = 4096;

export class AppendFile {
  readonly path: string;
  /** Undefined while closed; reopened on use. */
  #file: StoreFile | undefined;
  /** Bytes handed to the OS (the file's size on disk). */
  written: number;
  /** The chunk records are being encoded into, and its fill. */
  buf: Buffer = EMPTY;
  #used = 0;
  /** Start of the bytes of `buf` not written yet. */
  #pendingStart = 0;
  /**
   * Checksums owed by records in `buf`: (at, start, end) triples, computed
   * by one core call (crc32Seal) before the chunk is written or left
   * behind, instead of one boundary crossing per record.
   */
  #owed: Uint32Array = NO_SPANS;
  #nOwed = 0;
  #poly = 0;
  /** Full chunks (as views) waiting to be written, oldest first. */
  #full: Buffer[] = [];
  #fullBytes = 0;
  /**
   * Bytes written since the last sync that succeeded, from `#keptFrom`:
   * a failed commit (a full disk, a failed fsync) rewinds to there and
   * writes them again once the disk takes them (rewind()).
   */
  #kept: Uint8Array[] = [];
  #keptFrom: number;
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

  private constructor(path: string, file: StoreFile, size: number) {
    this.path = path;
    this.#file = file;
    this.written = size;
    this.#keptFrom = size;
  }

  /** Creates a new file with its version header (fails if it exists). */
  static create(path: string): AppendFile {
    const file = fileIo().open(path, true);
    file.write([versionHeader()], 0);
    const f = new AppendFile(path, file, VERSION_SIZE);
    f.isNew = true;
    return f;
  }

  /** Opens an existing file read-write; its size is taken from the disk. */
  static open(path: string): AppendFile {
    const file = fileIo().open(path, false);
    return new AppendFile(path, file, file.size());
  }

  /** Whether the file is open now (it is reopened on use). */
  get isOpen(): boolean {
    return this.#file !== undefined;
  }

  /** The open file, for the committer's sync (undefined while closed). */
  get openFile(): StoreFile | undefined {
    return this.#file;
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
      this.#sealOwed();
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

  /**
   * The CRC-32 (polynomial `poly`) of buf[start, end) is to be written at
   * buf[at], little-endian: done, with the others owed, before these bytes
   * are written. Positions are in the current `buf`.
   */
  sealLater(at: number, start: number, end: number, poly: number): void {
    if (this.#nOwed > 0 && poly !== this.#poly) this.#sealOwed();
    this.#poly = poly;
    let i = this.#nOwed * 3;
    if (i === this.#owed.length) {
      if (this.#nOwed >= MAX_OWED) {
        this.#sealOwed();
        i = 0;
      } else {
        const bigger = new Uint32Array(Math.max(48, this.#owed.length * 2));
        bigger.set(this.#owed);
        this.#owed = bigger;
      }
    }
    const o = this.#owed;
    o[i] = at;
    o[i + 1] = start;
    o[i + 2] = end;
    this.#nOwed++;
  }

  #sealOwed(): void {
    if (this.#nOwed === 0) return;
    core().crc32Seal(this.buf, this.#owed, this.#nOwed, this.#poly);
    this.#nOwed = 0;
  }

  /** Appends bytes (copied). Returns their offset in the file. */
  append(bytes: Uint8Array): number {
    const p = this.reserve(bytes.length);
    this.buf.set(bytes, p);
    return this.added(bytes.length);
  }

  /** Forgets everything pending (the file is being replaced or removed). */
  dropPending(): void {
    this.#nOwed = 0;
    this.#full = [];
    this.#fullBytes = 0;
    this.#pendingStart = this.#used;
  }

  /** Writes everything pending with one positional write; returns the byte count. */
  writePending(): number {
    const n = this.pendingBytes;
    if (n === 0) return 0;
    this.#sealOwed();
    const views = this.#full;
    if (this.#used > this.#pendingStart) views.push(this.buf.subarray(this.#pendingStart, this.#used));
    this.#full = [];
    this.#fullBytes = 0;
    this.#pendingStart = this.#used;
    let done: number;
    try {
      done = this.#open().write(views, this.written);
    } catch (err) {
      // Still pending: the next attempt writes them again at the same place.
      this.#full = views;
      this.#fullBytes = n;
      throw err;
    }
    for (const v of views) this.#kept.push(v);
    this.written += done;
    this.unsynced = true;
    return done;
  }

  /** Everything written so far is durable (a sync succeeded, or no sync is asked for). */
  synced(): void {
    this.#kept = [];
    this.#keptFrom = this.written;
  }

  /**
   * After a failed commit: what was written since the last successful
   * sync is pending again, in front of the rest, and the file is cut
   * back to there (a short write or a failed fsync left it unsure), so
   * the next commit writes it all again.
   */
  rewind(): void {
    if (this.dead) {
      this.#kept = [];
      return;
    }
    this.#open().truncate(this.#keptFrom);
    let bytes = 0;
    for (const v of this.#kept) bytes += v.length;
    this.#full = [...(this.#kept as Buffer[]), ...this.#full];
    this.#fullBytes += bytes;
    this.#kept = [];
    this.written = this.#keptFrom;
    this.unsynced = false;
  }

  #open(): StoreFile {
    this.#file ??= fileIo().open(this.path, false);
    this.lastUsed = Date.now();
    return this.#file;
  }

  /** Reads up to len bytes at pos (positional); returns how many were read. */
  read(into: Uint8Array, at: number, len: number, pos: number): number {
    return this.#open().read(into, at, len, pos);
  }

  /**
   * read() off the event loop (`into` is the backend's until it settles).
   * A deleted file is not reopened: that read fails with ENOENT.
   */
  readAsync(into: Uint8Array, at: number, len: number, pos: number): Promise<number> {
    try {
      if (this.dead && this.#file === undefined) throw gone(this.path);
      return this.#open().readAsync(into, at, len, pos);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Writes bytes at pos directly (recovery's rewrites), bypassing the pending chunks. */
  writeAt(bytes: Uint8Array, pos: number): void {
    this.#open().write([bytes], pos);
    this.written = Math.max(this.written, pos + bytes.length);
    this.#keptFrom = this.written;
  }

  /** Cuts the file (and what this process counts as written) at `len`. */
  truncate(len: number): void {
    this.#open().truncate(len);
    this.written = len;
    this.#keptFrom = len;
  }

  /** fdatasync on the event loop (recovery only). */
  datasyncNow(): void {
    this.#open().datasyncNow();
  }

  /** Closes the file unless it holds data not yet durable; true if closed (or already). */
  closeIfIdle(): boolean {
    if (this.#file === undefined) return true;
    if (this.unsynced || this.pendingBytes > 0) return false;
    this.close();
    return true;
  }

  /**
   * Closes the file now (callers make sure late async results are ignored,
   * see `dead`; a sync in flight keeps the OS file open until it is done).
   */
  close(): void {
    const f = this.#file;
    if (f === undefined) return;
    this.#file = undefined;
    f.close();
  }

  /** Swaps in a new file for the same path (after a compaction renamed a new file over it). */
  replaceFile(file: StoreFile, size: number): void {
    this.close();
    this.#file = file;
    this.written = size;
    this.synced();
  }
}

function gone(path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOENT: the file was deleted, read '${path}'`);
  e.code = 'ENOENT';
  return e;
}

const EMPTY = Buffer.alloc(0);
const NO_SPANS = new Uint32Array(0);

/** Gives an empty file its version header. */
export function writeHeader(f: AppendFile): void {
  f.writeAt(versionHeader(), 0);
  f.written = VERSION_SIZE;
}

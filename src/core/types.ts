// The interface of the Rust core, implemented by the N-API addon
// (native.ts) and the WASM build (wasm.ts). Callers see only this.

import type { SubjectCheckCode } from './ops.js';

export type CoreKind = 'native' | 'wasm';

/** A NATS protocol parser for one connection (see ops.ts for records). */
export interface ProtocolParser {
  /**
   * Header and records of the last parse. Offsets index the chunk passed
   * to parse(), or carry() for records with FLAG_CARRY. Valid until the
   * next parse() of any parser of the same core: they share one array.
   */
  readonly ops: Uint32Array;
  /** Parses a whole chunk; returns the number of records. */
  parse(chunk: Uint8Array): number;
  /** A copy of the bytes of the last op that spanned chunks. */
  carry(): Buffer;
  /** Forgets any partial op. */
  reset(): void;
  setLimits(maxControlLine: number, maxPayload: number): void;
  /** Route mode: RS+, RS- and RMSG are ops; HMSG and MSG take the routed arguments. */
  setRoute(on: boolean): void;
  /** Frees it now rather than when it is collected; it must not be used after. */
  dispose(): void;
}

/** nats-server's SublistStats, the JSON of /subsz. */
export interface SublistStats {
  num_subscriptions: number;
  num_cache: number;
  num_inserts: number;
  num_removes: number;
  num_matches: number;
  cache_hit_rate: number;
  max_fanout: number;
  avg_fanout: number;
}

/** The subject trie. Subscriptions are ids chosen by the caller. */
export interface Sublist {
  insert(subject: string, queue: string | null, id: number): SubjectCheckCode;
  /** False if it was not there. */
  remove(subject: string, queue: string | null, id: number): boolean;
  /**
   * Matching ids as `[nPlain, ...ids, nGroups, (nMembers, ...ids)*]`.
   * The view is valid until the next match on this sublist.
   */
  match(subject: string): Uint32Array;
  /** Changes on every insert and remove: guards caches of match results. */
  genid(): number;
  stats(): SublistStats;
}

/** An open file of the native FILE-store I/O (opaque). */
export type NativeFile = object;

/**
 * The FILE store's file I/O in the addon (native only; the WASM build has
 * no file system and the store uses node:fs instead). Failures throw, or
 * reject, Errors shaped like node:fs's (`code`, `ENOENT: ..., open '/p'`).
 */
export interface NativeFileApi {
  /** create: a new file, failing if it exists (`wx+`); else an existing one (`r+`). */
  fileOpen(path: string, create: boolean): NativeFile;
  /** Writes the views back to back at pos, all of them (one pwritev); returns the byte count. */
  fileWrite(f: NativeFile, views: readonly Uint8Array[], pos: number): number;
  /** Reads into buf[off, off+len) from pos; fewer bytes only at end of file. */
  fileRead(f: NativeFile, buf: Uint8Array, off: number, len: number, pos: number): number;
  fileSize(f: NativeFile): number;
  fileTruncate(f: NativeFile, len: number): void;
  /** fdatasync on the calling thread. */
  fileDatasync(f: NativeFile): void;
  /** Closes; a sync in flight keeps the descriptor until it is done. */
  fileClose(f: NativeFile): void;
  /** fdatasync (fsync if !dataOnly) each file, then fsync each directory, on a worker thread. */
  fileSync(files: readonly NativeFile[], dirs: readonly string[], dataOnly: boolean): Promise<void>;
  /**
   * fileRead on a worker thread: resolves to the bytes read. `buf` must be
   * left alone (not read, written or transferred) until it settles.
   */
  fileReadAsync(f: NativeFile, buf: Uint8Array, off: number, len: number, pos: number): Promise<number>;
  /**
   * The exclusive OS lock of `path` (fcntl F_SETLK / LockFileEx, created if
   * missing), without waiting: a lock, or the pid of the process holding it
   * (0 if the OS does not say). Throws ENOTSUP where there is no OS lock.
   */
  fileLock(path: string): NativeLock | number;
  /** Releases a lock (dropping the last reference to it does too). */
  fileUnlock(l: NativeLock): void;
}

/** A held lock of NativeFileApi.fileLock (opaque). */
export type NativeLock = object;

export interface Core {
  readonly kind: CoreKind;
  /** The FILE store's native file I/O, when this core has one. */
  readonly files?: NativeFileApi;
  newParser(maxControlLine: number, maxPayload: number): ProtocolParser;
  newSublist(cache?: boolean): Sublist;
  /** Subject validity: for SUB (`wildcards`) or for PUB (literal only). */
  isValidSubject(subject: string, wildcards: boolean): boolean;
  /** Go's crc32.Update(crc, MakeTable(poly), data). */
  crc32(data: Uint8Array, crc?: number, poly?: number): number;
  /**
   * Checksums many records of one buffer in one call: for each of the
   * first `count` triples (at, start, end) of `spans`, writes the CRC-32
   * of buf[start, end) little-endian at buf[at]. Throws, writing nothing,
   * if a span is outside the buffer.
   */
  crc32Seal(buf: Uint8Array, spans: Uint32Array, count: number, poly: number): void;
  /**
   * A zeroed Buffer of `bytes` rounded up to 2 MiB, in transparent huge
   * pages where the OS gives them (native/src/huge_pages.rs): memory that
   * faults in once per 2 MiB instead of once per 4 KiB page. Undefined
   * where this core has none (WASM, platforms without the mapping).
   */
  hugeAlloc?(bytes: number): Buffer | undefined;
  /**
   * Tells V8 of `delta` bytes of memory it does not see (negative: no
   * longer there), to pace its garbage collector: the MEMORY store's
   * dropped SharedArrayBuffer chunks (stores/memory/arena.ts). Returns V8's
   * external total. Undefined where this core has none (WASM).
   */
  adjustExternalMemory?(delta: number): number;
  /**
   * Asks the kernel to run the calling thread in time slices of `ns`
   * (100000-100000000): an EEVDF custom slice, Linux 6.12+
   * (native/src/sched_slice.rs). 0 when in place; a positive errno when
   * refused; -1 not Linux x86-64/aarch64; -2 the thread has a policy of
   * the operator's (left alone); -3 the kernel keeps no custom slice.
   * Undefined where this core has none (WASM).
   */
  requestSlice?(ns: number): number;
}

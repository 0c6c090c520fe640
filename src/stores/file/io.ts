// The FILE store's file I/O, behind one interface with two backends: the
// Rust addon (io-native.ts: one pwritev per file per commit, fsync and
// batch reads on libuv worker threads), and node:fs (io-node.ts) where
// only the WASM core is there. Both write the same bytes; the store's
// tests run over each. STAN_FILE_IO=native|node picks one (an unknown
// value, or native without the addon, is an error); tests may install
// their own (setFileIo: a backend that fails on demand).

import { core } from '../../core/index.js';
import { NativeIo } from './io-native.js';
import { NodeIo } from './io-node.js';
import { FaultyIo, parseFaultRules } from './io-faults.js';

/** An open file of the store. Failures throw node:fs-shaped Errors (`code`). */
export interface StoreFile {
  /** Writes the views back to back at pos, all of them; returns the byte count. */
  write(views: readonly Uint8Array[], pos: number): number;
  /** Reads into buf[off, off+len) from pos; fewer bytes only at end of file. */
  read(buf: Uint8Array, off: number, len: number, pos: number): number;
  /**
   * read() off the event loop (libuv's thread pool): resolves to the byte
   * count. `buf` is the backend's until it settles: do not touch it. The
   * file may be closed meanwhile; the read still completes.
   */
  readAsync(buf: Uint8Array, off: number, len: number, pos: number): Promise<number>;
  size(): number;
  truncate(len: number): void;
  /** fdatasync on the event loop: recovery only, before anything is served. */
  datasyncNow(): void;
  close(): void;
}

export interface FileIo {
  readonly kind: 'native' | 'node';
  /** create: a new file, failing with EEXIST if it exists; else an existing one (ENOENT if not). */
  open(path: string, create: boolean): StoreFile;
  /**
   * Makes the files' written data durable (fdatasync; fsync when
   * !dataOnly), then the directories' entries (fsync; a directory gone
   * meanwhile is skipped), off the event loop.
   */
  sync(files: readonly StoreFile[], dirs: readonly string[], dataOnly: boolean): Promise<void>;
}

const KINDS = ['native', 'node'] as const;

let chosen: FileIo | undefined;

/** The backend of this process, chosen on first use (see the header for STAN_FILE_IO). */
export function fileIo(): FileIo {
  if (chosen === undefined) {
    chosen = pickFileIo(process.env.STAN_FILE_IO);
    const rules = process.env.STAN_FILE_FAULTS;
    if (rules !== undefined && rules !== '') {
      if (!(chosen instanceof FaultyIo)) throw new Error('STAN_FILE_FAULTS needs STAN_FILE_IO=faults');
      for (const r of parseFaultRules(rules)) chosen.inject(r);
    }
  }
  return chosen;
}

/**
 * Makes `io` the backend of every file opened from now on (undefined: the
 * default again). For tests: fault injection.
 */
export function setFileIo(io: FileIo | undefined): void {
  chosen = io;
}

/** A backend by name (undefined or '': the best there is; `faults[:name]`: that one, failing on demand). */
export function pickFileIo(want: string | undefined): FileIo {
  if (want === 'faults' || want?.startsWith('faults:')) return new FaultyIo(pickFileIo(want.slice('faults:'.length)));
  if (want !== undefined && want !== '' && !(KINDS as readonly string[]).includes(want)) {
    throw new Error(`STAN_FILE_IO=${want} is not a file I/O backend: use one of ${KINDS.join(', ')} (faults, faults:<one>: failing on demand), or leave it unset`);
  }
  const files = core().files;
  if (want === 'node') return new NodeIo();
  if (files !== undefined) return new NativeIo(files);
  if (want === 'native') {
    throw new Error(`STAN_FILE_IO=native, but the ${core().kind} core has no file I/O (build the addon with \`npm run build:native\`)`);
  }
  return new NodeIo();
}

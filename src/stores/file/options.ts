// Options of the FILE store (STAN-REFERENCE §5.4, §5.6, §7.2): the Go
// server's defaults, their validation with its error texts, and the
// mapping from the parsed --file_* flags.

import type { Logger } from '../../log/logger.js';

/** What the store logs with: recovery repairs, unreadable records, failed writes. */
export type StoreLog = Pick<Logger, 'info' | 'warn' | 'error'>;
import type { LimitReachedHandler } from '../memory/index.js';
import { StoreError } from '../store.js';
import { CRC_POLY_IEEE } from './format.js';

/** Receivers of the commit timings (the monitor's store latency histograms). */
export interface CommitLatency {
  write(seconds: number): void;
  sync(seconds: number): void;
}

export interface FileStoreOptions {
  /** The root directory (--dir). */
  dir: string;
  /** Pending bytes of one file that start a write without waiting for a flush. */
  bufferSize: number;
  compactEnabled: boolean;
  /** Percent of garbage records before subs.dat/clients.dat are compacted. */
  compactFragmentation: number;
  /** Seconds between two compactions of a file. */
  compactIntervalSec: number;
  /** Files smaller than this are not compacted (0: no minimum). */
  compactMinSize: number;
  /** Verify CRCs on read (they are always written). */
  doCrc: boolean;
  crcPoly: number;
  /** fsync on flush: a flush resolves only once the data is on disk. */
  doSync: boolean;
  sliceMaxMsgs: number;
  sliceMaxBytes: number;
  sliceMaxAgeMs: number;
  /** Run with (channel, dat.bak, idx.bak) when a slice is removed, instead of deleting it. */
  sliceArchiveScript: string;
  /** Soft limit on open files: idle slices are closed sooner when it is reached (0: none). */
  fdsLimit: number;
  /** Accepted for compatibility: recovery reads index tails only, one channel after another. */
  parallelRecovery: number;
  /** Truncate a file at an incomplete last record instead of refusing to start. */
  truncateBadEof: boolean;
  /** Read-ahead of message lookups, in bytes (0: read one record at a time). */
  readBufferSize: number;
  /** With doSync off, fsync this often when something was written (0: never). */
  autoSyncMs: number;
  log?: StoreLog;
  onLimitReached?: LimitReachedHandler;
  /** Told how long each write phase and each sync phase took, in seconds (/metrics). */
  latency?: CommitLatency;
  /** After a failed commit, the first retry waits this long (ms); each next one twice as long... */
  retryMs: number;
  /** ...up to this (ms). */
  retryMaxMs: number;
  /** Clock for max_age in setLimits(), Unix ns (default: Date.now()). */
  now?: () => bigint;
}

export const DEFAULT_FILE_OPTIONS: Readonly<Omit<FileStoreOptions, 'dir'>> = {
  bufferSize: 2 * 1024 * 1024,
  compactEnabled: true,
  compactFragmentation: 50,
  compactIntervalSec: 300,
  compactMinSize: 1024 * 1024,
  doCrc: true,
  crcPoly: CRC_POLY_IEEE,
  doSync: true,
  sliceMaxMsgs: 0,
  sliceMaxBytes: 64 * 1024 * 1024,
  sliceMaxAgeMs: 0,
  sliceArchiveScript: '',
  fdsLimit: 0,
  parallelRecovery: 1,
  truncateBadEof: false,
  readBufferSize: 2 * 1024 * 1024,
  autoSyncMs: 60_000,
  retryMs: 1000,
  retryMaxMs: 30_000,
};

/** Defaults under `over`, validated (the Go FileStoreOption errors). */
export function fileStoreOptions(over: Partial<FileStoreOptions> & { dir: string }): FileStoreOptions {
  const o: FileStoreOptions = { ...DEFAULT_FILE_OPTIONS, ...over };
  const fail = (m: string): never => {
    throw new StoreError(m);
  };
  if (o.dir === '') fail('for FILE stores, root directory must be specified');
  if (o.bufferSize < 0) fail('buffer size value must be a positive number');
  if (o.compactIntervalSec <= 0) fail('compact interval value must at least be 1 seconds');
  if (o.compactFragmentation <= 0) fail('compact fragmentation value must at least be 1');
  if (o.compactMinSize < 0) fail('compact minimum file size value must be a positive number');
  if (!(o.crcPoly > 0 && o.crcPoly <= 0xffff_ffff)) fail(`crc polynomial should be between 1 and ${0xffff_ffff}`);
  if (o.sliceMaxMsgs < 0 || o.sliceMaxBytes < 0 || o.sliceMaxAgeMs < 0) fail('slice max values must be positive numbers');
  if (o.fdsLimit < 0) fail('file descriptor limit must be a positive number');
  if (o.parallelRecovery <= 0) fail('parallel recovery value must be at least 1');
  if (o.readBufferSize < 0) fail('read buffer size value must be a positive number');
  if (!(o.retryMs > 0 && o.retryMaxMs >= o.retryMs)) fail('retry delays must be positive, the first no longer than the last');
  return o;
}

/** Flag option key (flag-table.ts) -> FileStoreOptions field. */
const FLAG_KEYS: ReadonlyArray<[flag: string, field: keyof FileStoreOptions]> = [
  ['fileCompactEnabled', 'compactEnabled'],
  ['fileCompactFrag', 'compactFragmentation'],
  ['fileCompactInterval', 'compactIntervalSec'],
  ['fileCompactMinSize', 'compactMinSize'],
  ['fileBufferSize', 'bufferSize'],
  ['fileCrc', 'doCrc'],
  ['fileCrcPoly', 'crcPoly'],
  ['fileSync', 'doSync'],
  ['fileSliceMaxMsgs', 'sliceMaxMsgs'],
  ['fileSliceMaxBytes', 'sliceMaxBytes'],
  ['fileSliceMaxAge', 'sliceMaxAgeMs'],
  ['fileSliceArchiveScript', 'sliceArchiveScript'],
  ['fileFdsLimit', 'fdsLimit'],
  ['fileParallelRecovery', 'parallelRecovery'],
  ['fileTruncateBadEof', 'truncateBadEof'],
  ['fileReadBufferSize', 'readBufferSize'],
  ['fileAutoSync', 'autoSyncMs'],
];

/** The flag keys this store reads (they are marked supported in flag-table.ts). */
export const FILE_FLAG_KEYS: readonly string[] = FLAG_KEYS.map(([k]) => k);

/** FileStoreOptions fields from the option values given (flags or config), by flag key. */
export function fileOptionsFromValues(values: Record<string, unknown>, given: (key: string) => boolean): Partial<FileStoreOptions> {
  const out: Record<string, unknown> = {};
  for (const [flag, field] of FLAG_KEYS) if (given(flag)) out[field] = values[flag];
  if (typeof out.autoSyncMs === 'number' && out.autoSyncMs < 0) out.autoSyncMs = 0;
  return out as Partial<FileStoreOptions>;
}

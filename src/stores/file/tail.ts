// What recovery does with the end of a record file (STAN-REFERENCE §5.7):
//
// - `strict` (server.dat, clients.dat, subs.dat, a data file whose index
//   is missing or does not match it): a zero-filled tail is cut; a record
//   cut short (unexpected EOF) stops the start with the file and offset,
//   unless --file_truncate_bad_eof, which cuts the file there; a CRC
//   mismatch always stops the start (it is never repaired).
// - `uncommitted` (the data of a slice past its last index record): such
//   records were never part of a completed commit — the index record of a
//   message is written after its data, in the same commit, and nothing is
//   acknowledged before the commit ends — so whatever is there is cut.

import type { StoreLog } from './options.js';
import { StoreError } from '../store.js';
import type { AppendFile } from './append-file.js';
import type { ScanEnd } from './scan.js';

export type TailMode = 'strict' | 'uncommitted';

/** Bytes of a bad record shown in the log. */
const DUMP_BYTES = 64;

export function settleEnd(file: AppendFile, end: ScanEnd, mode: TailMode, truncateBadEof: boolean, log: StoreLog | undefined): void {
  switch (end.kind) {
    case 'eof':
      return;
    case 'zero':
      file.truncate(end.offset);
      log?.info(`STREAM: File "${file.path}" ends with zeros from offset ${end.offset}: truncated there`);
      return;
    case 'short':
    case 'corrupt': {
      const what =
        end.kind === 'short'
          ? `unexpected EOF: ${end.part} expected to be ${end.expected} bytes, only read ${end.read}`
          : end.message;
      if (mode === 'uncommitted') {
        file.truncate(end.offset);
        log?.warn(`STREAM: File "${file.path}": uncommitted data at offset ${end.offset} (${what}): truncated there`);
        return;
      }
      log?.error(`STREAM: ${end.kind === 'short' ? 'Unexpected EOF' : 'Corrupted record'} in file "${file.path}" at offset ${end.offset}: ${what}`);
      log?.error(`STREAM: Bytes at offset ${end.offset}: ${dump(file, end.offset)}`);
      if (end.kind === 'short' && truncateBadEof) {
        file.truncate(end.offset);
        log?.info(`STREAM: File "${file.path}" has been truncated to offset: ${end.offset}`);
        log?.info('STREAM: Recovery resumes...');
        return;
      }
      const hint =
        end.kind === 'short'
          ? `; restart with --file_truncate_bad_eof to truncate the file at that offset (data loss may occur), after making a copy of the store`
          : '';
      throw new StoreError(`unable to recover file "${file.path}": ${what} at offset ${end.offset}${hint}`);
    }
  }
}

function dump(file: AppendFile, offset: number): string {
  const b = Buffer.alloc(Math.min(DUMP_BYTES, Math.max(0, file.written - offset)));
  const n = file.read(b, 0, b.length, offset);
  return b.subarray(0, n).toString('hex').replace(/(..)(?!$)/g, '$1 ') || '(none)';
}

// Reading a record file from start to end at recovery (STAN-REFERENCE
// §5.2, §5.7), with the Go server's rules for its end: a clean end of file
// is done; a zero-filled header (size and CRC both 0) is a zero-padded tail
// and the file is cut there; a record cut short is an unexpected EOF; a CRC
// mismatch (when checked) is corruption. What to do about the last two is
// the caller's choice (refuse to start, or truncate), see tail.ts.

import type { AppendFile } from './append-file.js';
import { hex, RECORD_HEADER_SIZE, VERSION_SIZE, type Crc } from './format.js';

/** Bytes read from the file at a time. */
const SCAN_CHUNK = 1024 * 1024;

export type ScanEnd =
  | { kind: 'eof'; offset: number }
  | { kind: 'zero'; offset: number }
  | { kind: 'short'; offset: number; part: 'record header' | 'record payload'; expected: number; read: number }
  | { kind: 'corrupt'; offset: number; message: string };

/**
 * Calls `onRecord(type, payload, offset)` for each record from `from`;
 * payload is a view valid during the call only. Returns how the scan ended.
 * `onRecord` may return a string to stop the scan as corrupt at that record.
 */
export function scanRecords(
  file: AppendFile,
  typed: boolean,
  crc: Crc | undefined,
  onRecord: (type: number, payload: Buffer, offset: number) => string | void,
  from = VERSION_SIZE,
): ScanEnd {
  const end = file.written;
  let buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, Math.max(end - from, RECORD_HEADER_SIZE)));
  let bufStart = from; // file offset of buf[0]
  let bufLen = 0;
  let pos = from;
  /** Makes file bytes [pos, pos+n) available in buf; false at end of file. */
  const need = (n: number): boolean => {
    if (pos + n <= bufStart + bufLen) return true;
    if (pos + n > end) return false;
    const keep = bufStart + bufLen - pos;
    if (n > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, SCAN_CHUNK));
      buf.copy(bigger, 0, pos - bufStart, pos - bufStart + keep);
      buf = bigger;
    } else {
      buf.copy(buf, 0, pos - bufStart, pos - bufStart + keep);
    }
    bufStart = pos;
    const want = Math.min(buf.length - keep, end - (pos + keep));
    bufLen = keep + file.read(buf, keep, want, pos + keep);
    return pos + n <= bufStart + bufLen;
  };
  for (;;) {
    if (pos >= end) return { kind: 'eof', offset: pos };
    if (!need(RECORD_HEADER_SIZE)) {
      return { kind: 'short', offset: pos, part: 'record header', expected: RECORD_HEADER_SIZE, read: end - pos };
    }
    const at = pos - bufStart;
    const word = buf.readUInt32LE(at);
    const want = buf.readUInt32LE(at + 4);
    if (word === 0 && want === 0) return { kind: 'zero', offset: pos };
    const type = typed ? word >>> 24 : 0;
    const size = typed ? word & 0xff_ffff : word;
    if (!need(RECORD_HEADER_SIZE + size)) {
      return { kind: 'short', offset: pos, part: 'record payload', expected: size, read: end - pos - RECORD_HEADER_SIZE };
    }
    const p = pos - bufStart + RECORD_HEADER_SIZE;
    const payload = buf.subarray(p, p + size);
    if (crc !== undefined) {
      const got = crc.of(buf, p, p + size);
      if (got !== want) {
        return { kind: 'corrupt', offset: pos, message: `corrupted data, expected crc to be ${hex(want)}, got ${hex(got)}` };
      }
    }
    const stop = onRecord(type, payload, pos);
    if (typeof stop === 'string') return { kind: 'corrupt', offset: pos, message: stop };
    pos += RECORD_HEADER_SIZE + size;
  }
}

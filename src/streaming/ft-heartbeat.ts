// The FT group's heartbeat (STAN-REFERENCE §8.1), byte for byte the Go
// server's so that a mixed group (Go and this server on one datastore)
// works: on `_STAN.ft.<cluster id>.<group>`, an spb.CtrlMsg of type
// FTHeartbeat carrying the sender's server ID and, in Data, the time it
// became active in Go's time.Time binary form (MarshalBinary). The
// activation times decide who steps down when two servers claim to be
// active: the later one.

import { CtrlMsg, CtrlMsgType } from '../pb/spb/ctrl.js';

/** The Go server's ftHBPrefix. */
export const FT_SUBJECT_PREFIX = '_STAN.ft';

export function ftSubject(clusterId: string, group: string): string {
  return `${FT_SUBJECT_PREFIX}.${clusterId}.${group}`;
}

/** Seconds from 0001-01-01T00:00:00Z (Go's internal epoch) to the Unix epoch. */
const UNIX_TO_GO_SECONDS = 62_135_596_800n;

/** A time as Go's time.Time.MarshalBinary writes it (version 1, the local zone's offset in minutes). */
export function goTimeBinary(unixNs: bigint, offsetMin: number): Uint8Array {
  const sec = unixNs / 1_000_000_000n + UNIX_TO_GO_SECONDS;
  const nsec = Number(unixNs % 1_000_000_000n);
  const b = Buffer.alloc(15);
  b[0] = 1;
  b.writeBigInt64BE(sec, 1);
  b.writeInt32BE(nsec, 9);
  b.writeInt16BE(offsetMin, 13);
  return b;
}

/** Nanoseconds since the Unix epoch of a Go MarshalBinary time (versions 1 and 2); throws on anything else. */
export function parseGoTimeBinary(data: Uint8Array): bigint {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const version = b[0];
  if ((version !== 1 || b.length !== 15) && (version !== 2 || b.length !== 16)) {
    throw new Error('Time.UnmarshalBinary: invalid length or version');
  }
  const sec = b.readBigInt64BE(1) - UNIX_TO_GO_SECONDS;
  return sec * 1_000_000_000n + BigInt(b.readInt32BE(9));
}

/** The heartbeat an active server sends, activated at `activatedNs` (Unix ns). */
export function encodeFtHeartbeat(serverId: string, activatedNs: bigint): Uint8Array {
  // Go's time.Now() is in the local zone; JS gives the offset with the opposite sign.
  const offsetMin = -new Date(Number(activatedNs / 1_000_000n)).getTimezoneOffset();
  return CtrlMsg.encode({ MsgType: CtrlMsgType.FTHeartbeat, ServerID: serverId, Data: goTimeBinary(activatedNs, offsetMin) });
}

export interface FtHeartbeat {
  serverId: string;
  /** Undefined when Data is not a time (logged, never acted on, as Go does). */
  activatedNs: bigint | undefined;
}

/** A received heartbeat, or undefined for anything else on the subject (ignored, as Go does). */
export function decodeFtHeartbeat(data: Uint8Array): FtHeartbeat | undefined {
  let m: CtrlMsg;
  try {
    m = CtrlMsg.decode(data);
  } catch {
    return undefined;
  }
  if (m.MsgType !== CtrlMsgType.FTHeartbeat) return undefined;
  let activatedNs: bigint | undefined;
  try {
    activatedNs = parseGoTimeBinary(m.Data);
  } catch {
    activatedNs = undefined;
  }
  return { serverId: m.ServerID, activatedNs };
}

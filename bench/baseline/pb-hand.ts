// The hand-written codec that lost to the generated one in bench/pb.ts and
// left src/pb/hot.ts: the PubAck encoder (~0.93x the generated one in CPU
// time). Kept here as the bench's "hand" column for PubAck, so the choice
// can be measured again; nothing in src uses it.

import { checkEnd, stringFieldSize, writeStringField } from '../../src/pb/writer.js';

const PUBACK_GUID = 0x0a;
const PUBACK_ERROR = 0x12;

/** PubAck{guid, error} as a new Buffer (an empty error is success, omitted). */
export function encodePubAck(guid: string | Uint8Array, error = ''): Buffer {
  const out = Buffer.allocUnsafe(stringFieldSize(guid) + stringFieldSize(error));
  const p = writeStringField(out, 0, PUBACK_GUID, guid);
  checkEnd(out, writeStringField(out, p, PUBACK_ERROR, error), 'PubAck');
  return out;
}

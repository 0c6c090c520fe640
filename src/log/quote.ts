// Text helpers for protocol traces (-V), as nats-server prints them:
// payloads with Go's %q, and CONNECT with its secrets masked
// (nats-server's removeSecretsFromTrace).

const HEX = '0123456789abcdef';

/** Length of the valid UTF-8 sequence at `i`, or 0 (Go then prints the byte as \xNN). */
function utf8Len(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const cont = (k: number): boolean => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0; // overlong, surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return 4;
  }
  return 0;
}

/** Go's strconv.Quote of raw bytes: printable text as is, the rest escaped. */
export function goQuote(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
      else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
      i++;
      continue;
    }
    const n = utf8Len(bytes, i);
    if (n === 0) {
      out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
      i++;
    } else {
      out += Buffer.from(bytes.buffer, bytes.byteOffset + i, n).toString('utf8');
      i += n;
    }
  }
  return `${out}"`;
}

const SECRET = /("(?:pass|auth_token)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** The CONNECT JSON with the password and token values replaced by [REDACTED]. */
export function redactConnect(json: string): string {
  return json.replace(SECRET, '$1"[REDACTED]"');
}

// The shape every message codec of src/pb has, generated (protocol.ts,
// spb.ts) or reflected through protobufjs (reflect.ts), and the JS values
// of the messages (STAN-REFERENCE §3):
//
// - uint64 -> number (sequences, IDs: exact below 2^53, rounded above);
//   int64 -> bigint (Unix-nanosecond timestamps and deltas pass 2^53).
//   Encoding takes number or bigint for either.
// - Decoded messages are plain objects with every field present (proto3
//   defaults: '', 0, false, empty bytes, [], null for an absent message);
//   unknown fields are dropped. Bytes are views into the input buffer.
// - Encoding omits default values, so an all-default message is zero bytes;
//   a present sub-message is written even when empty (as Go writes a
//   non-nil pointer); strings with lone surrogates are made well-formed
//   first (U+FFFD, as Buffer writes them).
// - Strings are not UTF-8 validated on decode (gogo does not either):
//   invalid bytes become U+FFFD.
// - Malformed input throws ProtoError naming the message.

/** The encode-side shape of a decoded message type T: every field optional. */
export type Init<T> = { [K in keyof T]?: InitValue<T[K]> | undefined };
type InitValue<V> = V extends bigint
  ? bigint | number
  : V extends Uint8Array
    ? Uint8Array
    : V extends readonly (infer E)[]
      ? readonly InitValue<E>[]
      : V extends null
        ? null
        : V extends object
          ? Init<V>
          : V;

/** Typed codec of one message type. */
export interface MessageCodec<T> {
  /** Proto3 encoding, defaults omitted. */
  encode(msg: Init<T>): Buffer;
  /**
   * Decodes buf[off, off+len) (all of buf by default); unknown fields are
   * skipped. Throws RangeError if the range is not inside buf.
   */
  decode(buf: Uint8Array, off?: number, len?: number): T;
  /** A message with every field at its default. */
  defaults(): T;
}

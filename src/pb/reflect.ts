// protobufjs reflection over the .proto schemas: the reference the
// generated and hand-written codecs are held to byte for byte (test/pb),
// and the schemas' reflection for whoever asks for it. The JS shapes of the
// messages are codec.ts's; protobufjs does the wire work and this layer
// maps its values (Long, prototype defaults) to and from those shapes.
//
// protobufjs is loaded, and the schemas parsed, on first use only: the
// server's own codecs are generated (protocol.ts, spb.ts) or hand-written
// (hot.ts), and a server start should not pay ~50 ms for this.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/index.js';
import type protobuf from 'protobufjs';
import type { Init, MessageCodec } from './codec.js';
import { EMPTY_BYTES, ProtoError, asBuffer, checkRange } from './wire.js';

type Protobuf = typeof protobuf;

let loaded: Protobuf | undefined;
function pbjs(): Protobuf {
  loaded ??= createRequire(import.meta.url)('protobufjs') as Protobuf;
  return loaded;
}

/** A codec through protobufjs, with the reflection of its type. */
export interface ReflectedCodec<T> extends MessageCodec<T> {
  /** The protobufjs reflection of the type. */
  readonly type: protobuf.Type;
}

const Kind = {
  PLAIN: 0, // int32, uint32, bool, enums, floats: as protobufjs gives them
  UINT64: 1,
  INT64: 2,
  STRING: 3,
  BYTES: 4,
  MESSAGE: 5,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface FieldInfo {
  name: string;
  kind: Kind;
  repeated: boolean;
  unsigned: boolean;
  sub: TypeInfo | undefined;
}

interface TypeInfo {
  type: protobuf.Type;
  fields: FieldInfo[];
}

const KIND_OF: Record<string, Kind> = {
  uint64: Kind.UINT64,
  fixed64: Kind.UINT64,
  int64: Kind.INT64,
  sint64: Kind.INT64,
  sfixed64: Kind.INT64,
  string: Kind.STRING,
  bytes: Kind.BYTES,
};

const infos = new Map<protobuf.Type, TypeInfo>();

function infoOf(type: protobuf.Type): TypeInfo {
  let info = infos.get(type);
  if (info) return info;
  info = { type, fields: [] };
  infos.set(type, info); // before the fields: a type may refer to itself
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f.map) throw new Error(`pb: map field ${type.fullName}.${f.name} is not supported`);
    const msg = f.resolvedType instanceof pbjs().Type ? f.resolvedType : undefined;
    info.fields.push({
      name: f.name,
      kind: msg ? Kind.MESSAGE : (KIND_OF[f.type] ?? Kind.PLAIN),
      repeated: f.repeated,
      unsigned: f.type === 'uint64' || f.type === 'fixed64',
      sub: msg ? infoOf(msg) : undefined,
    });
  }
  return info;
}

// ---------------------------------------------------------------------------
// Decoding: protobufjs message (Long values, prototype defaults) -> plain T.

interface LongLike {
  low: number;
  high: number;
}

const TWO_32 = 4294967296;

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const l = v as LongLike;
  return (l.high >>> 0) * TWO_32 + (l.low >>> 0);
}

function toBigInt(v: unknown, unsigned: boolean): bigint {
  if (typeof v === 'number') return BigInt(v);
  const l = v as LongLike;
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned ? u : BigInt.asIntN(64, u);
}

function plainValue(f: FieldInfo, v: unknown): unknown {
  switch (f.kind) {
    case Kind.UINT64:
      return toNumber(v);
    case Kind.INT64:
      return toBigInt(v, f.unsigned);
    case Kind.BYTES:
      return v == null || (v as Uint8Array).length === 0 ? EMPTY_BYTES : v;
    case Kind.MESSAGE:
      return v == null ? null : toPlain(f.sub!, v as Record<string, unknown>);
    default:
      return v;
  }
}

function toPlain(info: TypeInfo, m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of info.fields) {
    const v = m[f.name];
    if (f.repeated) {
      out[f.name] = Array.isArray(v) ? v.map((e) => plainValue(f, e)) : [];
    } else {
      out[f.name] = plainValue(f, v);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Encoding: Init<T> -> protobufjs-ready object with only non-default fields.

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function toLongBits(v: unknown, f: FieldInfo, where: string): LongLike | null {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw new TypeError(`${where}: ${f.name} must be an integer number or bigint, got ${typeof v}`);
  if (b < (f.unsigned ? 0n : INT64_MIN) || b > (f.unsigned ? UINT64_MAX : -INT64_MIN - 1n)) {
    throw new RangeError(`${where}: ${f.name} = ${b} is out of range`);
  }
  if (b === 0n) return null;
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0 };
}

function wireValue(f: FieldInfo, v: unknown, where: string): unknown {
  switch (f.kind) {
    case Kind.UINT64:
    case Kind.INT64:
      return toLongBits(v, f, where);
    case Kind.STRING: {
      const s = v as string;
      return s.length === 0 ? null : (s as unknown as WellFormed).isWellFormed() ? s : (s as unknown as WellFormed).toWellFormed();
    }
    case Kind.BYTES:
      return (v as Uint8Array).length === 0 ? null : v;
    case Kind.MESSAGE:
      return toWire(f.sub!, v as Record<string, unknown>);
    default:
      return v === 0 || v === false ? null : v;
  }
}

function toWire(info: TypeInfo, m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const where = info.type.fullName.slice(1);
  for (const f of info.fields) {
    const v = m[f.name];
    if (v == null) continue;
    if (f.repeated) {
      const arr = v as unknown[];
      if (arr.length === 0) continue;
      // Repeated scalars keep zeros (they are elements, not defaults).
      out[f.name] = arr.map((e) => (f.kind === Kind.MESSAGE ? toWire(f.sub!, e as Record<string, unknown>) : (wireValue(f, e, where) ?? zeroOf(f))));
    } else {
      const w = wireValue(f, v, where);
      if (w != null) out[f.name] = w;
    }
  }
  return out;
}

function zeroOf(f: FieldInfo): unknown {
  switch (f.kind) {
    case Kind.UINT64:
    case Kind.INT64:
      return 0;
    case Kind.STRING:
      return '';
    case Kind.BYTES:
      return EMPTY_BYTES;
    default:
      return f.kind === Kind.PLAIN ? 0 : null;
  }
}

// ---------------------------------------------------------------------------

/**
 * The typed codec of the message `name` (fully qualified, e.g. "pb.PubMsg")
 * in root; the type is looked up on first use.
 */
export function reflectedCodec<T>(root: () => protobuf.Root, name: string): ReflectedCodec<T> {
  let resolved: { type: protobuf.Type; info: TypeInfo } | undefined;
  const get = (): { type: protobuf.Type; info: TypeInfo } => {
    if (resolved === undefined) {
      const type = root().lookupType(name);
      resolved = { type, info: infoOf(type) };
    }
    return resolved;
  };
  return {
    get type() {
      return get().type;
    },
    encode(msg: Init<T>): Buffer {
      const { type, info } = get();
      const w = type.encode(toWire(info, msg as Record<string, unknown>)).finish();
      return asBuffer(w);
    },
    decode(buf: Uint8Array, off = 0, len = buf.length - off): T {
      const { type, info } = get();
      const end = checkRange(buf, off, len);
      let m: protobuf.Message;
      try {
        m = type.decode(asBuffer(buf).subarray(off, end));
      } catch (err) {
        throw new ProtoError(`${name}: malformed message: ${(err as Error).message}`, { cause: err });
      }
      return toPlain(info, m as unknown as Record<string, unknown>) as T;
    },
    defaults(): T {
      const { type, info } = get();
      return toPlain(info, type.create() as unknown as Record<string, unknown>) as T;
    },
  };
}

/**
 * Proto3 texts, read and parsed into one new root on first call, field names kept as
 * written. Strings are not UTF-8 validated (protobufjs 8 would throw, as
 * proto3 asks): gogo accepts any bytes, so invalid UTF-8 decodes to U+FFFD
 * here, as in the generated codecs, instead of failing the request.
 */
export function parseSchemas(...texts: (() => string)[]): () => protobuf.Root {
  let root: protobuf.Root | undefined;
  return () => {
    if (root === undefined) {
      const pb = pbjs();
      root = new pb.Root();
      for (const t of texts) pb.parse(t(), root, { keepCase: true });
      noUtf8Validation(root);
      root.resolveAll();
    }
    return root;
  };
}

function noUtf8Validation(ns: protobuf.NamespaceBase): void {
  const pb = pbjs();
  for (const o of ns.nestedArray) {
    if (o instanceof pb.Type) {
      for (const f of o.fieldsArray) {
        if (f.type === 'string') f.setOption('features', { ...f.options?.['features'], utf8_validation: 'NONE' });
      }
    }
    if (o instanceof pb.Namespace) noUtf8Validation(o);
  }
}

/**
 * The text of a schema of src/pb, read from the source tree: only tests and benches use the
 * reflection, and the server's own codecs are generated from these files.
 */
function schema(file: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'src', 'pb', file), 'utf8');
}

/** The parsed `pb` schema. */
export const pbRoot = parseSchemas(() => schema('pb/protocol.proto'));
/** The parsed `pb` and `spb` schemas (the Raft messages embed `pb` messages). */
export const spbRoot = parseSchemas(() => schema('pb/protocol.proto'), () => schema('spb/protocol.proto'));

/** protobufjs's codec of `name` ("pb.PubMsg", "spb.SubState", ...): the reference the tests hold ours to. */
export function reference<T>(name: string): ReflectedCodec<T> {
  return reflectedCodec<T>(spbRoot, name);
}

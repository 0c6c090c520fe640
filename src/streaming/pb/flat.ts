// Codecs for flat proto3 messages — scalar, string, bytes and enum fields,
// nothing nested or repeated, which is every message of pb and spb — read
// straight from the schema text, with no protobufjs at run time. The same
// JS shapes as codec.ts (uint64 -> number, int64 -> bigint, every field
// present, bytes as views, defaults omitted on encode, lone surrogates as
// U+FFFD); test/streaming/pb/flat.test.ts holds them byte for byte to the
// protobufjs codecs. Loading protobufjs and parsing the schemas cost a
// server start ~60 ms; these cost nothing until used.

import {
  asBuffer,
  EMPTY_BYTES,
  ProtoError,
  readBytes,
  readString,
  readTag,
  readVarint64,
  rp,
  seek,
  skipField,
  utf8Length,
  varint64Size,
  varintSize,
  vHi,
  vLo,
  WireType,
  writeBytes,
  writeUtf8,
  writeVarint,
  writeVarint64,
} from './wire.js';
import type protobuf from 'protobufjs';
import { messageCodec, type Init, type MessageCodec } from './codec.js';

export type FieldKind = 'string' | 'bytes' | 'uint64' | 'int64' | 'int32' | 'uint32' | 'bool' | 'enum';

export interface FlatField {
  readonly name: string;
  readonly num: number;
  readonly kind: FieldKind;
}

const SCALAR: ReadonlySet<string> = new Set(['string', 'bytes', 'uint64', 'int64', 'int32', 'uint32', 'bool']);

/**
 * The flat messages of proto3 texts as "package.Name" -> fields in
 * field-number order. A message with anything else (message-typed or
 * repeated fields, maps, oneofs) is left out: it needs protobufjs.
 */
export function flatSchemas(...texts: string[]): Map<string, FlatField[]> {
  const out = new Map<string, FlatField[]>();
  for (const text of texts) {
    const src = text.replace(/\/\/[^\n]*/g, '');
    const pkg = /\bpackage\s+([\w.]+)\s*;/.exec(src)?.[1] ?? '';
    const enums = new Set([...src.matchAll(/\benum\s+(\w+)\s*\{/g)].map((m) => m[1]!));
    for (const m of src.matchAll(/\bmessage\s+(\w+)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g)) {
      const body = m[2]!.replace(/\benum\s+(\w+)\s*\{[^{}]*\}/g, (_all, name: string) => {
        enums.add(name);
        return '';
      });
      const fields: FlatField[] = [];
      let flat = true;
      for (const line of body.split(';')) {
        const s = line.trim();
        if (s === '' || s.startsWith('reserved') || s.startsWith('option')) continue;
        const f = /^(\w+)\s+(\w+)\s*=\s*(\d+)$/.exec(s);
        const kind: FieldKind | undefined =
          f === null ? undefined : SCALAR.has(f[1]!) ? (f[1] as FieldKind) : enums.has(f[1]!) ? 'enum' : undefined;
        if (kind === undefined) {
          flat = false;
          break;
        }
        fields.push({ name: f![2]!, num: Number(f![3]), kind });
      }
      if (!flat) continue;
      fields.sort((a, b) => a.num - b.num);
      out.set(pkg ? `${pkg}.${m[1]}` : m[1]!, fields);
    }
  }
  return out;
}

/** Wire type of each kind. */
function wireType(k: FieldKind): number {
  return k === 'string' || k === 'bytes' ? WireType.LEN : WireType.VARINT;
}

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const TWO_32 = 4294967296;

/** A 64-bit integer field's value as unsigned halves (two's complement), checked. */
function halves(v: unknown, f: FlatField, where: string): [number, number] {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
    return [Math.floor(v / TWO_32), v >>> 0];
  }
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw new TypeError(`${where}: ${f.name} must be an integer number or bigint, got ${typeof v}`);
  const unsigned = f.kind === 'uint64';
  if (b < (unsigned ? 0n : INT64_MIN) || b > (unsigned ? UINT64_MAX : INT64_MAX)) {
    throw new RangeError(`${where}: ${f.name} = ${b} is out of range`);
  }
  const u = BigInt.asUintN(64, b);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

/** An int32/enum/uint32/bool value as the unsigned halves of its varint. */
function int32Halves(v: unknown, f: FlatField, where: string): [number, number] {
  if (f.kind === 'bool') return [0, v ? 1 : 0];
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${where}: ${f.name} must be an integer, got ${typeof v}`);
  }
  if (f.kind === 'uint32') return [0, v >>> 0];
  // int32 and enums: negative values are sign-extended to 64 bits (10 bytes).
  const x = v | 0;
  return [x < 0 ? 0xffffffff : 0, x >>> 0];
}

/**
 * The codec of `name`: the flat one when `flat` has it, else protobufjs's
 * (codec.ts) over `root`, which is parsed on first use either way.
 */
export function codecOf<T>(flat: Map<string, FlatField[]>, root: () => protobuf.Root, name: string): MessageCodec<T> {
  const fields = flat.get(name);
  if (fields === undefined) return messageCodec<T>(root, name);
  return flatCodec<T>(name, fields, () => root().lookupType(name));
}

/** The codec of one flat message. `reflect` gives protobufjs's type, loaded only if asked. */
export function flatCodec<T>(name: string, fields: readonly FlatField[], reflect: () => MessageCodec<T>['type']): MessageCodec<T> {
  const n = fields.length;
  const tags = fields.map((f) => (f.num << 3) | wireType(f.kind));
  const tagSizes = tags.map((t) => varintSize(t));
  let known = 0;
  for (const f of fields) if (f.num < 32) known |= 1 << f.num;
  const byNum = new Map(fields.map((f, i) => [f.num, i]));
  // Scratch of one encode: the prepared value of each field (undefined: default, omitted).
  const strs: (string | undefined)[] = new Array(n);
  const lens = new Array<number>(n).fill(0);
  const his = new Array<number>(n).fill(0);
  const los = new Array<number>(n).fill(0);
  const present = new Array<boolean>(n).fill(false);

  const defaults = (): T => {
    const o: Record<string, unknown> = {};
    for (const f of fields) o[f.name] = defaultOf(f.kind);
    return o as T;
  };

  return {
    get type() {
      return reflect();
    },

    encode(msg: Init<T>): Buffer {
      const m = msg as Record<string, unknown>;
      let size = 0;
      for (let i = 0; i < n; i++) {
        const f = fields[i]!;
        const v = m[f.name];
        present[i] = false;
        if (v === undefined || v === null) continue;
        switch (f.kind) {
          case 'string': {
            let s = v as string;
            if (s.length === 0) continue;
            if (!(s as unknown as WellFormed).isWellFormed()) s = (s as unknown as WellFormed).toWellFormed();
            const len = utf8Length(s);
            strs[i] = s;
            lens[i] = len;
            size += tagSizes[i]! + varintSize(len) + len;
            break;
          }
          case 'bytes': {
            const len = (v as Uint8Array).length;
            if (len === 0) continue;
            lens[i] = len;
            size += tagSizes[i]! + varintSize(len) + len;
            break;
          }
          case 'uint64':
          case 'int64': {
            const [hi, lo] = halves(v, f, name);
            if (hi === 0 && lo === 0) continue;
            his[i] = hi;
            los[i] = lo;
            size += tagSizes[i]! + varint64Size(hi, lo);
            break;
          }
          default: {
            const [hi, lo] = int32Halves(v, f, name);
            if (hi === 0 && lo === 0) continue;
            his[i] = hi;
            los[i] = lo;
            size += tagSizes[i]! + varint64Size(hi, lo);
          }
        }
        present[i] = true;
      }
      const out = Buffer.allocUnsafe(size);
      let p = 0;
      for (let i = 0; i < n; i++) {
        if (!present[i]) continue;
        p = writeVarint(out, p, tags[i]!);
        const f = fields[i]!;
        if (f.kind === 'string') {
          p = writeVarint(out, p, lens[i]!);
          p = writeUtf8(out, p, strs[i]!, lens[i]!);
          strs[i] = undefined;
        } else if (f.kind === 'bytes') {
          p = writeVarint(out, p, lens[i]!);
          p = writeBytes(out, p, m[f.name] as Uint8Array);
        } else {
          p = writeVarint64(out, p, his[i]!, los[i]!);
        }
      }
      return out;
    },

    decode(input: Uint8Array): T {
      const buf = asBuffer(input);
      const o = defaults() as Record<string, unknown>;
      const end = buf.length;
      seek(0);
      try {
        while (rp < end) {
          const tag = readTag(buf, end);
          const i = byNum.get(tag >>> 3);
          if (i === undefined || (tag & 7) !== wireType(fields[i]!.kind)) {
            if (i !== undefined || ((tag >>> 3) < 32 && (known & (1 << (tag >>> 3))) !== 0)) {
              throw new ProtoError(`protobuf: field ${tag >>> 3} has wrong wire type ${tag & 7}`);
            }
            skipField(buf, tag, end);
            continue;
          }
          const f = fields[i]!;
          switch (f.kind) {
            case 'string':
              o[f.name] = readString(buf, end);
              break;
            case 'bytes': {
              const b = readBytes(buf, end);
              o[f.name] = b.length === 0 ? EMPTY_BYTES : b;
              break;
            }
            case 'uint64':
              readVarint64(buf, end);
              o[f.name] = vHi * TWO_32 + vLo;
              break;
            case 'int64':
              readVarint64(buf, end);
              o[f.name] = BigInt.asIntN(64, (BigInt(vHi) << 32n) | BigInt(vLo));
              break;
            case 'uint32':
              readVarint64(buf, end);
              o[f.name] = vLo >>> 0;
              break;
            case 'bool':
              readVarint64(buf, end);
              o[f.name] = (vHi | vLo) !== 0;
              break;
            default: // int32, enum
              readVarint64(buf, end);
              o[f.name] = vLo | 0;
          }
        }
      } catch (err) {
        if (err instanceof ProtoError) throw new ProtoError(`${name}: malformed message: ${err.message}`, { cause: err });
        throw err;
      }
      return o as T;
    },

    defaults,
  };
}

function defaultOf(k: FieldKind): unknown {
  switch (k) {
    case 'string':
      return '';
    case 'bytes':
      return EMPTY_BYTES;
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    default:
      return 0;
  }
}

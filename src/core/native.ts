// The N-API addon behind the Core interface. Finds the .node file for
// this platform the way napi-rs loaders do (PACKAGING.md §1): a local
// build in native/, then the per-platform npm package.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEADER_WORDS, RECORD_WORDS, CRC32_IEEE, type SubjectCheckCode } from './ops.js';
import type { Core, NativeFileApi, ProtocolParser, Sublist, SublistStats } from './types.js';

const require = createRequire(import.meta.url);

/** Records one parse call can return before it asks to be called again. */
export const PARSE_RECORDS = 1024;
/** Words of a parse's output: header and records. */
export const PARSE_OUT_WORDS = HEADER_WORDS + PARSE_RECORDS * RECORD_WORDS;
/** Initial words of a match result; grown when a match needs more. */
const MATCH_WORDS = 256;
const STATS_WORDS = 8;

type Handle = object;
/** The addon's exports (its file exports are NativeFileApi's, absent from an older build). */
interface Addon extends Partial<NativeFileApi> {
  parserNew(mcl: number, maxPayload: number): Handle;
  parserParse(p: Handle, chunk: Uint8Array, out: Uint32Array): number;
  parserCarry(p: Handle): Buffer;
  parserReset(p: Handle): void;
  parserSetLimits(p: Handle, mcl: number, maxPayload: number): void;
  parserSetRoute(p: Handle, on: number): void;
  sublistNew(cache: boolean): Handle;
  sublistInsert(s: Handle, subject: string, queue: string | null, id: number): number;
  sublistRemove(s: Handle, subject: string, queue: string | null, id: number): boolean;
  sublistMatch(s: Handle, subject: string, out: Uint32Array): number;
  sublistLastMatch(s: Handle, out: Uint32Array): number;
  sublistStats(s: Handle, out: Float64Array): number;
  sublistGenid(s: Handle): number;
  subjectValid(subject: string, wildcards: boolean): boolean;
  crc32(data: Uint8Array, crc: number, poly: number): number;
  crc32Seal(buf: Uint8Array, spans: Uint32Array, count: number, poly: number): void;
  /** Absent from an addon built before it existed. */
  hugeAlloc?(bytes: number): Buffer | undefined;
  /** Absent from an addon built before it existed. */
  adjustExternalMemory?(delta: number): number;
  /** Absent from an addon built before it existed. */
  requestSlice?(ns: number): number;
}

/** The per-platform packages are named this plus the suffix (scripts/pack.mjs). */
export const PLATFORM_PACKAGE_PREFIX = 'nats-streaming-server-ts-';

/** The platform suffix napi-rs gives the .node file, e.g. linux-x64-gnu. */
export function platformSuffix(): string {
  return platformSuffixes()[0]!;
}

/**
 * The suffixes whose binary can load here, best first. On Windows the
 * MinGW build (`win32-x64-gnu`, the one cross-built from Linux) imports
 * only system DLLs and resolves Node-API with GetProcAddress, so it loads
 * into an MSVC-built node.exe as well as an MSVC build would.
 */
export function platformSuffixes(): string[] {
  const { platform, arch } = process;
  if (platform === 'linux') return [`linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`];
  if (platform === 'win32') return [`win32-${arch}-msvc`, `win32-${arch}-gnu`];
  return [`${platform}-${arch}`];
}

function isMusl(): boolean {
  // As napi-rs: the ldd script names its libc. Only without one ask the
  // process report, which costs ~30 ms of startup.
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    // No ldd script: ask the process report below.
  }
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

/** Loads the addon or throws an Error whose cause lists every attempt. */
export function loadNative(root: string): Core {
  // As napi-rs's NAPI_RS_NATIVE_LIBRARY_PATH: when set, only that file.
  const forced = process.env.STAN_NATIVE_LIBRARY_PATH;
  const candidates = forced
    ? [forced]
    : platformSuffixes().flatMap((s) => [join(root, 'native', `stan-core.${s}.node`), `${PLATFORM_PACKAGE_PREFIX}${s}`]);
  const errors: string[] = [];
  for (const c of candidates) {
    if (c.startsWith('/') || /^[A-Za-z]:[\\/]/.test(c)) {
      if (!existsSync(c)) {
        errors.push(`${c}: not found`);
        continue;
      }
    }
    try {
      return new NativeCore(require(c) as Addon);
    } catch (err) {
      errors.push(`${c}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no native addon for ${platformSuffix()}`, { cause: errors.join('\n') });
}

class NativeCore implements Core {
  readonly kind = 'native' as const;
  readonly files: NativeFileApi | undefined;
  readonly adjustExternalMemory: ((delta: number) => number) | undefined;
  readonly requestSlice: ((ns: number) => number) | undefined;
  constructor(private readonly addon: Addon) {
    // An addon built before the file exports existed still serves the rest.
    this.files = typeof addon.fileReadAsync === 'function' ? (addon as NativeFileApi) : undefined;
    this.adjustExternalMemory = addon.adjustExternalMemory?.bind(addon);
    this.requestSlice = addon.requestSlice?.bind(addon);
  }

  /**
   * The output records of every parser of this core: a parse's records are
   * read before any other parse runs (ProtocolParser.ops), so thousands of
   * connections do not each hold 40 KB of them.
   */
  #parseOut: Uint32Array | undefined;

  newParser(maxControlLine: number, maxPayload: number): ProtocolParser {
    this.#parseOut ??= new Uint32Array(PARSE_OUT_WORDS);
    return new NativeParser(this.addon, this.#parseOut, maxControlLine, maxPayload);
  }
  newSublist(cache = true): Sublist {
    return new NativeSublist(this.addon, cache);
  }
  isValidSubject(subject: string, wildcards: boolean): boolean {
    return this.addon.subjectValid(subject, wildcards);
  }
  crc32(data: Uint8Array, crc = 0, poly = CRC32_IEEE): number {
    return this.addon.crc32(data, crc >>> 0, poly >>> 0);
  }
  crc32Seal(buf: Uint8Array, spans: Uint32Array, count: number, poly: number): void {
    this.addon.crc32Seal(buf, spans, count, poly >>> 0);
  }
  hugeAlloc(bytes: number): Buffer | undefined {
    return this.addon.hugeAlloc?.(bytes);
  }
}

class NativeParser implements ProtocolParser {
  readonly #h: Handle;
  constructor(
    private readonly addon: Addon,
    readonly ops: Uint32Array,
    mcl: number,
    maxPayload: number,
  ) {
    this.#h = addon.parserNew(mcl, maxPayload);
  }
  parse(chunk: Uint8Array): number {
    return this.addon.parserParse(this.#h, chunk, this.ops);
  }
  carry(): Buffer {
    // Rewrapped by Buffer.from: a Buffer made in C++ gets its prototype set
    // afterwards, so it has a map of its own, and the parse paths that see
    // it besides socket chunks (subject decoding, payloadOf) turned
    // polymorphic, with a deopt the first time (one op spanning chunks).
    const b = this.addon.parserCarry(this.#h);
    return Buffer.from(b.buffer, b.byteOffset, b.length);
  }
  reset(): void {
    this.addon.parserReset(this.#h);
  }
  setLimits(maxControlLine: number, maxPayload: number): void {
    this.addon.parserSetLimits(this.#h, maxControlLine, maxPayload);
  }
  setRoute(on: boolean): void {
    this.addon.parserSetRoute(this.#h, on ? 1 : 0);
  }
  dispose(): void {
    // The external is freed by its finalizer when collected.
  }
}

class NativeSublist implements Sublist {
  readonly #h: Handle;
  #out = new Uint32Array(MATCH_WORDS);
  readonly #stats = new Float64Array(STATS_WORDS);
  constructor(private readonly addon: Addon, cache: boolean) {
    this.#h = addon.sublistNew(cache);
  }
  insert(subject: string, queue: string | null, id: number): SubjectCheckCode {
    return this.addon.sublistInsert(this.#h, subject, queue, id) as SubjectCheckCode;
  }
  remove(subject: string, queue: string | null, id: number): boolean {
    return this.addon.sublistRemove(this.#h, subject, queue, id);
  }
  match(subject: string): Uint32Array {
    let n = this.addon.sublistMatch(this.#h, subject, this.#out);
    if (n < 0) {
      // Too big for the array: grow it and copy the same result again.
      this.#out = new Uint32Array(-n * 2);
      n = this.addon.sublistLastMatch(this.#h, this.#out);
    }
    return this.#out.subarray(0, n);
  }
  genid(): number {
    return this.addon.sublistGenid(this.#h);
  }
  stats(): SublistStats {
    this.addon.sublistStats(this.#h, this.#stats);
    return statsFrom(this.#stats);
  }
}

/** The 8 words both builds write, as the /subsz JSON fields. */
export function statsFrom(w: Float64Array): SublistStats {
  return {
    num_subscriptions: w[0]!,
    num_cache: w[1]!,
    num_inserts: w[2]!,
    num_removes: w[3]!,
    num_matches: w[4]!,
    cache_hit_rate: w[5]!,
    max_fanout: w[6]!,
    avg_fanout: w[7]!,
  };
}

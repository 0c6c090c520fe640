// The WASM build of the core behind the Core interface: the fallback where
// no addon loads. Exports are plain functions over linear memory
// (wasm/src/lib.rs); bytes are staged in buffers allocated there. Views of
// the memory are re-made after any call, since growth detaches them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRC32_IEEE, HEADER_WORDS, RECORD_WORDS, type SubjectCheckCode } from './ops.js';
import type { Core, ProtocolParser, Sublist, SublistStats } from './types.js';
import { PARSE_OUT_WORDS, statsFrom } from './native.js';

const STATS_WORDS = 8;
/** First size of the staging buffer; it grows to the largest input seen. */
const STAGE_INITIAL = 64 * 1024;

interface Exports {
  memory: WebAssembly.Memory;
  stan_alloc(size: number): number;
  stan_free(p: number, size: number): void;
  parser_new(mcl: number, maxPayload: number): number;
  parser_free(p: number): void;
  parser_parse(p: number, chunk: number, len: number, out: number, outWords: number): number;
  parser_carry_ptr(p: number): number;
  parser_carry_len(p: number): number;
  parser_reset(p: number): void;
  parser_set_limits(p: number, mcl: number, maxPayload: number): void;
  parser_set_route(p: number, on: number): void;
  sublist_new(cache: number): number;
  sublist_free(p: number): void;
  sublist_insert(m: number, s: number, sLen: number, q: number, qLen: number, id: number): number;
  sublist_remove(m: number, s: number, sLen: number, q: number, qLen: number, id: number): number;
  sublist_match(m: number, s: number, sLen: number): number;
  sublist_result_ptr(m: number): number;
  sublist_stats(m: number, out: number): number;
  sublist_genid(m: number): number;
  subject_valid(s: number, len: number, wildcards: number): number;
  crc32_update(crc: number, poly: number, data: number, len: number): number;
}

/**
 * What a parser or sublist holds in linear memory. Pointers come back from
 * WASM as i32: `>>> 0` reads them unsigned, as memory may pass 2 GiB.
 */
interface Allocation {
  handle: number;
  buf: number;
  size: number;
}

export function loadWasm(root: string): Core {
  const bytes = readFileSync(join(root, 'wasm', 'stan_core.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return new WasmCore(instance.exports as unknown as Exports);
}

class WasmCore implements Core {
  readonly kind = 'wasm' as const;
  readonly #x: Exports;
  #stagePtr = 0;
  #stageSize = 0;
  readonly #encoder = new TextEncoder();
  /**
   * Frees the Rust side of parsers and sublists that were collected: the
   * object itself and, for a sublist, the output buffer allocated for it.
   */
  readonly #parsers = new FinalizationRegistry<number>((handle) => this.#x.parser_free(handle));
  #parseOut = 0;
  #parseRecords: Uint32Array | undefined;
  readonly #sublists = new FinalizationRegistry<Allocation>((a) => {
    this.#x.sublist_free(a.handle);
    this.#x.stan_free(a.buf, a.size);
  });

  constructor(x: Exports) {
    this.#x = x;
    this.stage(STAGE_INITIAL);
  }

  get x(): Exports {
    return this.#x;
  }

  /** Address of a staging buffer of at least `size` bytes. */
  stage(size: number): number {
    if (size > this.#stageSize) {
      if (this.#stageSize) this.#x.stan_free(this.#stagePtr, this.#stageSize);
      this.#stageSize = Math.max(size, this.#stageSize * 2);
      this.#stagePtr = this.#x.stan_alloc(this.#stageSize) >>> 0;
    }
    return this.#stagePtr;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.#x.memory.buffer);
  }

  /** Copies `data` into the staging buffer at `offset`; returns its address. */
  put(data: Uint8Array, offset = 0): number {
    const p = this.stage(offset + data.length) + offset;
    this.bytes().set(data, p);
    return p;
  }

  /** Encodes strings into the staging buffer: [address, length] pairs. */
  putStrings(a: string, b: string | null): [number, number, number, number] {
    const max = (a.length + (b?.length ?? 0)) * 3;
    const base = this.stage(max);
    const mem = this.bytes();
    const la = this.#encoder.encodeInto(a, mem.subarray(base, base + a.length * 3)).written;
    if (b === null) return [base, la, 0, 0];
    const pb = base + la;
    const lb = this.#encoder.encodeInto(b, mem.subarray(pb, pb + b.length * 3)).written;
    return [base, la, pb, lb];
  }

  /** Frees a parser's memory now (dispose()), once. */
  release(p: WasmParser): void {
    if (this.#parsers.unregister(p)) this.#x.parser_free(p.handle);
  }

  /**
   * The output records of every parser of this core, allocated once: a
   * parse's records are read before any other parse runs (ProtocolParser.ops),
   * so thousands of connections do not each hold 40 KB of them.
   */
  parseOut(): number {
    this.#parseOut ||= this.#x.stan_alloc(PARSE_OUT_WORDS * 4) >>> 0;
    return this.#parseOut;
  }

  /** Where parsers copy their records to (ProtocolParser.ops), shared like parseOut(). */
  parseRecords(): Uint32Array {
    this.#parseRecords ??= new Uint32Array(PARSE_OUT_WORDS);
    return this.#parseRecords;
  }

  newParser(maxControlLine: number, maxPayload: number): ProtocolParser {
    const p = new WasmParser(this, maxControlLine, maxPayload);
    this.#parsers.register(p, p.handle, p);
    return p;
  }
  newSublist(cache = true): Sublist {
    const s = new WasmSublist(this, cache);
    this.#sublists.register(s, s.allocation);
    return s;
  }
  isValidSubject(subject: string, wildcards: boolean): boolean {
    const [p, len] = this.putStrings(subject, null);
    return this.#x.subject_valid(p, len, wildcards ? 1 : 0) === 1;
  }
  crc32(data: Uint8Array, crc = 0, poly = CRC32_IEEE): number {
    const p = this.put(data);
    return this.#x.crc32_update(crc >>> 0, poly >>> 0, p, data.length) >>> 0;
  }
  crc32Seal(buf: Uint8Array, spans: Uint32Array, count: number, poly: number): void {
    // A call per span: copying the whole buffer into linear memory and back
    // would cost more than the calls save.
    const n = count * 3;
    if (n > spans.length) throw new TypeError('count past the spans array');
    for (let i = 0; i < n; i += 3) {
      const at = spans[i]!;
      if (spans[i + 1]! > spans[i + 2]! || spans[i + 2]! > buf.length || at + 4 > buf.length) {
        throw new TypeError('a span is outside the buffer');
      }
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < n; i += 3) view.setUint32(spans[i]!, this.crc32(buf.subarray(spans[i + 1]!, spans[i + 2]!), 0, poly), true);
  }
}

class WasmParser implements ProtocolParser {
  readonly handle: number;
  readonly #outPtr: number;
  readonly ops: Uint32Array;

  constructor(private readonly core: WasmCore, mcl: number, maxPayload: number) {
    this.handle = core.x.parser_new(mcl, maxPayload) >>> 0;
    this.#outPtr = core.parseOut();
    this.ops = core.parseRecords();
  }

  parse(chunk: Uint8Array): number {
    const p = this.core.put(chunk);
    const n = this.core.x.parser_parse(this.handle, p, chunk.length, this.#outPtr, PARSE_OUT_WORDS);
    // Copied out of linear memory: a view of it would be detached by any
    // memory growth (a subscription inserted, say) while the records are
    // being processed.
    this.ops.set(new Uint32Array(this.core.x.memory.buffer, this.#outPtr, HEADER_WORDS + n * RECORD_WORDS));
    return n;
  }
  carry(): Buffer {
    const p = this.core.x.parser_carry_ptr(this.handle) >>> 0;
    const len = this.core.x.parser_carry_len(this.handle);
    return Buffer.from(this.core.bytes().subarray(p, p + len));
  }
  reset(): void {
    this.core.x.parser_reset(this.handle);
  }
  setLimits(maxControlLine: number, maxPayload: number): void {
    this.core.x.parser_set_limits(this.handle, maxControlLine, maxPayload);
  }
  setRoute(on: boolean): void {
    this.core.x.parser_set_route(this.handle, on ? 1 : 0);
  }
  dispose(): void {
    this.core.release(this);
  }
}

class WasmSublist implements Sublist {
  readonly handle: number;
  readonly allocation: Allocation;
  readonly #statsPtr: number;

  constructor(private readonly core: WasmCore, cache: boolean) {
    this.handle = core.x.sublist_new(cache ? 1 : 0) >>> 0;
    this.#statsPtr = core.x.stan_alloc(STATS_WORDS * 8) >>> 0;
    this.allocation = { handle: this.handle, buf: this.#statsPtr, size: STATS_WORDS * 8 };
  }
  insert(subject: string, queue: string | null, id: number): SubjectCheckCode {
    const [s, sl, q, ql] = this.core.putStrings(subject, queue);
    return this.core.x.sublist_insert(this.handle, s, sl, q, ql, id) as SubjectCheckCode;
  }
  remove(subject: string, queue: string | null, id: number): boolean {
    const [s, sl, q, ql] = this.core.putStrings(subject, queue);
    return this.core.x.sublist_remove(this.handle, s, sl, q, ql, id) === 1;
  }
  match(subject: string): Uint32Array {
    const [s, sl] = this.core.putStrings(subject, null);
    const n = this.core.x.sublist_match(this.handle, s, sl);
    const p = this.core.x.sublist_result_ptr(this.handle) >>> 0;
    return new Uint32Array(this.core.x.memory.buffer, p, n);
  }
  genid(): number {
    return this.core.x.sublist_genid(this.handle);
  }
  stats(): SublistStats {
    this.core.x.sublist_stats(this.handle, this.#statsPtr);
    return statsFrom(new Float64Array(this.core.x.memory.buffer, this.#statsPtr, STATS_WORDS));
  }
}

// A FILE store I/O backend that fails on demand (issue #18: a full disk,
// a failing device), wrapping a real one (io-native.ts or io-node.ts).
// Rules say which calls fail: by kind of call (open, write, read, sync,
// truncate), by a pattern of the file's path (a sync matches when any of
// its files or directories does), from the nth matching call on, for a
// number of calls or until cleared; and how: ENOSPC, EIO, EROFS (thrown
// as node:fs-shaped errors, `code` set), or a short write (part of the
// bytes reach the file, then ENOSPC, as a disk filling up mid-write does).
// A failed sync does not sync: the data stays as unsure as after a real
// failed fsync.
//
// Programmable from tests (FaultyIo.inject/clear; io.ts setFileIo), or for
// a whole process, a child server included: STAN_FILE_IO=faults (over the
// default backend; faults:node, faults:native to pick one) with the rules
// in STAN_FILE_FAULTS (parseFaultRules). With no rule it only forwards, so
// the existing suites run over it unchanged.

import type { FileIo, StoreFile } from './io.js';

export const FAULT_CALLS = ['open', 'write', 'read', 'sync', 'truncate'] as const;
export type FaultCall = (typeof FAULT_CALLS)[number];
export const FAULT_ERRORS = ['ENOSPC', 'EIO', 'EROFS', 'short'] as const;
export type FaultError = (typeof FAULT_ERRORS)[number];

const MESSAGES: Record<Exclude<FaultError, 'short'>, string> = {
  ENOSPC: 'no space left on device',
  EIO: 'i/o error',
  EROFS: 'read-only file system',
};

export interface FaultRule {
  call: FaultCall;
  error: FaultError;
  /** Matches the path: a substring, or a pattern (undefined: every path). */
  path?: string | RegExp;
  /** The first matching call that fails, counted from when the rule is added (1: the next one). */
  nth?: number;
  /** How many calls fail from there (undefined: every one until cleared). */
  count?: number;
}

/** A rule as installed: its progress. */
interface Armed {
  rule: FaultRule;
  /** Matching calls seen. */
  seen: number;
  /** Calls failed. */
  failed: number;
}

export function faultError(code: Exclude<FaultError, 'short'>, syscall: string, path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${MESSAGES[code]}, ${syscall} '${path}' (injected)`);
  e.code = code;
  e.syscall = syscall;
  e.path = path;
  return e;
}

export class FaultyIo implements FileIo {
  readonly kind: FileIo['kind'];
  #rules: Armed[] = [];
  /** Calls failed so far, for tests that check a fault fired. */
  injected = 0;

  constructor(readonly inner: FileIo) {
    this.kind = inner.kind;
  }

  /** Arms a rule; returns it, to clear() it alone. */
  inject(rule: FaultRule): FaultRule {
    this.#rules.push({ rule, seen: 0, failed: 0 });
    return rule;
  }

  /** Disarms one rule, or all of them (the disk has room again). */
  clear(rule?: FaultRule): void {
    this.#rules = rule === undefined ? [] : this.#rules.filter((a) => a.rule !== rule);
  }

  get armed(): number {
    return this.#rules.length;
  }

  /** The rule failing this call, if any (each matching rule counts the call). */
  fault(call: FaultCall, paths: readonly string[]): FaultError | undefined {
    let hit: FaultError | undefined;
    for (const a of this.#rules) {
      const { rule } = a;
      if (rule.call !== call || !paths.some((p) => pathMatches(rule.path, p))) continue;
      a.seen++;
      if (a.seen < (rule.nth ?? 1)) continue;
      if (rule.count !== undefined && a.failed >= rule.count) continue;
      a.failed++;
      hit ??= rule.error;
    }
    if (hit !== undefined) this.injected++;
    return hit;
  }

  /** Throws the rule's error for a call that fails whole (no short form but for writes). */
  check(call: FaultCall, syscall: string, paths: readonly string[]): void {
    const f = this.fault(call, paths);
    if (f !== undefined) throw faultError(f === 'short' ? 'ENOSPC' : f, syscall, paths[0] ?? '');
  }

  open(path: string, create: boolean): StoreFile {
    this.check('open', 'open', [path]);
    return new FaultyFile(this, this.inner.open(path, create), path);
  }

  async sync(files: readonly StoreFile[], dirs: readonly string[], dataOnly: boolean): Promise<void> {
    const paths = [...files.map((f) => (f as FaultyFile).path), ...dirs];
    const f = this.fault('sync', paths);
    if (f !== undefined) {
      // Fails later, as a real fsync on a worker thread does.
      await new Promise((r) => setImmediate(r));
      throw faultError(f === 'short' ? 'EIO' : f, dataOnly ? 'fdatasync' : 'fsync', paths[0] ?? '');
    }
    return this.inner.sync(
      files.map((x) => (x as FaultyFile).inner),
      dirs,
      dataOnly,
    );
  }
}

function pathMatches(p: string | RegExp | undefined, path: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? path.includes(p) : p.test(path);
}

class FaultyFile implements StoreFile {
  constructor(
    private readonly io: FaultyIo,
    readonly inner: StoreFile,
    readonly path: string,
  ) {}

  write(views: readonly Uint8Array[], pos: number): number {
    const f = this.io.fault('write', [this.path]);
    if (f === 'short') {
      // Half of the bytes land, then the disk is full.
      let total = 0;
      for (const v of views) total += v.length;
      const part: Uint8Array[] = [];
      let left = Math.floor(total / 2);
      for (const v of views) {
        if (left === 0) break;
        const n = Math.min(left, v.length);
        part.push(v.subarray(0, n));
        left -= n;
      }
      if (part.length > 0) this.inner.write(part, pos);
      throw faultError('ENOSPC', 'write', this.path);
    }
    if (f !== undefined) throw faultError(f, 'write', this.path);
    return this.inner.write(views, pos);
  }

  read(buf: Uint8Array, off: number, len: number, pos: number): number {
    this.io.check('read', 'read', [this.path]);
    return this.inner.read(buf, off, len, pos);
  }

  readAsync(buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
    try {
      this.io.check('read', 'read', [this.path]);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.inner.readAsync(buf, off, len, pos);
  }

  size(): number {
    return this.inner.size();
  }

  truncate(len: number): void {
    this.io.check('truncate', 'ftruncate', [this.path]);
    this.inner.truncate(len);
  }

  datasyncNow(): void {
    this.io.check('sync', 'fdatasync', [this.path]);
    this.inner.datasyncNow();
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * Rules from text (STAN_FILE_FAULTS): rules separated by `;`, each a list
 * of `key=value` separated by `,`: call, error (required), path (a
 * substring; `/re/` for a pattern), nth, count. E.g.
 * `call=write,error=ENOSPC,path=msgs.,nth=20` fails every write of a
 * message file from the 20th on.
 */
export function parseFaultRules(text: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const kv = new Map<string, string>();
    for (const field of part.split(',')) {
      const eq = field.indexOf('=');
      if (eq <= 0) throw new Error(`STAN_FILE_FAULTS: "${field}" is not key=value`);
      kv.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
    }
    const call = kv.get('call') as FaultCall;
    const error = kv.get('error') as FaultError;
    if (!FAULT_CALLS.includes(call)) throw new Error(`STAN_FILE_FAULTS: call must be one of ${FAULT_CALLS.join(', ')}`);
    if (!FAULT_ERRORS.includes(error)) throw new Error(`STAN_FILE_FAULTS: error must be one of ${FAULT_ERRORS.join(', ')}`);
    const rule: FaultRule = { call, error };
    const path = kv.get('path');
    if (path !== undefined) rule.path = path.length > 2 && path.startsWith('/') && path.endsWith('/') ? new RegExp(path.slice(1, -1)) : path;
    for (const key of ['nth', 'count'] as const) {
      const v = kv.get(key);
      if (v === undefined) continue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`STAN_FILE_FAULTS: ${key} must be a whole number from 1`);
      rule[key] = n;
    }
    rules.push(rule);
  }
  return rules;
}

// Reading the values of a NATS configuration file (config-options.ts and
// the blocks it delegates, such as the cluster block): typed accessors that
// fail with NatsConfigError `<file>:<line>:<col>: <key>: <what is wrong>`,
// and the reading of a map's keys against the spellings nats-server knows.

import { ConfigKeyError } from '../config/errors.js';
import { type ConfigMap, type ConfigPosition, formatPosition, keyPosition } from '../config/index.js';
import { nearestName } from '../config/nearest-name.js';
import { AuthConfigError } from './auth-config.js';

/** Where values come from: the file, for messages without a position. */
export interface FieldCtx {
  readonly file: string;
}

export const MAX_PORT = 65535;

export interface Field {
  readonly key: string; // as written
  readonly value: unknown;
  readonly pos: ConfigPosition | undefined;
}

/** A value of a NATS configuration file that cannot be used. */
export class NatsConfigError extends ConfigKeyError {
  override name = 'NatsConfigError';
}

export function show(v: unknown): string {
  return v instanceof Date ? v.toISOString() : typeof v === 'string' || typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function at(ctx: FieldCtx, pos: ConfigPosition | undefined): string {
  return pos === undefined ? ctx.file : formatPosition(pos);
}

export function fail(ctx: FieldCtx, f: Field, reason: string, cause?: unknown): never {
  throw new NatsConfigError(at(ctx, f.pos), f.key, reason, cause === undefined ? undefined : { cause });
}

export function expected(ctx: FieldCtx, f: Field, what: string): never {
  fail(ctx, f, `expected ${what}, got ${show(f.value)}`);
}

export function isMap(v: unknown): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function str(ctx: FieldCtx, f: Field): string {
  if (typeof f.value !== 'string') expected(ctx, f, 'a string');
  return f.value;
}

export function bool(ctx: FieldCtx, f: Field): boolean {
  if (typeof f.value !== 'boolean') expected(ctx, f, 'true or false');
  return f.value;
}

export function int(ctx: FieldCtx, f: Field, min: number, max: number, what: string): number {
  const v = f.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) expected(ctx, f, what);
  return v;
}

export function port(ctx: FieldCtx, f: Field, value: unknown = f.value): number {
  // -1 asks for a random port, as nats-server's RANDOM_PORT.
  const p = int(ctx, { ...f, value }, -1, MAX_PORT, `a port number from 0 to ${MAX_PORT} (or -1 for any free port)`);
  return p === -1 ? 0 : p;
}

/** Go's net.SplitHostPort, enough for `host:port`, `[v6]:port` and `:port`. */
export function splitHostPort(s: string): [string, string] | undefined {
  if (s.startsWith('[')) {
    const end = s.indexOf(']:');
    return end === -1 ? undefined : [s.slice(1, end), s.slice(end + 2)];
  }
  const colon = s.lastIndexOf(':');
  if (colon === -1 || s.indexOf(':') !== colon) return undefined;
  return [s.slice(0, colon), s.slice(colon + 1)];
}

/** nats-server parseListen: a port number, or "host:port". */
export function listen<C extends FieldCtx>(ctx: C, f: Field, toPort: (ctx: C, f: Field, value?: unknown) => number = port): { host?: string; port: number } {
  if (typeof f.value === 'number') return { port: toPort(ctx, f) };
  if (typeof f.value !== 'string') expected(ctx, f, 'a port or "host:port"');
  const hp = splitHostPort(f.value);
  if (hp === undefined || !/^-?[0-9]+$/.test(hp[1])) expected(ctx, f, 'a port or "host:port"');
  return { host: hp[0], port: toPort(ctx, f, Number(hp[1])) };
}

/**
 * Reads a map's keys against `spec` (canonical → spellings), skipping those
 * `skip` accepts: the fields by canonical name, in the file's order.
 */
export function fields(
  ctx: FieldCtx,
  map: ConfigMap,
  path: string,
  spec: Record<string, readonly string[]>,
  notYet: readonly string[],
  skip: (key: string) => boolean = () => false,
): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const key of Object.keys(map)) {
    if (skip(key)) continue;
    const f: Field = { key: path === '' ? key : `${path}.${key}`, value: map[key], pos: keyPosition(map, key) };
    const lower = key.toLowerCase();
    const canonical = Object.keys(spec).find((c) => spec[c]!.includes(lower));
    if (canonical === undefined) {
      if (notYet.includes(lower)) fail(ctx, f, 'not supported yet');
      const near = nearestName(lower, Object.values(spec).flat());
      fail(ctx, f, `unknown key${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`);
    }
    const prev = out.get(canonical);
    if (prev !== undefined) fail(ctx, f, `${JSON.stringify(prev.key)} is given too; use one of them`);
    out.set(canonical, f);
  }
  return out;
}

/**
 * An AuthConfigError (auth-config.ts, which appends ` (file:line:col)` when
 * it knows the place) as a NatsConfigError led by that place, else `pos`.
 */
export function fromAuthError(ctx: FieldCtx, err: unknown, pos: ConfigPosition | undefined): never {
  if (!(err instanceof AuthConfigError)) throw err;
  const m = / \(([^()]+:\d+:\d+)\)$/.exec(err.reason);
  const where = m !== null ? m[1]! : at(ctx, pos);
  throw new NatsConfigError(where, err.path, m !== null ? err.reason.slice(0, m.index) : err.reason, { cause: err });
}

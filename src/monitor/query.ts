// Query parameters of the monitoring endpoints, parsed the way the Go
// servers read them (strconv.Atoi, strconv.ParseBool, the `state` and
// `subs=detail` forms), except that a value that does not parse is an HTTP
// 400 with a message naming the parameter, where Go sometimes silently
// uses 0. Unknown parameter names are ignored, as Go does: scripts that
// pass extra ones keep working.

/** A request's parsed query string (repeated keys give arrays; Go reads the first). */
export type Query = Record<string, string | string[] | undefined>;

/** A bad query value: the route answers 400 with the message as text. */
export class QueryError extends Error {
  override name = 'QueryError';
  readonly statusCode = 400;
}

/** The first value of a parameter, or undefined when absent or empty. */
export function param(q: Query, name: string): string | undefined {
  const v = q[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function bad(name: string, value: string, expected: string): QueryError {
  return new QueryError(`invalid value ${JSON.stringify(value)} for query parameter "${name}": expected ${expected}`);
}

/** Go's strconv.Atoi range: a 64-bit int; we stop at the safe integers. */
const INT_RE = /^[+-]?\d+$/;

/** An integer parameter (Go's decodeInt); `def` when absent. */
export function intParam(q: Query, name: string, def = 0): number {
  const s = param(q, name);
  if (s === undefined) return def;
  const n = Number(s);
  if (!INT_RE.test(s) || !Number.isSafeInteger(n)) throw bad(name, s, 'an integer');
  return n;
}

/** A non-negative integer parameter (Go's decodeUint64); `def` when absent. */
export function uintParam(q: Query, name: string, def = 0): number {
  const s = param(q, name);
  if (s === undefined) return def;
  const n = Number(s);
  if (!/^\+?\d+$/.test(s) || !Number.isSafeInteger(n)) throw bad(name, s, 'a non-negative integer');
  return n;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean parameter with Go's strconv.ParseBool spellings; false when absent. */
export function boolParam(q: Query, name: string): boolean {
  const s = param(q, name);
  if (s === undefined) return false;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw bad(name, s, 'a boolean (1, 0, true or false)');
}

/** A parameter that must be one of `allowed` (compared lower-cased); undefined when absent. */
export function enumParam<T extends string>(q: Query, name: string, allowed: readonly T[]): T | undefined {
  const s = param(q, name);
  if (s === undefined) return undefined;
  const v = s.toLowerCase() as T;
  if (!allowed.includes(v)) throw bad(name, s, `one of ${allowed.join(', ')}`);
  return v;
}

/** offset/limit as the Go servers clamp them: a negative offset is 0, a limit <= 0 the default. */
export function page(q: Query, defaultLimit: number): { offset: number; limit: number } {
  const offset = Math.max(0, intParam(q, 'offset'));
  const limit = intParam(q, 'limit');
  return { offset, limit: limit <= 0 ? defaultLimit : limit };
}

/** The [start, end) slice bounds of a page over `total` items (Go's getMinMaxOffset). */
export function pageBounds(offset: number, limit: number, total: number): [number, number] {
  return [Math.min(offset, total), Math.min(offset + limit, total)];
}

// The `authorization { … }` block and top-level `no_auth_user` of a NATS
// configuration file (STAN-REFERENCE §1.9, §7.5) turned into AuthOptions,
// accepting the keys and value forms of nats-server 2.9's
// parseAuthorization, parseUsers, parseUserPermissions,
// parseVariablePermissions, parseSubjectPermission and parseAllowResponses.
// Keys are case-insensitive.
//
//   authorization {
//     user|username, password|pass, token
//     timeout: 2.5                               # seconds; 0 = server default
//     users: [ { user|username, password|pass,
//                permission|permissions|authorization: <permissions> } ]
//     permissions|default_permissions|default_permission: <permissions>
//   }
//   <permissions> = { publish|pub|import: <list>, subscribe|sub|export: <list>,
//                     allow_responses|publish_allow_responses: true | { max, expires } }
//   <list> = "a.>" | ["a", "b"] (allow) | { allow: <subjects>, deny: <subjects> }
//
// As in nats-server, empty lists and `{}` mean "no list" (no restriction).
// Unlike nats-server, which panics into a generic message or silently uses
// a default, every bad value is an AuthConfigError naming the key path,
// the value and what was expected; an unknown key, two spellings of the
// same key, or a feature this server lacks (nkey users, auth callouts,
// connection types) is an error too. Config variables defined inside these
// blocks are not told apart from keys (the parser does not mark them) and
// so count as unknown keys.

import { type ConfigMap, type ConfigPosition, formatPosition, keyPosition, parseDuration } from '../config/index.js';
import { type AuthOptions, AuthConfigError, type UserEntry, validateAuthOptions } from './auth.js';
import type { Permissions, ResponsePermission, SubjectPermission } from './permissions.js';

export { AuthConfigError } from './auth.js';

type Pos = ConfigPosition | undefined;

interface Field {
  readonly key: string; // as written
  readonly value: unknown;
  readonly pos: Pos;
}

/** Canonical key → accepted spellings (lower case); null marks an unsupported feature. */
type KeySpec = Record<string, readonly string[] | null>;

const AUTH_KEYS: KeySpec = {
  user: ['user', 'username'],
  password: ['password', 'pass'],
  token: ['token'],
  timeout: ['timeout'],
  users: ['users'],
  permissions: ['permissions', 'default_permissions', 'default_permission'],
  auth_callout: null,
  auth_hook: null,
};

const USER_KEYS: KeySpec = {
  user: ['user', 'username'],
  password: ['password', 'pass'],
  permissions: ['permissions', 'permission', 'authorization'],
  nkey: null,
  allowed_connection_types: null,
  connection_types: null,
  clients: null,
};

const PERM_KEYS: KeySpec = {
  publish: ['publish', 'pub', 'import'],
  subscribe: ['subscribe', 'sub', 'export'],
  allow_responses: ['allow_responses', 'publish_allow_responses'],
};

const SUBJECT_PERM_KEYS: KeySpec = { allow: ['allow'], deny: ['deny'] };

const RESPONSE_KEYS: KeySpec = {
  max: ['max', 'max_msgs', 'max_messages', 'max_responses'],
  expires: ['expires', 'expiration', 'ttl'],
};

/** Longest rendering of a bad value in a message; longer ones end in `...`. */
const SHOW_MAX = 60;

/** A short, unambiguous rendering of a config value for messages. */
function show(v: unknown): string {
  const text =
    v instanceof Date ? v.toISOString() : typeof v === 'object' || typeof v === 'string' ? JSON.stringify(v) : String(v);
  return text.length > SHOW_MAX ? `${text.slice(0, SHOW_MAX - 3)}...` : text;
}

function fail(path: string, reason: string, pos: Pos, cause?: unknown): never {
  const at = pos === undefined ? '' : ` (${formatPosition(pos)})`;
  throw new AuthConfigError(path, reason + at, cause === undefined ? undefined : { cause });
}

function expected(path: string, what: string, value: unknown, pos: Pos): never {
  fail(path, `expected ${what}, got ${show(value)}`, pos);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Reads a map's keys against `spec`: unknown keys, unsupported features and duplicate spellings are errors. */
function fields(map: Record<string, unknown>, path: string, spec: KeySpec): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const key of Object.keys(map)) {
    const pos = keyPosition(map as ConfigMap, key);
    const lower = key.toLowerCase();
    const canonical = Object.keys(spec).find((c) => (spec[c] ?? [c]).includes(lower));
    if (canonical === undefined) {
      const known = Object.values(spec).flatMap((names) => names ?? []);
      fail(path, `unknown key ${JSON.stringify(key)} (expected one of ${known.join(', ')})`, pos);
    }
    if (spec[canonical] === null) fail(`${path}.${key}`, 'not supported by this server', pos);
    const prev = out.get(canonical);
    if (prev !== undefined) fail(path, `${JSON.stringify(prev.key)} and ${JSON.stringify(key)} both given`, pos);
    out.set(canonical, { key, value: map[key], pos });
  }
  return out;
}

function str(f: Field, path: string): string {
  if (typeof f.value !== 'string') expected(`${path}.${f.key}`, 'a string', f.value, f.pos);
  return f.value;
}

/**
 * nats-server IsValidSubject: non-empty tokens without white space, and
 * `>` only as the last token.
 */
function isValidSubject(s: string): boolean {
  if (s === '') return false;
  let start = 0;
  for (;;) {
    const dot = s.indexOf('.', start);
    const end = dot === -1 ? s.length : dot;
    if (end === start) return false;
    for (let i = start; i < end; i++) {
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') return false;
    }
    if (end - start === 1 && s[start] === '>' && dot !== -1) return false;
    if (dot === -1) return true;
    start = dot + 1;
  }
}

/** nats-server checkPermSubjectArray: a subject, or `"subject queue"`. */
function isValidPermSubject(s: string): boolean {
  if (isValidSubject(s)) return true;
  const fieldsOf = s.trim().split(/\s+/);
  return fieldsOf.length === 2 && isValidSubject(fieldsOf[0]!);
}

/** A subject or list of subjects; undefined for an empty list (no restriction). */
function subjects(value: unknown, path: string, pos: Pos): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) expected(path, 'a subject or an array of subjects', value, pos);
  list.forEach((s: unknown, i) => {
    const at = typeof value === 'string' ? path : `${path}[${i}]`;
    if (typeof s !== 'string') expected(at, 'a subject string', s, pos);
    if (!isValidPermSubject(s)) expected(at, 'a valid subject (or "<subject> <queue>")', s, pos);
  });
  return list.length === 0 ? undefined : (list as string[]);
}

/** `"a.>"`, `["a", "b"]` (both allow lists) or `{ allow, deny }`; undefined if nothing is listed. */
function subjectPermission(f: Field, path: string): SubjectPermission | undefined {
  const at = `${path}.${f.key}`;
  if (!isMap(f.value)) {
    const allow = subjects(f.value, at, f.pos);
    return allow === undefined ? undefined : { allow };
  }
  const out: SubjectPermission = {};
  for (const [name, g] of fields(f.value, at, SUBJECT_PERM_KEYS)) {
    const list = subjects(g.value, `${at}.${g.key}`, g.pos);
    if (list !== undefined) out[name as 'allow' | 'deny'] = list;
  }
  return out.allow === undefined && out.deny === undefined ? undefined : out;
}

function responsePermission(f: Field, path: string): ResponsePermission | undefined {
  const at = `${path}.${f.key}`;
  if (typeof f.value === 'boolean') return f.value ? {} : undefined;
  if (!isMap(f.value)) expected(at, 'true, false or a map with max and/or expires', f.value, f.pos);
  const out: ResponsePermission = {};
  for (const [name, g] of fields(f.value, at, RESPONSE_KEYS)) {
    if (name === 'max') {
      if (typeof g.value !== 'number' || !Number.isInteger(g.value)) {
        expected(`${at}.${g.key}`, 'an integer number of responses', g.value, g.pos);
      }
      if (g.value !== 0) out.maxMsgs = g.value; // 0: the default, as in nats-server
    } else {
      if (typeof g.value !== 'string') expected(`${at}.${g.key}`, 'a duration string such as "1m"', g.value, g.pos);
      let ms: number;
      try {
        ms = parseDuration(g.value);
      } catch (err) {
        fail(`${at}.${g.key}`, `expected a duration string such as "1m", got ${show(g.value)}`, g.pos, err);
      }
      if (ms !== 0) out.expiresMs = ms;
    }
  }
  return out;
}

/**
 * A permissions map (a user's `permissions`, or `default_permissions`).
 * `where` is its key path, used in error messages.
 */
export function permissionsFromConfig(value: unknown, where: string, pos?: ConfigPosition): Permissions {
  if (!isMap(value)) expected(where, 'a map with publish and/or subscribe', value, pos);
  const out: Permissions = {};
  for (const [name, f] of fields(value, where, PERM_KEYS)) {
    if (name === 'allow_responses') {
      const resp = responsePermission(f, where);
      if (resp !== undefined) out.response = resp;
    } else {
      const perm = subjectPermission(f, where);
      if (perm !== undefined) out[name as 'publish' | 'subscribe'] = perm;
    }
  }
  return out;
}

function userEntry(value: unknown, path: string, pos: Pos): UserEntry {
  if (!isMap(value)) expected(path, 'a map with user and password', value, pos);
  let user: string | undefined;
  const out: Partial<UserEntry> = {};
  for (const [name, f] of fields(value, path, USER_KEYS)) {
    if (name === 'user') user = str(f, path);
    else if (name === 'password') out.password = str(f, path);
    else out.permissions = permissionsFromConfig(f.value, `${path}.${f.key}`, f.pos);
  }
  if (!user) fail(path, 'a user entry requires a user', pos);
  return { user, ...out };
}

/** The top-level `no_auth_user` value. */
export function noAuthUserFromConfig(value: unknown, where = 'no_auth_user', pos?: ConfigPosition): string {
  if (typeof value !== 'string') expected(where, 'a user name', value, pos);
  return value;
}

/**
 * Maps a parsed `authorization { … }` block (and the top-level
 * `no_auth_user`, if given) to AuthOptions, checking each value and, as
 * nats-server does at load time, that the settings fit together.
 * Throws AuthConfigError.
 */
export function authFromConfig(authorization: Record<string, unknown>, where = 'authorization', noAuthUser?: unknown): AuthOptions {
  if (!isMap(authorization)) expected(where, 'a map', authorization, undefined);
  const out: AuthOptions = {};
  for (const [name, f] of fields(authorization, where, AUTH_KEYS)) {
    switch (name) {
      case 'user':
      case 'password':
      case 'token': {
        const v = str(f, where);
        if (v !== '') out[name] = v; // empty is "not set", as in nats-server
        break;
      }
      case 'timeout':
        if (typeof f.value !== 'number' || !(f.value >= 0)) {
          expected(`${where}.${f.key}`, 'a non-negative number of seconds', f.value, f.pos);
        }
        if (f.value > 0) out.timeoutMs = f.value * 1000; // 0: the server default
        break;
      case 'users': {
        const at = `${where}.${f.key}`;
        if (!Array.isArray(f.value)) expected(at, 'an array of user maps', f.value, f.pos);
        const users = f.value.map((u, i) => userEntry(u, `${at}[${i}]`, f.pos));
        if (users.length > 0) out.users = users;
        break;
      }
      default:
        out.defaultPermissions = permissionsFromConfig(f.value, `${where}.${f.key}`, f.pos);
    }
  }
  if (noAuthUser !== undefined) {
    const nau = noAuthUserFromConfig(noAuthUser);
    if (nau !== '') out.noAuthUser = nau;
  }
  validateAuthOptions(out, where);
  return out;
}

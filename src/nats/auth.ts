// Client authentication for the embedded NATS server (STAN-REFERENCE §1.3,
// §1.7, §1.9): a single user/password, a token, or a users list with
// per-user permissions, plus no_auth_user. Mirrors nats-server 2.9's
// processClientOrLeafAuthentication and comparePasswords.
//
// Secrets that look like bcrypt hashes (nats-server's isBcrypt:
// `$2[abxy]$NN$…`) are checked with bcryptjs's async compare, so a CONNECT
// never holds the event loop for the whole hash: bcryptjs yields through
// setImmediate at least every 100 ms of work. Plain secrets are compared as SHA-256 digests with
// timingSafeEqual; the server-side digest is computed once, so neither the
// secret's content nor its length shows in the time taken.
//
// Differences from nats-server 2.9:
//   - Default permissions also apply to a single user or a token (nats-server
//     applies them only to users-list entries), and to everyone when no
//     authentication is configured.
//   - no_auth_user logs in as that user without checking its password
//     (nats-server copies the password into the CONNECT and compares it,
//     which fails for a bcrypt-hashed password).
//   - A password without a user is an error (nats-server ignored it).

import { createHash, timingSafeEqual } from 'node:crypto';
import { type Permissions, PermissionChecker, permissionCheckerFor } from './permissions.js';

export interface UserEntry {
  user: string;
  /** Plain text or a bcrypt hash. Absent: the user connects with no password. */
  password?: string;
  /** Absent: the default permissions. */
  permissions?: Permissions;
}

export interface AuthOptions {
  user?: string;
  password?: string;
  token?: string;
  users?: UserEntry[];
  defaultPermissions?: Permissions;
  /** A CONNECT without credentials logs in as this member of `users`. */
  noAuthUser?: string;
  /** Time allowed for a valid CONNECT; the server picks a default when absent. */
  timeoutMs?: number;
}

export interface AuthResult {
  /** The user name logged in as (absent for token or no authentication). */
  user?: string;
  /** This connection's checker; null when everything is allowed. */
  permissions: PermissionChecker | null;
}

/** The credential fields of a CONNECT (STAN-REFERENCE §1.3). */
export interface ConnectCredentials {
  user?: unknown;
  pass?: unknown;
  auth_token?: unknown;
}

/** Invalid authorization settings; the message starts with the key path. */
export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
  /** Key path of the bad setting, e.g. `authorization.users[1].user`. */
  readonly path: string;
  /** What is wrong, without the path. */
  readonly reason: string;

  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`${path}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** nats-server isBcrypt: `$2` then a, b, x or y, `$`, two digits, `$`. */
export function isBcrypt(secret: string): boolean {
  if (secret.length < 7 || !secret.startsWith('$2') || secret[3] !== '$' || secret[6] !== '$') return false;
  const minor = secret[2];
  if (minor !== 'a' && minor !== 'b' && minor !== 'x' && minor !== 'y') return false;
  return isDigit(secret.charCodeAt(4)) && isDigit(secret.charCodeAt(5));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

type Secret = { readonly hash: string } | { readonly digest: Buffer };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function secretOf(value: string): Secret {
  if (!isBcrypt(value)) return { digest: sha256(value) };
  // bcryptjs knows 2a, 2b and 2y; Go's bcrypt (nats-server) reads 2x as 2a.
  return { hash: value[2] === 'x' ? `$2a${value.slice(3)}` : value };
}

/** Does `given` (absent = empty, as in nats-server) match the stored secret? */
async function verify(secret: Secret, given: string): Promise<boolean> {
  if ('digest' in secret) return timingSafeEqual(secret.digest, sha256(given));
  try {
    // bcryptjs loads on the first bcrypt check, not at every start.
    const { compare } = await import('bcryptjs');
    return await compare(given, secret.hash);
  } catch {
    return false; // a malformed hash matches nothing
  }
}

/**
 * Checks that the options make sense together, as nats-server's config
 * loader and validateNoAuthUser do. Throws AuthConfigError; `where` names
 * the authorization block in messages.
 */
export function validateAuthOptions(opts: AuthOptions, where = 'authorization'): void {
  const users = opts.users ?? [];
  const single = Boolean(opts.user) || Boolean(opts.password);
  if (users.length > 0 && single) {
    throw new AuthConfigError(where, 'cannot have a single user/pass and a users array');
  }
  if (users.length > 0 && opts.token) throw new AuthConfigError(where, 'cannot have a token and a users array');
  if (single && opts.token) throw new AuthConfigError(where, 'cannot have a user/pass and a token');
  if (opts.password && !opts.user) throw new AuthConfigError(where, 'a password requires a user');
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0 && Number.isFinite(opts.timeoutMs))) {
    throw new AuthConfigError(`${where}.timeout`, `expected a non-negative number of seconds, got ${opts.timeoutMs / 1000}`);
  }
  checkPermissions(opts.defaultPermissions, `${where}.permissions`);
  const seen = new Set<string>();
  users.forEach((u, i) => {
    const path = `${where}.users[${i}]`;
    if (typeof u.user !== 'string' || u.user === '') throw new AuthConfigError(path, 'a user entry requires a user');
    if (seen.has(u.user)) throw new AuthConfigError(`${path}.user`, `duplicate user ${JSON.stringify(u.user)}`);
    seen.add(u.user);
    checkPermissions(u.permissions, `${path}.permissions`);
  });
  const nau = opts.noAuthUser;
  if (nau !== undefined && nau !== '') {
    if (users.length === 0) {
      throw new AuthConfigError('no_auth_user', `${JSON.stringify(nau)} present, but users are not defined`);
    }
    if (!seen.has(nau)) {
      throw new AuthConfigError('no_auth_user', `${JSON.stringify(nau)} not present as user in ${where}`);
    }
  }
}

function checkPermissions(perms: Permissions | undefined, path: string): void {
  if (perms === undefined) return;
  try {
    new PermissionChecker(perms);
  } catch (err) {
    throw new AuthConfigError(path, (err as Error).message, { cause: err });
  }
}

interface UserRecord {
  readonly secret: Secret;
  readonly permissions: Permissions | undefined;
}

/** A CONNECT field as a string: absent is '', a non-string is null (refused). */
function credential(v: unknown): string | null {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : null;
}

export class Authenticator {
  /** True if a CONNECT must carry credentials (INFO `auth_required`). */
  readonly required: boolean;
  readonly #users: Map<string, UserRecord> | null;
  readonly #user: { readonly name: Buffer; readonly secret: Secret } | null;
  readonly #token: Secret | null;
  readonly #defaults: Permissions | undefined;
  readonly #noAuthUser: string | undefined;

  /** Throws AuthConfigError for inconsistent options (see validateAuthOptions). */
  constructor(opts: AuthOptions = {}) {
    validateAuthOptions(opts);
    this.#defaults = opts.defaultPermissions;
    this.#noAuthUser = opts.noAuthUser || undefined;
    const users = opts.users ?? [];
    this.#users =
      users.length === 0
        ? null
        : new Map(users.map((u) => [u.user, { secret: secretOf(u.password ?? ''), permissions: u.permissions }]));
    this.#user = opts.user ? { name: sha256(opts.user), secret: secretOf(opts.password ?? '') } : null;
    this.#token = opts.token ? secretOf(opts.token) : null;
    this.required = this.#users !== null || this.#user !== null || this.#token !== null;
  }

  /** A fresh checker with the default permissions, or null (everything allowed). */
  defaultPermissions(): PermissionChecker | null {
    return permissionCheckerFor(this.#defaults);
  }

  /**
   * Checks a CONNECT's credentials. Resolves to null on an Authorization
   * Violation, else to the user and a fresh permission checker for this
   * connection (the user's permissions, else the defaults).
   */
  async authenticate(connect: ConnectCredentials): Promise<AuthResult | null> {
    if (!this.required) return { permissions: this.defaultPermissions() };
    const user = credential(connect.user);
    const pass = credential(connect.pass);
    const token = credential(connect.auth_token);
    if (user === null || pass === null || token === null) return null;

    if (this.#users !== null) {
      let name = user;
      if (name === '') {
        if (this.#noAuthUser === undefined || pass !== '' || token !== '') return null;
        name = this.#noAuthUser;
        const record = this.#users.get(name)!;
        return { user: name, permissions: permissionCheckerFor(record.permissions ?? this.#defaults) };
      }
      const record = this.#users.get(name);
      if (record === undefined || !(await verify(record.secret, pass))) return null;
      return { user: name, permissions: permissionCheckerFor(record.permissions ?? this.#defaults) };
    }

    if (this.#token !== null) {
      if (!(await verify(this.#token, token))) return null;
      return { permissions: this.defaultPermissions() };
    }

    const single = this.#user!;
    // Both checks always run: a wrong name costs the same as a wrong password.
    const nameOk = timingSafeEqual(single.name, sha256(user));
    const passOk = await verify(single.secret, pass);
    if (!nameOk || !passOk) return null;
    return { user, permissions: this.defaultPermissions() };
  }
}

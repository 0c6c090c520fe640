import { genSalt, hash } from 'bcryptjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AuthConfigError,
  type AuthOptions,
  type AuthResult,
  Authenticator,
  type ConnectCredentials,
  isBcrypt,
  validateAuthOptions,
} from '../../src/nats/auth.js';
import { PermissionChecker } from '../../src/nats/permissions.js';

/** Cost 4 keeps the tests fast; the cost is part of the hash, so any cost verifies. */
const COST = 4;

async function bcryptWith(minor: 'a' | 'b' | 'y', secret: string): Promise<string> {
  const salt = (await genSalt(COST)).replace(/^\$2b\$/, `$2${minor}$`);
  return hash(secret, salt);
}

/** Summarises a result as [user, which permissions] for table comparisons. */
function summary(r: AuthResult | null): [string | undefined, string] | null {
  if (r === null) return null;
  if (r.permissions === null) return [r.user, 'all'];
  const p = r.permissions;
  return [r.user, `pub:${p.canPublish('admin') ? 'admin' : p.canPublish('user') ? 'user' : 'none'}`];
}

type Row = [string, ConnectCredentials, ReturnType<typeof summary>];

async function check(auth: Authenticator, rows: Row[]): Promise<void> {
  for (const [name, connect, want] of rows) {
    assert.equal(summary(await auth.authenticate(connect)), want, name);
  }
}

const ADMIN = { publish: { allow: ['admin', 'user'] } };
const USER = { publish: { allow: ['user'] } };
const NONE = { publish: { allow: [] } };

const none = suite('nats/auth without authentication');

none('not required; everyone gets the default permissions', async () => {
  const open = new Authenticator();
  assert.not.ok(open.required);
  await check(open, [
    ['nothing', {}, [undefined, 'all']],
    ['credentials are ignored', { user: 'x', pass: 'y', auth_token: 'z' }, [undefined, 'all']],
  ]);
  const restricted = new Authenticator({ defaultPermissions: USER });
  assert.not.ok(restricted.required);
  await check(restricted, [['defaults', {}, [undefined, 'pub:user']]]);
  assert.instance(restricted.defaultPermissions(), PermissionChecker);
  assert.is.not(restricted.defaultPermissions(), restricted.defaultPermissions(), 'a fresh checker per connection');
  assert.is(open.defaultPermissions(), null);
});
none('empty users array and empty strings mean no authentication', () => {
  assert.not.ok(new Authenticator({ users: [] }).required);
  assert.not.ok(new Authenticator({ user: '', token: '' }).required);
});
none.run();

const single = suite('nats/auth single user');

single('plain password', async () => {
  const auth = new Authenticator({ user: 'alice', password: 's3cret' });
  assert.ok(auth.required);
  await check(auth, [
    ['right', { user: 'alice', pass: 's3cret' }, ['alice', 'all']],
    ['wrong password', { user: 'alice', pass: 's3cre' }, null],
    ['longer password', { user: 'alice', pass: 's3cret!' }, null],
    ['wrong user', { user: 'bob', pass: 's3cret' }, null],
    ['user case matters', { user: 'Alice', pass: 's3cret' }, null],
    ['missing password', { user: 'alice' }, null],
    ['missing credentials', {}, null],
    ['token instead', { auth_token: 's3cret' }, null],
    ['non-string password', { user: 'alice', pass: 123 }, null],
    ['null password', { user: 'alice', pass: null }, null],
  ]);
});

single('bcrypt password and default permissions', async () => {
  const auth = new Authenticator({ user: 'alice', password: await hash('s3cret', COST), defaultPermissions: USER });
  await check(auth, [
    ['right', { user: 'alice', pass: 's3cret' }, ['alice', 'pub:user']],
    ['wrong', { user: 'alice', pass: 'nope' }, null],
    ['the hash itself is not the password', { user: 'alice', pass: (await hash('s3cret', COST)) }, null],
    ['wrong user', { user: 'bob', pass: 's3cret' }, null],
  ]);
});

single('a user without password connects with none', async () => {
  const auth = new Authenticator({ user: 'alice' });
  await check(auth, [
    ['no password', { user: 'alice' }, ['alice', 'all']],
    ['empty password', { user: 'alice', pass: '' }, ['alice', 'all']],
    ['some password', { user: 'alice', pass: 'x' }, null],
  ]);
});
single.run();

const token = suite('nats/auth token');

token('plain token', async () => {
  const auth = new Authenticator({ token: 'T0k3n' });
  assert.ok(auth.required);
  await check(auth, [
    ['right', { auth_token: 'T0k3n' }, [undefined, 'all']],
    ['right, with a user too (ignored, as nats-server)', { auth_token: 'T0k3n', user: 'x' }, [undefined, 'all']],
    ['wrong', { auth_token: 'T0k3m' }, null],
    ['prefix', { auth_token: 'T0k3' }, null],
    ['as a password', { user: 'T0k3n', pass: 'T0k3n' }, null],
    ['missing', {}, null],
    ['non-string', { auth_token: ['T0k3n'] }, null],
  ]);
});

token('bcrypt token', async () => {
  const auth = new Authenticator({ token: await hash('T0k3n', COST), defaultPermissions: USER });
  await check(auth, [
    ['right', { auth_token: 'T0k3n' }, [undefined, 'pub:user']],
    ['wrong', { auth_token: 'x' }, null],
    ['as a password', { pass: 'T0k3n' }, null],
  ]);
});
token.run();

const users = suite('nats/auth users');

users('users list: plain and bcrypt passwords of every prefix, own or default permissions', async () => {
  const auth = new Authenticator({
    users: [
      { user: 'admin', password: 'adm1n', permissions: ADMIN },
      { user: 'bob', password: await bcryptWith('a', 'b0b') },
      { user: 'carl', password: await bcryptWith('b', 'c4rl'), permissions: {} },
      { user: 'dana', password: await bcryptWith('y', 'd4na') },
      // Go's bcrypt reads $2x$ as $2a$; bcryptjs does not know 2x.
      { user: 'eve', password: (await bcryptWith('a', '3ve')).replace(/^\$2a\$/, '$2x$') },
      { user: 'nopass' },
    ],
    defaultPermissions: USER,
  });
  assert.ok(auth.required);
  await check(auth, [
    ['admin', { user: 'admin', pass: 'adm1n' }, ['admin', 'pub:admin']],
    ['bob ($2a$)', { user: 'bob', pass: 'b0b' }, ['bob', 'pub:user']],
    ['carl ($2b$), empty permissions override the defaults', { user: 'carl', pass: 'c4rl' }, ['carl', 'all']],
    ['dana ($2y$)', { user: 'dana', pass: 'd4na' }, ['dana', 'pub:user']],
    ['eve ($2x$)', { user: 'eve', pass: '3ve' }, ['eve', 'pub:user']],
    ['user without password', { user: 'nopass' }, ['nopass', 'pub:user']],
    ['wrong password', { user: 'admin', pass: 'b0b' }, null],
    ['wrong bcrypt password', { user: 'bob', pass: 'adm1n' }, null],
    ['unknown user', { user: 'mallory', pass: 'adm1n' }, null],
    ['missing credentials', {}, null],
    ['password only', { pass: 'adm1n' }, null],
    ['token only', { auth_token: 'adm1n' }, null],
  ]);
});

users('a malformed bcrypt hash matches nothing', async () => {
  const auth = new Authenticator({ users: [{ user: 'u', password: '$2a$04$short' }] });
  await check(auth, [
    ['the hash text', { user: 'u', pass: '$2a$04$short' }, null],
    ['empty', { user: 'u' }, null],
  ]);
});

users('no_auth_user: a CONNECT without credentials logs in as that user', async () => {
  const auth = new Authenticator({
    users: [
      { user: 'guest', password: await hash('guest-pw', COST), permissions: NONE },
      { user: 'admin', password: 'adm1n', permissions: ADMIN },
    ],
    noAuthUser: 'guest',
  });
  await check(auth, [
    ['no credentials', {}, ['guest', 'pub:none']],
    ['empty strings count as none', { user: '', pass: '', auth_token: '' }, ['guest', 'pub:none']],
    ['a password without user is not anonymous', { pass: 'adm1n' }, null],
    ['a token is not anonymous', { auth_token: 'x' }, null],
    ['other users still log in', { user: 'admin', pass: 'adm1n' }, ['admin', 'pub:admin']],
    ['the guest by name needs its password', { user: 'guest' }, null],
    ['the guest by name with its password', { user: 'guest', pass: 'guest-pw' }, ['guest', 'pub:none']],
    ['wrong password does not fall back to the guest', { user: 'admin', pass: 'x' }, null],
  ]);
});
users.run();

const validate = suite('nats/auth option checks');

// [options, message]
const BAD: [AuthOptions, string][] = [
  [{ user: 'a', password: 'p', users: [{ user: 'b' }] }, 'authorization: cannot have a single user/pass and a users array'],
  [{ password: 'p', users: [{ user: 'b' }] }, 'authorization: cannot have a single user/pass and a users array'],
  [{ token: 't', users: [{ user: 'b' }] }, 'authorization: cannot have a token and a users array'],
  [{ user: 'a', token: 't' }, 'authorization: cannot have a user/pass and a token'],
  [{ user: 'a', password: 'p', token: 't' }, 'authorization: cannot have a user/pass and a token'],
  [{ password: 'p' }, 'authorization: a password requires a user'],
  [{ timeoutMs: -1 }, 'authorization.timeout: expected a non-negative number of seconds, got -0.001'],
  [{ timeoutMs: Number.NaN }, 'authorization.timeout: expected a non-negative number of seconds, got NaN'],
  [{ users: [{ user: 'a' }, { user: '' }] }, 'authorization.users[1]: a user entry requires a user'],
  [{ users: [{ user: 'a' }, { user: 'a' }] }, 'authorization.users[1].user: duplicate user "a"'],
  [{ users: [{ user: 'a', permissions: { subscribe: { allow: ['x y z'] } } }] }, 'authorization.users[0].permissions: invalid subject-queue "x y z"'],
  [{ defaultPermissions: { subscribe: { deny: ['x y z'] } } }, 'authorization.permissions: invalid subject-queue "x y z"'],
  [{ noAuthUser: 'guest' }, 'no_auth_user: "guest" present, but users are not defined'],
  [{ users: [{ user: 'a' }], noAuthUser: 'guest' }, 'no_auth_user: "guest" not present as user in authorization'],
];

for (const [opts, message] of BAD) {
  validate(message, () => {
    try {
      new Authenticator(opts);
    } catch (err) {
      assert.instance(err, AuthConfigError);
      assert.is((err as Error).name, 'AuthConfigError');
      assert.is((err as Error).message, message);
      return;
    }
    assert.unreachable('expected AuthConfigError');
  });
}

validate('validateAuthOptions names the block it is given', () => {
  assert.throws(() => validateAuthOptions({ user: 'a', token: 't' }, 'cluster.authorization'), (err: Error) => {
    return err.message === 'cluster.authorization: cannot have a user/pass and a token' && (err as AuthConfigError).path === 'cluster.authorization';
  });
  validateAuthOptions({ users: [{ user: 'a' }], noAuthUser: 'a', timeoutMs: 0 });
});
validate.run();

const bc = suite('nats/auth isBcrypt');
// [secret, is bcrypt]
const BCRYPT: [string, boolean][] = [
  ['$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS', true],
  ['$2b$04$x', true],
  ['$2x$10$', true],
  ['$2y$10$', true],
  ['$2c$10$', false],
  ['$2a$1$x', false],
  ['$2a$ab$x', false],
  ['$2a10$xx', false],
  ['$2$10$xx', false],
  ['2a$10$xxx', false],
  ['$1$abc', false],
  ['', false],
];
for (const [secret, want] of BCRYPT) {
  bc(`${JSON.stringify(secret)} → ${want}`, () => assert.is(isBcrypt(secret), want));
}
bc.run();

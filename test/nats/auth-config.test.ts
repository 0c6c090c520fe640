import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/index.js';
import type { AuthOptions } from '../../src/nats/auth.js';
import { Authenticator } from '../../src/nats/auth.js';
import { AuthConfigError, authFromConfig, noAuthUserFromConfig, permissionsFromConfig } from '../../src/nats/auth-config.js';

// [name, authorization block, no_auth_user, expected options]
type Good = [string, Record<string, unknown>, unknown, AuthOptions];

const GOOD: Good[] = [
  ['empty block', {}, undefined, {}],
  ['user and password', { user: 'alice', password: 's3cret' }, undefined, { user: 'alice', password: 's3cret' }],
  ['username and pass', { username: 'alice', pass: 's3cret' }, undefined, { user: 'alice', password: 's3cret' }],
  ['keys in any case', { USER: 'alice', Password: 's3cret', TimeOut: 1 }, undefined, { user: 'alice', password: 's3cret', timeoutMs: 1000 }],
  ['bcrypt password kept as is', { user: 'a', password: '$2a$11$abc' }, undefined, { user: 'a', password: '$2a$11$abc' }],
  ['token', { token: 'T0k3n' }, undefined, { token: 'T0k3n' }],
  ['empty strings are not set', { user: '', password: '', token: '' }, undefined, {}],
  ['integer timeout', { timeout: 2 }, undefined, { timeoutMs: 2000 }],
  ['float timeout', { timeout: 0.75 }, undefined, { timeoutMs: 750 }],
  ['zero timeout is the default', { timeout: 0 }, undefined, {}],
  ['empty users array', { users: [] }, undefined, {}],
  [
    'users with both spellings and every permission key',
    {
      users: [
        { user: 'a', password: 'pa', permissions: { publish: 'x.>' } },
        { username: 'b', pass: 'pb', permission: { pub: ['x', 'y.*'] } },
        { User: 'c', authorization: { sub: { allow: 'z', deny: ['z.secret'] } } },
        { user: 'd' },
      ],
    },
    undefined,
    {
      users: [
        { user: 'a', password: 'pa', permissions: { publish: { allow: ['x.>'] } } },
        { user: 'b', password: 'pb', permissions: { publish: { allow: ['x', 'y.*'] } } },
        { user: 'c', permissions: { subscribe: { allow: ['z'], deny: ['z.secret'] } } },
        { user: 'd' },
      ],
    },
  ],
  [
    'default permissions under every key',
    { permissions: { publish: { deny: ['a'] } } },
    undefined,
    { defaultPermissions: { publish: { deny: ['a'] } } },
  ],
  ['default_permissions', { default_permissions: { subscribe: ['_INBOX.>'] } }, undefined, { defaultPermissions: { subscribe: { allow: ['_INBOX.>'] } } }],
  ['default_permission', { Default_Permission: { import: 'a', export: 'b' } }, undefined, { defaultPermissions: { publish: { allow: ['a'] }, subscribe: { allow: ['b'] } } }],
  [
    'empty lists and maps mean no list',
    { permissions: { publish: [], subscribe: { allow: [], deny: [] } } },
    undefined,
    { defaultPermissions: {} },
  ],
  ['empty permission map', { permissions: { publish: {} } }, undefined, { defaultPermissions: {} }],
  [
    'queue-qualified subscribe entries',
    { permissions: { subscribe: { allow: ['jobs.* workers', 'tasks.>  v1.*'], deny: 'jobs.secret workers' } } },
    undefined,
    { defaultPermissions: { subscribe: { allow: ['jobs.* workers', 'tasks.>  v1.*'], deny: ['jobs.secret workers'] } } },
  ],
  ['allow_responses true', { permissions: { allow_responses: true } }, undefined, { defaultPermissions: { response: {} } }],
  ['allow_responses false', { permissions: { allow_responses: false } }, undefined, { defaultPermissions: {} }],
  [
    'allow_responses map',
    { permissions: { publish_allow_responses: { max: 5, expires: '1m' } } },
    undefined,
    { defaultPermissions: { response: { maxMsgs: 5, expiresMs: 60_000 } } },
  ],
  [
    'allow_responses aliases; zeros mean the defaults; negatives kept',
    { permissions: { allow_responses: { max_responses: 0, ttl: '0s' } }, users: [{ user: 'u', permissions: { allow_responses: { MAX_MSGS: -1, expiration: '-1s' } } }] },
    undefined,
    { defaultPermissions: { response: {} }, users: [{ user: 'u', permissions: { response: { maxMsgs: -1, expiresMs: -1000 } } }] },
  ],
  ['no_auth_user', { users: [{ user: 'guest' }, { user: 'admin', password: 'x' }] }, 'guest', { users: [{ user: 'guest' }, { user: 'admin', password: 'x' }], noAuthUser: 'guest' }],
  ['empty no_auth_user is not set', { users: [{ user: 'a' }] }, '', { users: [{ user: 'a' }] }],
];

const good = suite('nats/auth-config accepted forms');
for (const [name, block, nau, want] of GOOD) {
  good(name, () => {
    const opts = authFromConfig(block, 'authorization', nau);
    assert.equal(opts, want);
    new Authenticator(opts); // and the result is usable as is
  });
}

good('permissionsFromConfig on its own', () => {
  assert.equal(permissionsFromConfig({ publish: '>', subscribe: ['a', 'b'] }, 'default_permissions'), {
    publish: { allow: ['>'] },
    subscribe: { allow: ['a', 'b'] },
  });
});

good('noAuthUserFromConfig', () => {
  assert.is(noAuthUserFromConfig('guest'), 'guest');
});

good('a parsed configuration file', () => {
  const conf = parseConfig(`
    no_auth_user: guest
    authorization {
      timeout: 2.5
      users = [
        {user: admin, password: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS, permissions: {publish: ">", subscribe: ">"}}
        {
          user: "client"
          password: "s3cr3t"
          permissions: {
            publish: ["_STAN.>", "orders.*"]
            subscribe: {allow: ["_INBOX.>"], deny: ["secret.>"]}
            allow_responses: {max: 2, expires: "30s"}
          }
        }
        {user: guest, permissions: {publish: [], subscribe: "public.>"}}
      ]
    }
  `);
  const opts = authFromConfig(conf['authorization'] as Record<string, unknown>, 'authorization', conf['no_auth_user']);
  assert.equal(opts, {
    timeoutMs: 2500,
    users: [
      {
        user: 'admin',
        password: '$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS',
        permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } },
      },
      {
        user: 'client',
        password: 's3cr3t',
        permissions: {
          publish: { allow: ['_STAN.>', 'orders.*'] },
          subscribe: { allow: ['_INBOX.>'], deny: ['secret.>'] },
          response: { maxMsgs: 2, expiresMs: 30_000 },
        },
      },
      { user: 'guest', permissions: { subscribe: { allow: ['public.>'] } } },
    ],
    noAuthUser: 'guest',
  });
});
good.run();

// [name, authorization block, no_auth_user, message]
type Bad = [string, unknown, unknown, string];

const BAD: Bad[] = [
  ['not a map', 'x', undefined, 'authorization: expected a map, got "x"'],
  [
    'unknown key',
    { user: 'a', foo: 1 },
    undefined,
    'authorization: unknown key "foo" (expected one of user, username, password, pass, token, timeout, users, permissions, default_permissions, default_permission)',
  ],
  ['unsupported feature', { auth_callout: {} }, undefined, 'authorization.auth_callout: not supported by this server'],
  ['two spellings of one key', { user: 'a', username: 'b' }, undefined, 'authorization: "user" and "username" both given'],
  ['the same key in two cases', { token: 'a', TOKEN: 'b' }, undefined, 'authorization: "token" and "TOKEN" both given'],
  ['user not a string', { user: 42 }, undefined, 'authorization.user: expected a string, got 42'],
  ['password not a string', { user: 'a', pass: true }, undefined, 'authorization.pass: expected a string, got true'],
  ['token not a string', { token: ['a'] }, undefined, 'authorization.token: expected a string, got ["a"]'],
  ['timeout as a string', { timeout: '2s' }, undefined, 'authorization.timeout: expected a non-negative number of seconds, got "2s"'],
  ['negative timeout', { timeout: -1 }, undefined, 'authorization.timeout: expected a non-negative number of seconds, got -1'],
  ['users not an array', { users: { user: 'a' } }, undefined, 'authorization.users: expected an array of user maps, got {"user":"a"}'],
  ['user entry not a map', { users: [{ user: 'a' }, 'bob'] }, undefined, 'authorization.users[1]: expected a map with user and password, got "bob"'],
  ['user entry without user', { users: [{ password: 'x' }] }, undefined, 'authorization.users[0]: a user entry requires a user'],
  ['user entry with empty user', { users: [{ user: '' }] }, undefined, 'authorization.users[0]: a user entry requires a user'],
  ['user entry name not a string', { users: [{ username: 7 }] }, undefined, 'authorization.users[0].username: expected a string, got 7'],
  [
    'user entry unknown key',
    { users: [{ user: 'a', role: 'admin' }] },
    undefined,
    'authorization.users[0]: unknown key "role" (expected one of user, username, password, pass, permissions, permission, authorization)',
  ],
  ['nkey users', { users: [{ nkey: 'UABC' }] }, undefined, 'authorization.users[0].nkey: not supported by this server'],
  ['connection types', { users: [{ user: 'a', allowed_connection_types: ['STANDARD'] }] }, undefined, 'authorization.users[0].allowed_connection_types: not supported by this server'],
  ['duplicate user', { users: [{ user: 'a' }, { user: 'a' }] }, undefined, 'authorization.users[1].user: duplicate user "a"'],
  ['permissions not a map', { users: [{ user: 'a', permissions: 'all' }] }, undefined, 'authorization.users[0].permissions: expected a map with publish and/or subscribe, got "all"'],
  [
    'permissions unknown key',
    { users: [{ user: 'a', permissions: { publsh: 'x' } }] },
    undefined,
    'authorization.users[0].permissions: unknown key "publsh" (expected one of publish, pub, import, subscribe, sub, export, allow_responses, publish_allow_responses)',
  ],
  ['publish and pub both', { permissions: { publish: 'a', pub: 'b' } }, undefined, 'authorization.permissions: "publish" and "pub" both given'],
  [
    'publish of the wrong type',
    { users: [{ user: 'a' }, { user: 'b', permissions: { publish: 42 } }] },
    undefined,
    'authorization.users[1].permissions.publish: expected a subject or an array of subjects, got 42',
  ],
  [
    'allow entry of the wrong type',
    { users: [{ user: 'a' }, { user: 'b', permissions: { publish: { allow: ['ok', 42] } } }] },
    undefined,
    'authorization.users[1].permissions.publish.allow[1]: expected a subject string, got 42',
  ],
  [
    'allow of the wrong type',
    { permissions: { subscribe: { deny: { a: 1 } } } },
    undefined,
    'authorization.permissions.subscribe.deny: expected a subject or an array of subjects, got {"a":1}',
  ],
  ['empty token in a subject', { permissions: { sub: ['foo..bar'] } }, undefined, 'authorization.permissions.sub[0]: expected a valid subject (or "<subject> <queue>"), got "foo..bar"'],
  ['trailing dot', { permissions: { publish: 'foo.' } }, undefined, 'authorization.permissions.publish: expected a valid subject (or "<subject> <queue>"), got "foo."'],
  ['> not last', { permissions: { publish: ['foo.>.bar'] } }, undefined, 'authorization.permissions.publish[0]: expected a valid subject (or "<subject> <queue>"), got "foo.>.bar"'],
  ['empty subject', { permissions: { publish: [''] } }, undefined, 'authorization.permissions.publish[0]: expected a valid subject (or "<subject> <queue>"), got ""'],
  ['three fields', { permissions: { subscribe: ['a b c'] } }, undefined, 'authorization.permissions.subscribe[0]: expected a valid subject (or "<subject> <queue>"), got "a b c"'],
  ['bad subject before a queue', { permissions: { subscribe: ['a..b q'] } }, undefined, 'authorization.permissions.subscribe[0]: expected a valid subject (or "<subject> <queue>"), got "a..b q"'],
  [
    'subject permission unknown key',
    { permissions: { publish: { allowed: ['a'] } } },
    undefined,
    'authorization.permissions.publish: unknown key "allowed" (expected one of allow, deny)',
  ],
  [
    'allow_responses of the wrong type',
    { permissions: { allow_responses: 'yes' } },
    undefined,
    'authorization.permissions.allow_responses: expected true, false or a map with max and/or expires, got "yes"',
  ],
  ['max not an integer', { permissions: { allow_responses: { max: 1.5 } } }, undefined, 'authorization.permissions.allow_responses.max: expected an integer number of responses, got 1.5'],
  ['expires not a string', { permissions: { allow_responses: { ttl: 60 } } }, undefined, 'authorization.permissions.allow_responses.ttl: expected a duration string such as "1m", got 60'],
  ['expires not a duration', { permissions: { allow_responses: { expires: 'soon' } } }, undefined, 'authorization.permissions.allow_responses.expires: expected a duration string such as "1m", got "soon"'],
  [
    'allow_responses unknown key',
    { permissions: { allow_responses: { count: 1 } } },
    undefined,
    'authorization.permissions.allow_responses: unknown key "count" (expected one of max, max_msgs, max_messages, max_responses, expires, expiration, ttl)',
  ],
  ['users and a single user', { user: 'a', password: 'p', users: [{ user: 'b' }] }, undefined, 'authorization: cannot have a single user/pass and a users array'],
  ['users and a token', { token: 't', users: [{ user: 'b' }] }, undefined, 'authorization: cannot have a token and a users array'],
  ['user and token', { user: 'a', token: 't' }, undefined, 'authorization: cannot have a user/pass and a token'],
  ['password alone', { password: 'p' }, undefined, 'authorization: a password requires a user'],
  ['no_auth_user not a string', { users: [{ user: 'a' }] }, 5, 'no_auth_user: expected a user name, got 5'],
  ['no_auth_user without users', { user: 'a' }, 'guest', 'no_auth_user: "guest" present, but users are not defined'],
  ['no_auth_user not among users', { users: [{ user: 'a' }] }, 'guest', 'no_auth_user: "guest" not present as user in authorization'],
  ['a long value is cut short', { users: 'x'.repeat(100) }, undefined, `authorization.users: expected an array of user maps, got "${'x'.repeat(56)}...`],
];

function throwsAuthConfig(fn: () => unknown, message: string): AuthConfigError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, AuthConfigError);
    assert.is((err as Error).message, message);
    return err as AuthConfigError;
  }
  assert.unreachable(`expected AuthConfigError: ${message}`);
  throw new Error('unreachable');
}

const bad = suite('nats/auth-config errors');
for (const [name, block, nau, message] of BAD) {
  bad(name, () => {
    throwsAuthConfig(() => authFromConfig(block as Record<string, unknown>, 'authorization', nau), message);
  });
}

bad('the key path starts at the given name', () => {
  const err = throwsAuthConfig(() => permissionsFromConfig({ publish: 1 }, 'default_permissions'), 'default_permissions.publish: expected a subject or an array of subjects, got 1');
  assert.is(err.path, 'default_permissions.publish');
  assert.is(err.reason, 'expected a subject or an array of subjects, got 1');
});

bad('a date value', () => {
  throwsAuthConfig(
    () => authFromConfig({ user: new Date('2024-01-02T03:04:05Z') }),
    'authorization.user: expected a string, got 2024-01-02T03:04:05.000Z',
  );
});

bad('the cause of a bad duration is kept', () => {
  const err = throwsAuthConfig(
    () => authFromConfig({ permissions: { allow_responses: { expires: '5' } } }),
    'authorization.permissions.allow_responses.expires: expected a duration string such as "1m", got "5"',
  );
  assert.ok(err.cause instanceof Error);
});

bad('positions from a parsed file are appended', () => {
  const conf = parseConfig(
    ['authorization {', '  users: [', '    {user: a, permissions: {publish: {allow: ["ok", 42]}}}', '  ]', '  frobnicate: 1', '}'].join('\n'),
    { file: 'nats.conf' },
  );
  const block = conf['authorization'] as Record<string, unknown>;
  throwsAuthConfig(
    () => authFromConfig({ users: block['users'] }),
    'authorization.users[0].permissions.publish.allow[1]: expected a subject string, got 42 (nats.conf:3:39)',
  );
  throwsAuthConfig(
    () => authFromConfig(block),
    'authorization: unknown key "frobnicate" (expected one of user, username, password, pass, token, timeout, users, permissions, default_permissions, default_permission) (nats.conf:5:3)',
  );
});

bad('a variable defined inside the block counts as an unknown key', () => {
  const conf = parseConfig('authorization {\n  SECRET: "x"\n  user: a\n  password: $SECRET\n}', { file: 'nats.conf' });
  throwsAuthConfig(
    () => authFromConfig(conf['authorization'] as Record<string, unknown>),
    'authorization: unknown key "SECRET" (expected one of user, username, password, pass, token, timeout, users, permissions, default_permissions, default_permission) (nats.conf:2:3)',
  );
});
bad.run();

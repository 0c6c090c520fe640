import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_RESPONSE_EXPIRES_MS,
  PermissionChecker,
  PUB_CACHE_MAX,
  REPLY_PERM_LIMIT,
  type Permissions,
  permissionCheckerFor,
  restricts,
  splitSubjectQueue,
} from '../../src/nats/permissions.js';

interface PubCase {
  name: string;
  perms: Permissions;
  allowed: string[];
  denied: string[];
}

const PUB: PubCase[] = [
  { name: 'no publish section', perms: { subscribe: { allow: ['x'] } }, allowed: ['foo', 'a.b.c'], denied: [] },
  { name: 'allow only', perms: { publish: { allow: ['foo', 'bar.*'] } }, allowed: ['foo', 'bar.x'], denied: ['baz', 'bar', 'bar.x.y', 'foo.x'] },
  { name: 'allow full wildcard', perms: { publish: { allow: ['_STAN.>'] } }, allowed: ['_STAN.pub.c1.foo', '_STAN.x'], denied: ['_STAN', 'foo'] },
  { name: 'deny only', perms: { publish: { deny: ['secret.>', 'admin'] } }, allowed: ['foo', 'secret', 'admin.x'], denied: ['secret.a', 'secret.a.b', 'admin'] },
  {
    name: 'allow and deny (deny wins)',
    perms: { publish: { allow: ['orders.>'], deny: ['orders.*.cancel'] } },
    allowed: ['orders.1', 'orders.1.create', 'orders.1.cancel.x'],
    denied: ['orders.1.cancel', 'orders', 'other'],
  },
  { name: 'explicit empty allow list allows nothing', perms: { publish: { allow: [] } }, allowed: [], denied: ['foo', 'x.y'] },
  { name: 'empty deny list denies nothing', perms: { publish: { deny: [] } }, allowed: ['foo'], denied: [] },
  // Wildcards in a published subject compare as literal tokens.
  { name: 'wildcard subject vs literal allow', perms: { publish: { allow: ['foo.bar'] } }, allowed: ['foo.bar'], denied: ['foo.*', 'foo.>'] },
  { name: 'wildcard subject vs wildcard allow', perms: { publish: { allow: ['foo.*'] } }, allowed: ['foo.*', 'foo.>'], denied: ['*.*'] },
];

const pub = suite('nats/permissions canPublish');
for (const c of PUB) {
  pub(c.name, () => {
    const p = new PermissionChecker(c.perms);
    for (let round = 0; round < 2; round++) {
      // The second round answers from the cache.
      for (const s of c.allowed) assert.ok(p.canPublish(s), `${s} allowed`);
      for (const s of c.denied) assert.not.ok(p.canPublish(s), `${s} denied`);
    }
  });
}

pub('the cache stays bounded and answers stay right past it', () => {
  const p = new PermissionChecker({ publish: { allow: ['even.>'] } });
  for (let i = 0; i < PUB_CACHE_MAX * 5; i++) {
    assert.is(p.canPublish(`${i % 2 === 0 ? 'even' : 'odd'}.${i}`), i % 2 === 0);
  }
  assert.ok(p.canPublish('even.0'));
  assert.not.ok(p.canPublish('odd.1'));
});
pub.run();

// [subject, queue, allowed]
type SubCase = [string, string | undefined, boolean];

const SUB: { name: string; perms: Permissions; cases: SubCase[] }[] = [
  {
    name: 'no subscribe section',
    perms: { publish: { allow: ['x'] } },
    cases: [['foo', undefined, true], ['>', undefined, true], ['foo', 'q', true]],
  },
  {
    name: 'allow only: the subscription must lie inside an allow entry',
    perms: { subscribe: { allow: ['foo.*', '_INBOX.>', 'bar'] } },
    cases: [
      ['foo.bar', undefined, true],
      ['foo.*', undefined, true],
      ['foo.>', undefined, false], // nats-server 2.9 allowed this one
      ['foo', undefined, false],
      ['foo.bar.baz', undefined, false],
      ['_INBOX.abc', undefined, true],
      ['_INBOX.*', undefined, true],
      ['_INBOX.>', undefined, true],
      ['_INBOX', undefined, false],
      ['bar', undefined, true],
      ['bar', 'q1', true],
      ['*', undefined, false],
      ['>', undefined, false],
    ],
  },
  {
    name: 'deny only: a matching deny entry refuses',
    perms: { subscribe: { deny: ['secret.>', 'admin.*'] } },
    cases: [
      ['foo', undefined, true],
      ['secret.a', undefined, false],
      ['secret.a.b', undefined, false],
      ['secret.*', undefined, false],
      ['secret.>', undefined, false],
      ['secret', undefined, true],
      ['admin.x', undefined, false],
      ['admin.*', undefined, false],
      ['admin.>', undefined, false], // `*` takes the literal token `>`, as nats-server
      ['admin.x.y', undefined, true],
      // Wider wildcards overlap the deny entries: allowed, filtered on delivery.
      ['>', undefined, true],
      ['*.x', undefined, true],
    ],
  },
  {
    name: 'allow and deny',
    perms: { subscribe: { allow: ['orders.>'], deny: ['orders.secret'] } },
    cases: [
      ['orders.1', undefined, true],
      ['orders.secret', undefined, false],
      ['orders.*', undefined, true],
      ['orders.>', undefined, true],
      ['other', undefined, false],
    ],
  },
  {
    name: 'queue-qualified allow entries',
    perms: { subscribe: { allow: ['plain.>', 'jobs.* workers', 'tasks.> v1.*', '  spaced\tgroup  '] } },
    cases: [
      ['plain.x', undefined, true],
      ['plain.x', 'any', true],
      ['jobs.a', 'workers', true],
      ['jobs.a', 'others', false],
      ['jobs.a', undefined, false],
      ['jobs.*', 'workers', true],
      ['jobs.>', 'workers', false],
      ['tasks.a.b', 'v1.x', true],
      ['tasks.a', 'v1.*', true],
      ['tasks.a', 'v1', false],
      ['tasks.a', 'v2.x', false],
      ['spaced', 'group', true],
      ['spaced', undefined, false],
      ['jobs.a', '', false],
    ],
  },
  {
    name: 'queue-qualified deny entries deny only that queue',
    perms: { subscribe: { deny: ['jobs.* slow', 'tasks.> v1.*', 'all.>'] } },
    cases: [
      ['jobs.a', undefined, true],
      ['jobs.a', 'slow', false],
      ['jobs.a', 'fast', true],
      ['tasks.a', 'v1.x', false],
      ['tasks.a', 'v2.x', true],
      ['all.x', undefined, false],
      ['all.x', 'q', false], // a plain deny entry covers every queue
    ],
  },
  {
    name: 'plain and queue allow entries together',
    perms: { subscribe: { allow: ['foo', 'foo q2'] } },
    cases: [
      ['foo', 'q1', true], // nats-server 2.9 let the queue entry override: false
      ['foo', 'q2', true],
      ['foo', undefined, true],
    ],
  },
  {
    name: 'explicit empty allow list allows nothing',
    perms: { subscribe: { allow: [] } },
    cases: [['foo', undefined, false], ['foo', 'q', false]],
  },
];

const sub = suite('nats/permissions canSubscribe');
for (const c of SUB) {
  sub(c.name, () => {
    const p = new PermissionChecker(c.perms);
    for (const [subject, queue, want] of c.cases) {
      assert.is(p.canSubscribe(subject, queue), want, `${subject}${queue === undefined ? '' : ` (${queue})`}`);
    }
  });
}

sub('a subscribe entry with more than two fields is rejected', () => {
  assert.throws(() => new PermissionChecker({ subscribe: { allow: ['a b c'] } }), /invalid subject-queue "a b c"/);
  assert.throws(() => new PermissionChecker({ subscribe: { deny: ['a b c'] } }), /invalid subject-queue/);
});

sub('splitSubjectQueue', () => {
  assert.equal(splitSubjectQueue('foo'), { subject: 'foo', queue: undefined });
  assert.equal(splitSubjectQueue(' foo  bar '), { subject: 'foo', queue: 'bar' });
  assert.equal(splitSubjectQueue('foo\tbar'), { subject: 'foo', queue: 'bar' });
});
sub.run();

const del = suite('nats/permissions delivery filter');

// [subscription subject, must check deliveries]
const MUST: [string, boolean][] = [
  ['foo', false], // literal: a denied literal is refused at SUB time
  ['foo.*', true], // covers foo.bar
  ['*.bar', true], // covers foo.bar
  ['>', true],
  ['foo.>', true],
  ['baz.*', false], // two tokens: never baz.x.secret
  ['other.*', false],
  ['*.*.*', true], // covers baz.x.secret
];

del('mustCheckDeliveries: wildcard subscriptions that overlap a deny entry', () => {
  const p = new PermissionChecker({ subscribe: { deny: ['foo.bar', 'baz.*.secret'] } });
  for (const [subject, want] of MUST) assert.is(p.mustCheckDeliveries(subject), want, subject);
});

del('canDeliver refuses denied subjects, from the cache too', () => {
  const p = new PermissionChecker({ subscribe: { deny: ['foo.bar', 'baz.*.secret'] } });
  assert.ok(p.canSubscribe('foo.*'));
  assert.ok(p.mustCheckDeliveries('foo.*'));
  for (let round = 0; round < 2; round++) {
    assert.not.ok(p.canDeliver('foo.bar'));
    assert.ok(p.canDeliver('foo.baz'));
    assert.not.ok(p.canDeliver('baz.x.secret'));
    assert.ok(p.canDeliver('baz.x.public'));
  }
});

del('queue deny entries do not filter deliveries (as nats-server)', () => {
  const p = new PermissionChecker({ subscribe: { deny: ['foo.bar q'] } });
  assert.not.ok(p.mustCheckDeliveries('foo.*'));
  assert.ok(p.canDeliver('foo.bar'));
});

del('no deny list: nothing to check', () => {
  const p = new PermissionChecker({ subscribe: { allow: ['>'] } });
  assert.not.ok(p.mustCheckDeliveries('>'));
  assert.ok(p.canDeliver('anything'));
});
del.run();

const resp = suite('nats/permissions allow_responses');

resp('without a publish allow list only granted replies may be published', () => {
  const p = new PermissionChecker({ response: {} });
  assert.ok(p.tracksReplies);
  assert.not.ok(p.canPublish('_INBOX.1'));
  p.trackReply('_INBOX.1', Date.now());
  assert.ok(p.canPublish('_INBOX.1'), 'first response');
  assert.not.ok(p.canPublish('_INBOX.1'), 'default max is one response');
  assert.not.ok(p.canPublish('other'));
});

resp('max responses and expiry', () => {
  const p = new PermissionChecker({ publish: { allow: ['svc.>'] }, response: { maxMsgs: 2, expiresMs: 50 } });
  assert.ok(p.canPublish('svc.x'), 'the allow list still applies');
  p.trackReply('r1');
  assert.ok(p.canPublish('r1'));
  assert.ok(p.canPublish('r1'));
  assert.not.ok(p.canPublish('r1'));
  p.trackReply('r2', Date.now() - 51);
  assert.not.ok(p.canPublish('r2'), 'expired');
});

resp('negative limits are unlimited; the default expiry applies when unset', () => {
  const p = new PermissionChecker({ response: { maxMsgs: -1 } });
  p.trackReply('r');
  for (let i = 0; i < 10; i++) assert.ok(p.canPublish('r'));
  p.trackReply('old', Date.now() - DEFAULT_RESPONSE_EXPIRES_MS - 1);
  assert.not.ok(p.canPublish('old'));
});

resp('with only a deny list, allow_responses still turns off the blanket allow; grants are capped', () => {
  const p = new PermissionChecker({ publish: { deny: ['_INBOX.>'] }, response: { maxMsgs: -1, expiresMs: -1 } });
  assert.not.ok(p.canPublish('foo'), 'as nats-server: allow becomes an empty list');
  assert.not.ok(p.canPublish('_INBOX.x'));
  p.trackReply('_INBOX.x');
  assert.ok(p.canPublish('_INBOX.x'));
  for (let i = 0; i < REPLY_PERM_LIMIT + 10; i++) p.trackReply(`r.${i}`);
  assert.not.ok(p.canPublish('_INBOX.x'), 'the oldest grant was dropped past the cap');
  assert.ok(p.canPublish(`r.${REPLY_PERM_LIMIT + 9}`));
});

resp('trackReply is a no-op without allow_responses', () => {
  const p = new PermissionChecker({ publish: { allow: ['a'] } });
  assert.not.ok(p.tracksReplies);
  p.trackReply('b');
  assert.not.ok(p.canPublish('b'));
});
resp.run();

const f = suite('nats/permissions permissionCheckerFor');
f('null when nothing is restricted', () => {
  assert.is(permissionCheckerFor(undefined), null);
  assert.is(permissionCheckerFor({}), null);
  assert.is(permissionCheckerFor({ publish: {}, subscribe: {} }), null);
  assert.not.ok(restricts({ publish: {} }));
  assert.ok(restricts({ publish: { deny: [] } }));
  assert.ok(restricts({ response: {} }));
  assert.instance(permissionCheckerFor({ subscribe: { deny: ['x'] } }), PermissionChecker);
});
f('a fresh checker each time (per-connection state)', () => {
  const perms: Permissions = { response: {} };
  const a = permissionCheckerFor(perms)!;
  const b = permissionCheckerFor(perms)!;
  assert.is.not(a, b);
  a.trackReply('r');
  assert.not.ok(b.canPublish('r'));
  assert.ok(a.canPublish('r'));
});
f.run();

// Authentication and authorization end to end (STAN-REFERENCE §1.3, §1.7,
// §1.9): real, unmodified clients — nats.js v2 (`nats`) and v3
// (`@nats-io/transport-node`) — over real sockets against servers set up
// with each auth mode, mostly from `authorization { … }` config text
// (parseConfig → authFromConfig), so the config path is covered as well.
// Then raw-socket checks of the protocol side: auth_required in INFO, a
// first op other than CONNECT, and the authentication timeout.
//
// How the clients report things (pinned here, since STAN clients rely on it):
//   - a refused CONNECT rejects connect(): v2 with a NatsError, code
//     AUTHORIZATION_VIOLATION and the server text still in its single quotes;
//     v3 with an AuthorizationError whose message is the bare text;
//   - a refused SUB ends that subscription's iterator with the permissions
//     error (text as above) and reports it on status(); the connection stays;
//   - a refused PUB is reported only on status(): v2 as
//     { type: 'error', data: 'PERMISSIONS_VIOLATION', permissionContext },
//     v3 as { type: 'error', error: PermissionViolationError }.

import { genSalt, hash } from 'bcryptjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as v2 from 'nats';
import * as v3 from '@nats-io/transport-node';
import { parseConfig } from '../../src/config/index.js';
import { authFromConfig } from '../../src/nats/auth-config.js';
import type { AuthOptions } from '../../src/nats/auth.js';
import type { NatsServer } from '../../src/nats/server.js';
import { RawClient, startServer } from '../helpers/nats.js';

interface Msg {
  subject: string;
  data: Uint8Array;
  reply?: string;
  respond(data?: Uint8Array): boolean;
}
interface Sub extends AsyncIterable<Msg> {
  unsubscribe(): void;
}
/** The common surface of both client generations that these tests use. */
interface Conn {
  subscribe(subject: string, opts?: { queue?: string; max?: number }): Sub;
  publish(subject: string, data?: Uint8Array): void;
  request(subject: string, data?: Uint8Array, opts?: { timeout: number }): Promise<Msg>;
  flush(): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
  status(): AsyncIterable<Record<string, unknown>>;
}

/** A permissions error as a client reported it on status(). */
interface PermReport {
  operation: string;
  subject: string;
  /** The server's text, where the client's status event carries it. */
  text: string | undefined;
}

interface ClientKind {
  name: string;
  connect(o: Record<string, unknown>): Promise<Conn>;
  /** Throws unless `err` is this client's Authorization Violation. */
  assertAuthError(err: unknown): void;
  /** The message this client gives an error carrying the server's -ERR `text`. */
  errMessage(text: string): string;
  /** The permissions error in a status event, if it is one. */
  permReport(status: Record<string, unknown>): PermReport | undefined;
  /** Is `err` this client's permissions-violation error? */
  isPermError(err: unknown): boolean;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const CLIENTS: ClientKind[] = [
  {
    name: 'nats.js v2',
    connect: (o) => v2.connect(o as v2.ConnectionOptions) as unknown as Promise<Conn>,
    assertAuthError(err) {
      assert.instance(err, v2.NatsError);
      const e = err as v2.NatsError;
      assert.is(e.code, v2.ErrorCode.AuthorizationViolation);
      assert.is(e.message, "'Authorization Violation'");
    },
    errMessage: (text) => `'${text}'`,
    permReport(st) {
      if (st['type'] !== 'error' || st['data'] !== v2.ErrorCode.PermissionsViolation) return undefined;
      const ctx = st['permissionContext'] as { operation: string; subject: string } | undefined;
      return { operation: ctx?.operation ?? '', subject: ctx?.subject ?? '', text: undefined };
    },
    isPermError: (err) => err instanceof v2.NatsError && err.code === v2.ErrorCode.PermissionsViolation,
  },
  {
    name: 'nats.js v3',
    connect: (o) => v3.connect(o as v3.ConnectionOptions) as unknown as Promise<Conn>,
    assertAuthError(err) {
      assert.instance(err, v3.errors.AuthorizationError);
      assert.is((err as Error).name, 'AuthorizationError');
      assert.is((err as Error).message, 'Authorization Violation');
    },
    errMessage: (text) => text,
    permReport(st) {
      const e = st['error'];
      if (st['type'] !== 'error' || !(e instanceof v3.errors.PermissionViolationError)) return undefined;
      return { operation: e.operation, subject: e.subject, text: e.message };
    },
    isPermError: (err) => err instanceof v3.errors.PermissionViolationError,
  },
];

/** bcryptjs makes `$2b$` hashes; the prefix is only a label, so it can be relabelled. */
async function bcrypt(secret: string, minor: 'a' | 'b' | 'y' = 'a'): Promise<string> {
  const salt = (await genSalt(4)).replace(/^\$2[aby]\$/, `$2${minor}$`);
  return hash(secret, salt);
}

/** AuthOptions from config text, the way the -c config file reaches the server. */
function authFrom(text: string): AuthOptions {
  const conf = parseConfig(text);
  return authFromConfig(conf['authorization'] as Record<string, unknown>, 'authorization', conf['no_auth_user']);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads a subscription (a nats.js subscription can be iterated only once)
 * and hands out what it received, up to a message with a given payload.
 */
class Reader {
  #got: string[] = [];
  #wake: (() => void) | undefined;
  #error: unknown;
  #done = false;

  constructor(sub: Sub) {
    void (async () => {
      try {
        for await (const m of sub) {
          this.#got.push(`${m.subject}:${dec(m.data)}`);
          this.#wake?.();
        }
      } catch (err) {
        this.#error = err;
      }
      this.#done = true;
      this.#wake?.();
    })();
  }

  /** `subject:payload` of each message up to and including payload `marker`; consumed. */
  async until(marker: string, timeoutMs = 2000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#got.findIndex((g) => g.endsWith(`:${marker}`));
      if (at >= 0) return this.#got.splice(0, at + 1);
      if (this.#done) throw new Error(`subscription ended (${String(this.#error)}); got ${JSON.stringify(this.#got)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${JSON.stringify(marker)} within ${timeoutMs} ms; got ${JSON.stringify(this.#got)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

async function until(sub: Sub, marker: string): Promise<string[]> {
  return new Reader(sub).until(marker);
}

/** The first error a subscription's iterator ends with (fails if it delivers or ends cleanly). */
async function subError(sub: Sub, timeoutMs = 2000): Promise<unknown> {
  const outcome = (async () => {
    try {
      for await (const m of sub) return new Error(`unexpected message on ${m.subject}`);
      return new Error('subscription ended without an error');
    } catch (err) {
      return err;
    }
  })();
  const timer = delay(timeoutMs).then(() => new Error(`no error within ${timeoutMs} ms`));
  return Promise.race([outcome, timer]);
}

const PERMS_CONFIG = `
  authorization {
    default_permissions: {
      publish: ["pub.default.>", "svc.>"]
      subscribe: { allow: ["sub.default.*", "_INBOX.>"] }
    }
    users: [
      { user: admin, password: a1, permissions: { publish: ">", subscribe: ">" } }
      { user: pubber, password: p1, permissions: {
          publish: { allow: ["allowed.>", "wild.*.ok"], deny: ["allowed.secret", "allowed.hidden.*"] }
          subscribe: { allow: ["sub.>"], deny: ["sub.secret", "sub.hidden.*"] }
      } }
      { user: watcher, password: w1 }
    ]
  }
`;

for (const client of CLIENTS) {
  const test = suite(`nats/auth-e2e [${client.name}]`);
  const servers: NatsServer[] = [];
  const conns: Conn[] = [];
  /** Errors reported on each open connection's status(). */
  const reports = new Map<Conn, PermReport[]>();

  const serve = async (auth: AuthOptions) => {
    const s = await startServer({ auth });
    servers.push(s);
    return s;
  };
  const open = async (s: NatsServer, o: Record<string, unknown> = {}) => {
    const c = await client.connect({ servers: `127.0.0.1:${s.port}`, reconnect: false, ...o });
    conns.push(c);
    const list: PermReport[] = [];
    reports.set(c, list);
    void (async () => {
      for await (const st of c.status()) {
        const r = client.permReport(st);
        if (r) list.push(r);
      }
    })();
    return c;
  };
  /** connect() must fail with this client's Authorization Violation. */
  const refused = async (s: NatsServer, o: Record<string, unknown>, what: string) => {
    let conn: Conn | undefined;
    try {
      conn = await client.connect({ servers: `127.0.0.1:${s.port}`, reconnect: false, ...o });
    } catch (err) {
      try {
        client.assertAuthError(err);
      } catch (e) {
        throw new Error(`${what}: not an authorization error: ${String(err)} (${(e as Error).message})`);
      }
      return;
    }
    await conn.close();
    assert.unreachable(`${what}: connected`);
  };
  /** A full round trip through the server: `c` subscribes, publishes to itself, receives. */
  const roundTrip = async (c: Conn, subject: string) => {
    const sub = c.subscribe(subject, { max: 1 });
    c.publish(subject, enc('ping'));
    const got = await until(sub, 'ping');
    assert.equal(got, [`${subject}:ping`]);
  };

  test.after.each(async () => {
    for (const c of conns.splice(0)) if (!c.isClosed()) await c.close();
    reports.clear();
    for (const s of servers.splice(0)) await s.shutdown();
  });

  test('single user/password: the right credentials connect; wrong or missing ones are refused', async () => {
    const s = await serve(authFrom('authorization { user: alice, password: "s3cret" }'));
    const c = await open(s, { user: 'alice', pass: 's3cret' });
    await roundTrip(c, 'single.ok');
    await refused(s, { user: 'alice', pass: 's3cre' }, 'wrong password');
    await refused(s, { user: 'alice', pass: 's3cret!' }, 'longer password');
    await refused(s, { user: 'bob', pass: 's3cret' }, 'wrong user');
    await refused(s, {}, 'no credentials');
    await refused(s, { token: 's3cret' }, 'a token instead');
    // The refused connections are gone; the good one is still served.
    await c.flush();
    assert.is(s.clients.size, 1);
  });

  test('token: the right token connects; a wrong, missing or user/pass login is refused', async () => {
    const s = await serve(authFrom('authorization { token: "t0k-3n" }'));
    const c = await open(s, { token: 't0k-3n' });
    await roundTrip(c, 'token.ok');
    await refused(s, { token: 't0k-3' }, 'wrong token');
    await refused(s, {}, 'no token');
    await refused(s, { user: 't0k-3n', pass: 't0k-3n' }, 'user/pass instead');
  });

  test('bcrypt password: $2a$ unquoted in the config, $2b$ quoted, $2y$ as AuthOptions', async () => {
    const a = await bcrypt('hunter2', 'a');
    const b = await bcrypt('hunter2', 'b');
    const y = await bcrypt('hunter2', 'y');
    for (const [label, auth] of [
      ['$2a$ literal', authFrom(`authorization { user: alice, password: ${a} }`)],
      ['$2b$ quoted', authFrom(`authorization { user: alice, password: "${b}" }`)],
      ['$2y$ direct', { user: 'alice', password: y }],
    ] as const) {
      assert.is(auth.password, label === '$2a$ literal' ? a : label === '$2b$ quoted' ? b : y, `${label}: hash kept verbatim`);
      const s = await serve(auth);
      const c = await open(s, { user: 'alice', pass: 'hunter2' });
      await roundTrip(c, 'bcrypt.ok');
      await refused(s, { user: 'alice', pass: 'hunter3' }, `${label}: wrong password`);
      await refused(s, { user: 'alice', pass: auth.password }, `${label}: the hash itself as password`);
    }
  });

  test('bcrypt token', async () => {
    const a = await bcrypt('tok-en', 'a');
    const b = await bcrypt('tok-en', 'b');
    for (const auth of [authFrom(`authorization { token: ${a} }`), authFrom(`authorization { token: "${b}" }`)]) {
      const s = await serve(auth);
      const c = await open(s, { token: 'tok-en' });
      await roundTrip(c, 'bcrypt.token');
      await refused(s, { token: 'tok-en!' }, 'wrong token');
      await refused(s, { token: auth.token }, 'the hash itself as token');
    }
  });

  test('users list: each user logs in with its own password only', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    for (const [user, pass] of [['admin', 'a1'], ['pubber', 'p1'], ['watcher', 'w1']]) {
      const c = await open(s, { user, pass });
      await c.flush();
    }
    await refused(s, { user: 'admin', pass: 'p1' }, 'another user\u2019s password');
    await refused(s, { user: 'nobody', pass: 'a1' }, 'unknown user');
    await refused(s, {}, 'no credentials (no no_auth_user)');
  });

  test('publish allow/deny: denied publishes are not delivered and are reported', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const pubber = await open(s, { user: 'pubber', pass: 'p1' });
    const seen = new Reader(admin.subscribe('>'));
    await admin.flush();
    pubber.publish('allowed.secret', enc('denied-1')); // deny entry
    pubber.publish('allowed.hidden.x', enc('denied-2')); // deny wildcard entry
    pubber.publish('elsewhere', enc('denied-3')); // not in the allow list
    pubber.publish('allowed.one', enc('ok-1'));
    pubber.publish('allowed.deep.two', enc('ok-2'));
    pubber.publish('allowed.hidden.x.y', enc('end')); // `*` is one token: not denied
    assert.equal(await seen.until('end'), ['allowed.one:ok-1', 'allowed.deep.two:ok-2', 'allowed.hidden.x.y:end']);
    await pubber.flush();
    assert.not.ok(pubber.isClosed(), 'a permissions violation keeps the connection');
    const got = reports.get(pubber)!;
    assert.equal(
      got.map((r) => [r.operation, r.subject]),
      [
        ['publish', 'allowed.secret'],
        ['publish', 'allowed.hidden.x'],
        ['publish', 'elsewhere'],
      ],
    );
    if (got[0]!.text !== undefined) {
      assert.equal(
        got.map((r) => r.text),
        [
          'Permissions Violation for Publish to "allowed.secret"',
          'Permissions Violation for Publish to "allowed.hidden.x"',
          'Permissions Violation for Publish to "elsewhere"',
        ],
      );
    }
    // Still usable: an allowed publish after the errors goes through.
    pubber.publish('allowed.after', enc('after'));
    assert.equal(await seen.until('after'), ['allowed.after:after']);
  });

  test('publish permissions with wildcards in the allow list', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const pubber = await open(s, { user: 'pubber', pass: 'p1' });
    const seen = admin.subscribe('wild.>');
    await admin.flush();
    pubber.publish('wild.a.ok', enc('1'));
    pubber.publish('wild.a.b.ok', enc('no: * is one token'));
    pubber.publish('wild.a.no', enc('no: last token differs'));
    pubber.publish('wild.ok', enc('no: too short'));
    pubber.publish('wild.zz.ok', enc('end'));
    assert.equal(await until(seen, 'end'), ['wild.a.ok:1', 'wild.zz.ok:end']);
    await pubber.flush();
    assert.equal(
      reports.get(pubber)!.map((r) => r.subject),
      ['wild.a.b.ok', 'wild.a.no', 'wild.ok'],
    );
  });

  test('subscribe allow/deny: a denied subscription gets the permissions error', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const pubber = await open(s, { user: 'pubber', pass: 'p1' });
    for (const subject of ['sub.secret', 'sub.hidden.x', 'nope', 'sub']) {
      const err = await subError(pubber.subscribe(subject));
      const text = `Permissions Violation for Subscription to "${subject}"`;
      assert.ok(client.isPermError(err), `${subject}: ${String(err)}`);
      assert.is((err as Error).message, client.errMessage(text), subject);
    }
    assert.not.ok(pubber.isClosed());
    // Allowed ones work, including a wildcard inside the allow list.
    const one = pubber.subscribe('sub.one');
    const any = pubber.subscribe('sub.*');
    await pubber.flush();
    admin.publish('sub.one', enc('1'));
    admin.publish('sub.two', enc('end'));
    assert.equal(await until(one, '1'), ['sub.one:1']);
    assert.equal(await until(any, 'end'), ['sub.one:1', 'sub.two:end']);
    assert.equal(
      reports.get(pubber)!.map((r) => [r.operation, r.subject]),
      [
        ['subscription', 'sub.secret'],
        ['subscription', 'sub.hidden.x'],
        ['subscription', 'nope'],
        ['subscription', 'sub'],
      ],
    );
  });

  test('a wildcard subscription does not receive messages on denied subjects', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const pubber = await open(s, { user: 'pubber', pass: 'p1' });
    const star = pubber.subscribe('sub.*');
    const all = pubber.subscribe('sub.>');
    await pubber.flush();
    admin.publish('sub.secret', enc('hidden'));
    admin.publish('sub.hidden.x', enc('hidden'));
    admin.publish('sub.open', enc('1'));
    admin.publish('sub.more.levels', enc('2'));
    admin.publish('sub.last', enc('end'));
    assert.equal(await until(star, 'end'), ['sub.open:1', 'sub.last:end']);
    assert.equal(await until(all, 'end'), ['sub.open:1', 'sub.more.levels:2', 'sub.last:end']);
  });

  test('default_permissions apply to users without their own', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const watcher = await open(s, { user: 'watcher', pass: 'w1' });
    const seen = admin.subscribe('>');
    await admin.flush();
    watcher.publish('allowed.one', enc('pubber may, watcher may not'));
    watcher.publish('pub.default.x', enc('end'));
    assert.equal(await until(seen, 'end'), ['pub.default.x:end']);
    const err = await subError(watcher.subscribe('sub.one'));
    assert.is((err as Error).message, client.errMessage('Permissions Violation for Subscription to "sub.one"'));
    const mine = watcher.subscribe('sub.default.a');
    await watcher.flush();
    admin.publish('sub.default.a', enc('hi'));
    assert.equal(await until(mine, 'hi'), ['sub.default.a:hi']);
    // The defaults allow _INBOX.> and svc.>: requests work.
    const svc = admin.subscribe('svc.echo');
    void (async () => {
      for await (const m of svc) m.respond(enc(`re:${dec(m.data)}`));
    })();
    await admin.flush();
    const reply = await watcher.request('svc.echo', enc('q'), { timeout: 2000 });
    assert.is(dec(reply.data), 're:q');
    assert.equal(
      reports.get(watcher)!.map((r) => [r.operation, r.subject]),
      [
        ['publish', 'allowed.one'],
        ['subscription', 'sub.one'],
      ],
    );
  });

  test('a request from a user who may not subscribe to _INBOX.> fails with the permissions error', async () => {
    const s = await serve(authFrom(PERMS_CONFIG));
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const pubber = await open(s, { user: 'pubber', pass: 'p1' });
    const svc = admin.subscribe('allowed.svc');
    void (async () => {
      for await (const m of svc) m.respond(enc('re'));
    })();
    await admin.flush();
    try {
      // Far longer than the test may take: failing shows the -ERR failed it.
      await pubber.request('allowed.svc', enc('q'), { timeout: 30_000 });
      assert.unreachable('request should fail');
    } catch (err) {
      // v2 rejects with the permissions error itself; v3 with a RequestError
      // whose cause is the PermissionViolationError.
      const e = err instanceof v3.errors.RequestError ? err.cause : err;
      if (client.name.endsWith('v3')) assert.instance(err, v3.errors.RequestError);
      assert.ok(client.isPermError(e), String(err));
      assert.match((e as Error).message, /Permissions Violation for Subscription to "_INBOX\.[^"]+\.\*"/);
    }
  });

  test('no_auth_user: a client without credentials is that user, with its permissions', async () => {
    const s = await serve(authFrom(`no_auth_user: watcher\n${PERMS_CONFIG}`));
    const anon = await open(s); // no credentials at all
    const admin = await open(s, { user: 'admin', pass: 'a1' });
    const seen = admin.subscribe('>');
    await admin.flush();
    anon.publish('allowed.one', enc('denied'));
    anon.publish('pub.default.y', enc('end'));
    assert.equal(await until(seen, 'end'), ['pub.default.y:end']);
    await anon.flush();
    assert.equal(reports.get(anon)!.map((r) => [r.operation, r.subject]), [['publish', 'allowed.one']]);
    // Credentials are still checked when given.
    await refused(s, { user: 'watcher', pass: 'bad' }, 'no_auth_user with a wrong password');
    await refused(s, { user: 'nobody', pass: 'w1' }, 'no_auth_user with an unknown user');
    const other = await open(s, { user: 'pubber', pass: 'p1' });
    await other.flush();
  });

  test('queue subscriptions are checked as well', async () => {
    const s = await serve({
      users: [{ user: 'q', password: 'q', permissions: { subscribe: { allow: ['jobs.*'], deny: ['jobs.secret'] } } }],
    });
    const c = await open(s, { user: 'q', pass: 'q' });
    const err = await subError(c.subscribe('jobs.secret', { queue: 'workers' }));
    assert.is(err instanceof Error ? err.message : String(err), client.errMessage('Permissions Violation for Subscription to "jobs.secret" using queue "workers"'));
    const ok = c.subscribe('jobs.a', { queue: 'workers' });
    await c.flush();
    const admin = await open(s, { user: 'q', pass: 'q' });
    // publish is unrestricted for this user
    admin.publish('jobs.a', enc('1'));
    assert.equal(await until(ok, '1'), ['jobs.a:1']);
  });

  test.run();
}

// ---------------------------------------------------------------------------
// The protocol side, on a raw socket.

const raw = suite('nats/auth-e2e raw protocol');
const rawServers: NatsServer[] = [];
const rawClients: RawClient[] = [];
const rawServe = async (auth: AuthOptions) => {
  const s = await startServer({ auth });
  rawServers.push(s);
  return s;
};
const rawOpen = async (s: NatsServer) => {
  const [c, info] = await RawClient.info(s.port);
  rawClients.push(c);
  return { c, info };
};
raw.after.each(async () => {
  for (const c of rawClients.splice(0)) c.close();
  for (const s of rawServers.splice(0)) await s.shutdown();
});

raw('INFO has auth_required:true only when authentication is configured', async () => {
  const open = await rawServe({});
  assert.is((await rawOpen(open)).info['auth_required'], undefined);
  for (const auth of [
    authFrom('authorization { user: a, password: b }'),
    authFrom('authorization { token: t }'),
    authFrom(PERMS_CONFIG),
    authFrom(`no_auth_user: watcher\n${PERMS_CONFIG}`),
  ]) {
    const s = await rawServe(auth);
    const { info } = await rawOpen(s);
    assert.is(info['auth_required'], true);
    assert.not.ok('nonce' in info, 'no nonce without NKey auth');
  }
  // Permissions alone (default_permissions, no users) do not require auth.
  const perms = await rawServe(authFrom('authorization { default_permissions: { publish: "a" } }'));
  assert.is((await rawOpen(perms)).info['auth_required'], undefined);
});

raw('with auth required, a first op other than CONNECT is an Authorization Violation and closes', async () => {
  const s = await rawServe(authFrom('authorization { user: a, password: b }'));
  for (const op of ['PING\r\n', 'SUB foo 1\r\n', 'PUB foo 2\r\nhi\r\n', 'UNSUB 1\r\n', 'PONG\r\n']) {
    const { c } = await rawOpen(s);
    c.send(op);
    await c.expect(/-ERR 'Authorization Violation'\r\n/);
    assert.is(await c.closedBy(), '', `${JSON.stringify(op)}: nothing after the -ERR`);
  }
});

raw('a CONNECT with bad credentials is an Authorization Violation and closes; good ones are accepted', async () => {
  const s = await rawServe(authFrom('authorization { user: a, password: b }'));
  const bad = await rawOpen(s);
  bad.c.send('CONNECT {"verbose":false,"user":"a","pass":"x"}\r\nPING\r\n');
  await bad.c.expect(/-ERR 'Authorization Violation'\r\n/);
  assert.is(await bad.c.closedBy(), '', 'no PONG for the PING after a refused CONNECT');
  const good = await rawOpen(s);
  good.c.send('CONNECT {"verbose":true,"user":"a","pass":"b"}\r\nPING\r\n');
  await good.c.expect(/\+OK\r\nPONG\r\n/);
  // Ops pipelined behind an asynchronously checked CONNECT are all processed, in order.
  const pipe = await rawOpen(s);
  pipe.c.send('CONNECT {"verbose":false,"user":"a","pass":"b"}\r\nSUB p 1\r\nPUB p 2\r\nok\r\nPING\r\n');
  await pipe.c.expect(/MSG p 1 2\r\nok\r\nPONG\r\n/);
});

raw('no CONNECT within the auth timeout: Authentication Timeout, then closed', async () => {
  const s = await rawServe(authFrom('authorization { token: t, timeout: 0.2 }'));
  assert.is(s.authTimeoutMs, 200);
  const started = Date.now();
  const { c } = await rawOpen(s);
  await c.expect(/-ERR 'Authentication Timeout'\r\n/, 5000);
  const took = Date.now() - started;
  assert.ok(took >= 150, `timed out after ${took} ms, not before the 200 ms auth timeout`);
  assert.is(await c.closedBy(), '');
  // A partial CONNECT line does not stop the clock either.
  const partial = await rawOpen(s);
  partial.c.send('CONNECT {"auth_tok');
  await partial.c.expect(/-ERR 'Authentication Timeout'\r\n/, 5000);
  await partial.c.closedBy();
});

raw('a valid CONNECT in time stops the auth timer', async () => {
  const s = await rawServe({ token: 't', timeoutMs: 200 });
  const { c } = await rawOpen(s);
  c.send('CONNECT {"verbose":false,"auth_token":"t"}\r\n');
  await delay(450);
  assert.not.ok(c.closed, 'still open past the timeout');
  await c.flush();
  assert.is(c.unread, '');
});

raw('without auth there is no auth timer', async () => {
  const s = await startServer({ auth: { timeoutMs: 100 } });
  rawServers.push(s);
  const { c } = await rawOpen(s);
  await delay(300);
  assert.not.ok(c.closed);
  c.send('CONNECT {"verbose":false}\r\n');
  await c.flush();
});

raw.run();

// The parse loop of src/nats/conn.ts while a CONNECT authenticates
// asynchronously (bcrypt): the loop stops at the CONNECT and stops reading
// the socket; the ops after it (the rest of the chunk, the records the
// parser already returned, a PUB whose payload arrives in a later chunk)
// run in order once authentication succeeds, or never, with the
// Authorization Violation, when it fails. Over real sockets; the test
// holds authentication open with a gate around the server's Authenticator,
// so what the server has and has not processed is known without waiting.
// An op whose processing throws is logged and skipped (issue #18).

import { genSalt, hash } from 'bcryptjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuthResult, ConnectCredentials } from '../../src/nats/auth.js';
import type { Client } from '../../src/nats/client.js';
import type { NatsServer } from '../../src/nats/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { RawClient, startServer } from '../helpers/nats.js';

interface Ctx {
  server: NatsServer;
  /** Resolves when the server asks the gated Authenticator; then open() lets it answer. */
  asked: Promise<void>;
  open(): void;
  /** Makes the next authentication throw instead of answering. */
  failWith: Error | undefined;
}

const test = suite<Ctx>('nats/conn');

test.before.each(async (ctx) => {
  const password = await hash('s3cret', await genSalt(4));
  ctx.server = await startServer({ auth: { users: [{ user: 'u', password }] } });
  ctx.failWith = undefined;
  const auth = ctx.server.auth;
  const authenticate = auth.authenticate.bind(auth);
  let asked!: () => void;
  let open!: () => void;
  ctx.asked = new Promise((resolve) => (asked = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  ctx.open = open;
  auth.authenticate = async (creds: ConnectCredentials): Promise<AuthResult | null> => {
    asked();
    await gate;
    if (ctx.failWith) throw ctx.failWith;
    return authenticate(creds);
  };
});

test.after.each(async (ctx) => {
  await ctx.server.shutdown();
});

const CONNECT = 'CONNECT {"verbose":true,"user":"u","pass":"s3cret"}\r\n';

/** A client past INFO, and the server's side of its socket. */
async function open(ctx: Ctx): Promise<[RawClient, Client]> {
  const [c, info] = await RawClient.info(ctx.server.port);
  return [c, ctx.server.clients.get(info.client_id as number)!];
}

/** Sends `bytes` and resolves once the server has read (and processed) them. */
function sendRead(c: RawClient, server: Client, bytes: string): Promise<void> {
  // Registered after the Conn's own listener, so this runs after it.
  const read = new Promise<void>((resolve) => server.conn.socket.once('data', () => resolve()));
  c.send(bytes);
  return read;
}

test('ops after CONNECT in the same chunk wait for authentication, then run in order', async (ctx) => {
  const [c, s] = await open(ctx);
  await sendRead(c, s, `${CONNECT}SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n`);
  await ctx.asked;
  assert.is(s.connected, false);
  assert.is(ctx.server.router.size, 0, 'SUB waits for the login');
  ctx.open();
  await c.expect(/^\+OK\r\n\+OK\r\nMSG foo 1 5\r\nhello\r\n\+OK\r\nPONG\r\n/);
  assert.is(s.user, 'u');
  c.close();
});

test('a PUB whose payload arrives while the connection waits is completed after it', async (ctx) => {
  const [c, s] = await open(ctx);
  await sendRead(c, s, `${CONNECT}SUB foo 1\r\nPUB foo 11\r\nhello`);
  await ctx.asked;
  // The socket is paused: this stays in the kernel until authentication ends.
  c.send(' world\r\nPING\r\n');
  assert.is(ctx.server.router.size, 0);
  ctx.open();
  await c.expect(/^\+OK\r\n\+OK\r\nMSG foo 1 11\r\nhello world\r\n\+OK\r\nPONG\r\n/);
  c.close();
});

test('a CONNECT the parser carried across chunks, and the ops after it', async (ctx) => {
  const [c, s] = await open(ctx);
  await sendRead(c, s, CONNECT.slice(0, 20));
  await sendRead(c, s, `${CONNECT.slice(20)}SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n`);
  await ctx.asked;
  assert.is(ctx.server.router.size, 0);
  ctx.open();
  await c.expect(/^\+OK\r\n\+OK\r\nMSG foo 1 2\r\nhi\r\n\+OK\r\nPONG\r\n/);
  c.close();
});

test('more ops than the parser returns at once: each runs once, in order', async (ctx) => {
  // Over 1024 records (the parser's batch): the chunk is parsed again after the saved ones.
  const n = 1500;
  let ops = 'SUB foo 1\r\n';
  for (let i = 0; i < n; i++) ops += `PUB foo 4\r\n${String(i).padStart(4, '0')}\r\n`;
  const [c, s] = await open(ctx);
  await sendRead(c, s, `${CONNECT.replace('true', 'false')}${ops}PING\r\n`);
  await ctx.asked;
  ctx.open();
  let want = '';
  for (let i = 0; i < n; i++) want += `MSG foo 1 4\r\n${String(i).padStart(4, '0')}\r\n`;
  const got = await c.expect(/^(MSG foo 1 4\r\n\d{4}\r\n)*PONG\r\n/);
  assert.is(got[0], `${want}PONG\r\n`);
  await c.flush();
  assert.is(c.unread, '', 'nothing processed twice');
  c.close();
});

test('a failed authentication drops the ops after CONNECT with the Authorization Violation', async (ctx) => {
  const [c, s] = await open(ctx);
  await sendRead(c, s, 'CONNECT {"verbose":true,"user":"u","pass":"wrong"}\r\nSUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n');
  await ctx.asked;
  ctx.open();
  assert.is(await c.closedBy(), "-ERR 'Authorization Violation'\r\n");
  assert.is(ctx.server.router.size, 0, 'the SUB never ran');
  assert.is(ctx.server.closed.at(-1)?.reason, 'Authentication Failure');
  assert.is(ctx.server.closed.at(-1)?.inMsgs, 0, 'the PUB never ran');
});

test('an authentication that throws closes like a refused one', async (ctx) => {
  ctx.failWith = new Error('bcrypt broke');
  const [c, s] = await open(ctx);
  await sendRead(c, s, `${CONNECT}SUB foo 1\r\nPING\r\n`);
  await ctx.asked;
  ctx.open();
  assert.is(await c.closedBy(), "-ERR 'Authorization Violation'\r\n");
  assert.is(ctx.server.router.size, 0);
  assert.is(ctx.server.closed.at(-1)?.reason, 'Authentication Failure');
});

test('an in-process subscriber that throws: the op is logged at ERR and skipped, the connection goes on (issue #18)', async () => {
  const errors: string[] = [];
  const server = await startServer({}, { ...silentLogger, error: (t: string) => void errors.push(t) });
  try {
    server.internalClient('thrower').subscribe('boom', null, () => {
      throw new Error('handler broke');
    });
    const [c] = await RawClient.info(server.port);
    c.send('CONNECT {"verbose":false}\r\nSUB foo 1\r\nPUB boom 1\r\nx\r\nPUB foo 2\r\nhi\r\nPUB boom 1\r\ny\r\nPING\r\n');
    await c.expect(/^MSG foo 1 2\r\nhi\r\nPONG\r\n/);
    assert.is(errors.length, 2);
    assert.match(errors[0]!, /Error processing op .*handler broke/s);
    assert.is(c.closed, false);
    c.close();
  } finally {
    await server.shutdown();
  }
});

test.run();

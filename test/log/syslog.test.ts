// Syslog as Go's log/syslog frames it (RFC 3164 style): remote over UDP and
// TCP to sockets this test listens on, local over a unix stream socket and
// (with python3 as the listener) a unix datagram socket through `logger`,
// a real server with -r, and the startup errors in nats-server's words.

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openLogger } from '../../src/log/logger.js';
import { openLocalSyslog, openRemoteSyslog, parseSyslogUrl, rfc3339Time, stampTime, syslogFrame } from '../../src/log/syslog.js';
import { ServerChild, WAIT_MS } from '../helpers/server-child.js';

const NOW = new Date(2006, 0, 2, 15, 4, 5);
const FIXED = { tag: 'nats-streaming-server', pid: 4242, hostname: 'host1', now: () => NOW };

/** A UDP listener on loopback collecting datagrams. */
async function udpListener(): Promise<{ port: number; next(): Promise<string>; close(): void }> {
  const sock = createSocket('udp4');
  const got: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  sock.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m.toString('utf8'));
    else got.push(m.toString('utf8'));
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    port: sock.address().port,
    next: () =>
      new Promise((resolve, reject) => {
        const m = got.shift();
        if (m !== undefined) return resolve(m);
        const t = setTimeout(() => reject(new Error('no datagram')), WAIT_MS);
        waiters.push((s) => {
          clearTimeout(t);
          resolve(s);
        });
      }),
    close: () => sock.close(),
  };
}

/** A stream listener (TCP port or unix path) collecting everything received. */
async function streamListener(path?: string): Promise<{ server: Server; port: number; text: () => string; until(re: RegExp): Promise<string> }> {
  let text = '';
  let wake: (() => void) | undefined;
  const server = createServer((s) =>
    s.on('data', (d) => {
      text += d.toString('utf8');
      wake?.();
    }),
  );
  await new Promise<void>((resolve) => (path === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(path, resolve)));
  const port = path === undefined ? (server.address() as { port: number }).port : 0;
  return {
    server,
    port,
    text: () => text,
    async until(re) {
      const deadline = Date.now() + WAIT_MS;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(text)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return text;
    },
  };
}

const frames = suite('log/syslog frames');

frames("Go's time.Stamp and time.RFC3339", () => {
  assert.is(stampTime(NOW), 'Jan  2 15:04:05');
  assert.is(stampTime(new Date(2006, 11, 25, 1, 2, 3)), 'Dec 25 01:02:03');
  const off = -NOW.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
  assert.is(rfc3339Time(NOW), `2006-01-02T15:04:05${zone}`);
});

frames('local and remote frames, as log/syslog netConn.writeString', () => {
  const f = { pri: 29, time: NOW, tag: 'nss', pid: 7, hostname: 'h' };
  assert.is(syslogFrame(true, f, 'hello'), '<29>Jan  2 15:04:05 nss[7]: hello\n');
  assert.is(syslogFrame(false, { ...f, pri: 5 }, 'hello\n'), `<5>${rfc3339Time(NOW)} h nss[7]: hello\n`);
});

frames('URLs: udp and tcp take host:port, unix a path; anything else is refused', () => {
  assert.equal(parseSyslogUrl('udp://localhost:514'), { network: 'udp', addr: 'localhost:514' });
  assert.equal(parseSyslogUrl('tcp://[::1]:601'), { network: 'tcp', addr: '[::1]:601' });
  assert.equal(parseSyslogUrl('unix:///dev/log'), { network: 'unix', addr: '/dev/log' });
  assert.throws(() => parseSyslogUrl('http://x:1'), /^error invalid network type: "http"$/);
});

const remote = suite('log/syslog remote');

remote('-r udp://: one datagram per line, facility kern, severity by level', async () => {
  const l = await udpListener();
  const out = await openRemoteSyslog(`udp://127.0.0.1:${l.port}`, FIXED);
  const time = rfc3339Time(NOW);
  out.write('info', 'Starting nats-server');
  assert.is(await l.next(), `<5>${time} host1 nats-streaming-server[4242]: Starting nats-server\n`);
  for (const [level, pri] of [['error', 3], ['warn', 4], ['debug', 7], ['trace', 5], ['fatal', 2]] as const) {
    out.write(level, 'm');
    assert.is(await l.next(), `<${pri}>${time} host1 nats-streaming-server[4242]: m\n`);
  }
  await out.close();
  l.close();
});

remote('-r tcp://: newline-framed messages on one connection', async () => {
  const l = await streamListener();
  const out = await openRemoteSyslog(`tcp://127.0.0.1:${l.port}`, FIXED);
  out.write('info', 'a');
  out.write('error', 'b');
  const time = rfc3339Time(NOW);
  await l.until(/b\n$/);
  assert.is(l.text(), `<5>${time} host1 nats-streaming-server[4242]: a\n<3>${time} host1 nats-streaming-server[4242]: b\n`);
  await out.close();
  l.server.close();
});

remote('startup errors as nats-server reports them', async () => {
  const free = await streamListener();
  const port = free.port;
  await new Promise((resolve) => free.server.close(resolve));
  await openRemoteSyslog(`tcp://127.0.0.1:${port}`).then(
    () => assert.unreachable('connected to a closed port'),
    (err: Error) => assert.match(err.message, new RegExp(`^error connecting to syslog: "dial tcp 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*"$`)),
  );
  await openRemoteSyslog('udp://127.0.0.1').then(
    () => assert.unreachable('no port'),
    (err: Error) => assert.match(err.message, /missing port in address/),
  );
});

remote('a server started with -r udp:// sends its log there and nothing to stderr', async () => {
  const l = await udpListener();
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-r', `udp://127.0.0.1:${l.port}`]);
  const first = await l.next();
  assert.match(first, /^<5>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \S+ nats-streaming-server\[\d+\]: Starting nats-server\n$/);
  assert.ok(first.includes(`[${s.pid}]`));
  let m = first;
  while (!m.includes('Server is ready')) m = await l.next();
  s.child.kill('SIGINT');
  assert.equal(await s.exit(), { code: 0, signal: null });
  assert.is(s.stderr, '');
  l.close();
});

const local = suite('log/syslog local');
let dir = '';
local.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-syslog-'));
});
local.after(() => rmSync(dir, { recursive: true, force: true }));

local('-s over a unix stream socket: local frames, facility daemon', async () => {
  const path = join(dir, 'stream.sock');
  const l = await streamListener(path);
  const out = await openLocalSyslog({ ...FIXED, paths: [join(dir, 'missing.sock'), path] });
  out.write('info', 'hello');
  out.write('debug', 'dbg');
  await l.until(/dbg\n$/);
  assert.is(l.text(), '<29>Jan  2 15:04:05 nats-streaming-server[4242]: hello\n<31>Jan  2 15:04:05 nats-streaming-server[4242]: dbg\n');
  await out.close();
  l.server.close();
});

local('-s with no syslog socket fails as nats-server does', async () => {
  await openLogger({ syslog: true, syslogPaths: [join(dir, 'none')] }).then(
    () => assert.unreachable('opened'),
    (err: Error) => assert.is(err.message, 'error connecting to syslog: "Unix syslog delivery error"'),
  );
});

const havePython = spawnSync('python3', ['-c', 'import socket']).status === 0;
const haveLogger = spawnSync('logger', ['--version']).status === 0;

local('-s over a unix datagram socket (as /dev/log) goes through `logger`', async (ctx) => {
  if (!havePython || !haveLogger) {
    console.log(`  (skipped: needs python3 and util-linux logger) ${ctx.__test__}`);
    return;
  }
  const path = join(dir, 'dgram.sock');
  // Node has no unix datagram sockets: python3 listens and prints each datagram on a line.
  const py = spawn('python3', ['-u', '-c', [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(path)})`,
    'print("ready")',
    'while True: print(repr(s.recv(65536).decode()))',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let wake: (() => void) | undefined;
  py.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    wake?.();
  });
  const until = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    while (!re.test(out)) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${re}; got ${out}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  try {
    await until(/ready\n/);
    const log = await openLogger({ syslog: true, syslogPaths: [path], syslogTag: 'nss', pid: 4242, stanDebug: true });
    log.info('hello');
    log.stan.debug('STREAM: two\nlines');
    await until(/lines'\n/);
    const lines = out.split('\n').slice(1, 4);
    assert.match(lines[0]!, /^'<29>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d nss\[4242\]: hello'$/);
    assert.match(lines[1]!, /^'<31>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d nss\[4242\]: STREAM: two'$/);
    assert.match(lines[2]!, /^'<31>.* nss\[4242\]: lines'$/);
    await log.close();
  } finally {
    py.kill();
  }
});

frames.run();
remote.run();
local.run();

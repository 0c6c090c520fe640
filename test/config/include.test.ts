import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { includeTarget } from '../../src/config/include.js';
import { ConfigSyntaxError, keyPosition, loadConfigFile, parseConfig, type ConfigMap } from '../../src/config/index.js';

interface Ctx {
  dir: string;
}

const include = suite<Ctx>('config/include', { dir: '' });

include.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'stan-config-include-'));
});

include.after.each((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true });
});

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function loadError(path: string): ConfigSyntaxError {
  try {
    loadConfigFile(path, { env: {} });
  } catch (err) {
    assert.instance(err, ConfigSyntaxError);
    return err as ConfigSyntaxError;
  }
  assert.unreachable('expected a syntax error');
  throw new Error('unreachable');
}

include('includeTarget joins relative paths to the including file directory', () => {
  assert.is(includeTarget('/etc/nats/main.conf', './auth.conf'), join('/etc/nats', 'auth.conf'));
  assert.is(includeTarget('/etc/nats/main.conf', 'sub/x.conf'), join('/etc/nats', 'sub/x.conf'));
  assert.is(includeTarget('conf/main.conf', '../x.conf'), 'x.conf');
  assert.is(includeTarget('/etc/nats/main.conf', '/abs/x.conf'), '/abs/x.conf');
  assert.is(includeTarget('<string>', 'x.conf'), 'x.conf');
});

include('top-level keys are merged at the point of the include, relative to the file', ({ dir }) => {
  write(dir, 'conf/includes/passwords.conf', 'ALICE_PASS: $2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\nBOB_PASS = bob\n');
  const main = write(
    dir,
    'conf/main.conf',
    'listen: 127.0.0.1:4222\nauthorization {\n  include ./includes/passwords.conf\n  CAROL_PASS: carol\n' +
      '  users = [\n    {user: alice, password: $ALICE_PASS}\n    {user: bob, password: $BOB_PASS}\n' +
      '    {user: carol, password: $CAROL_PASS}\n  ]\n}\n',
  );
  const m = loadConfigFile(main, { env: {} });
  assert.equal(m, {
    listen: '127.0.0.1:4222',
    authorization: {
      ALICE_PASS: '$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q',
      BOB_PASS: 'bob',
      CAROL_PASS: 'carol',
      users: [
        { user: 'alice', password: '$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q' },
        { user: 'bob', password: 'bob' },
        { user: 'carol', password: 'carol' },
      ],
    },
  });
  const auth = m.authorization as ConfigMap;
  assert.equal(keyPosition(auth, 'BOB_PASS'), { file: join(dir, 'conf/includes/passwords.conf'), line: 2, column: 1 });
  assert.equal(keyPosition(auth, 'CAROL_PASS'), { file: main, line: 4, column: 3 });
});

include('later keys override included ones and vice versa', ({ dir }) => {
  write(dir, 'a.conf', 'port: 1\nhost: a\n');
  const main = write(dir, 'main.conf', 'port: 0\ninclude "a.conf"\nhost: b\n');
  assert.equal(loadConfigFile(main), { port: 1, host: 'b' });
});

include('included files do not see the including file keys, but can use the environment', ({ dir }) => {
  write(dir, 'inc.conf', 'b = $A\n');
  const main = write(dir, 'main.conf', 'A = 1\ninclude inc.conf\n');
  assert.is(loadError(main).message, `${join(dir, 'inc.conf')}:1:5: variable reference for 'A' can not be found (included from ${main}:2:1)`);
  assert.equal(loadConfigFile(main, { env: { A: '2' } }), { A: 1, b: 2 });
});

include('nested includes resolve relative to each including file', ({ dir }) => {
  write(dir, 'a/b/c.conf', 'deep: true\n');
  write(dir, 'a/b.conf', "include 'b/c.conf'\nmid: 1\n");
  const main = write(dir, 'main.conf', 'include a/b.conf\ntop: 1\n');
  assert.equal(loadConfigFile(main), { deep: true, mid: 1, top: 1 });
});

include('parseConfig with a file resolves includes against that file', ({ dir }) => {
  write(dir, 'x.conf', 'x: 1');
  assert.equal(parseConfig('include ./x.conf', { file: join(dir, 'virtual.conf') }), { x: 1 });
});

include('a missing include is an error naming the file, at the include', ({ dir }) => {
  const main = write(dir, 'main.conf', 'a: 1\n  include ./missing.conf\n');
  const err = loadError(main);
  assert.is(
    err.message,
    `${main}:2:3: cannot read include file '${join(dir, 'missing.conf')}': ENOENT: no such file or directory`,
  );
  assert.is(err.line, 2);
  assert.is(err.column, 3);
  assert.is((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
});

include('a syntax error in an included file is located there', ({ dir }) => {
  const inc = write(dir, 'bad.conf', 'ok: 1\nbroken: [1 2]\n');
  const main = write(dir, 'main.conf', 'x {\n  include bad.conf\n}\n');
  const err = loadError(main);
  assert.is(err.file, inc);
  assert.is(err.line, 2);
  assert.is(err.column, 12);
  assert.is(
    err.message,
    `${inc}:2:12: Expected an array value terminator "," or an array terminator "]", but got '2' instead. (included from ${main}:2:3)`,
  );
  assert.instance(err.cause, ConfigSyntaxError);
});

include('include cycles are errors', ({ dir }) => {
  const a = write(dir, 'a.conf', 'include b.conf\n');
  const b = write(dir, 'b.conf', 'x: 1\ninclude ./a.conf\n');
  const err = loadError(a);
  assert.is(err.message, `${b}:2:1: include cycle: ${a} -> ${b} -> ${join(dir, 'a.conf')} (included from ${a}:1:1)`);
  const self = write(dir, 'self.conf', 'include self.conf');
  assert.is(loadError(self).message, `${self}:1:1: include cycle: ${self} -> ${self}`);
});

include('including the same file twice is not a cycle', ({ dir }) => {
  write(dir, 'common.conf', 'n: 1\n');
  const main = write(dir, 'main.conf', 'a { include common.conf }\nb { include common.conf }\n');
  assert.equal(loadConfigFile(main), { a: { n: 1 }, b: { n: 1 } });
});

include.run();

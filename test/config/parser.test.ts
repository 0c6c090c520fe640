import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigSyntaxError, parseConfig, type ConfigMap } from '../../src/config/index.js';

const NO_ENV = {};

function parse(text: string, env: Record<string, string | undefined> = NO_ENV): ConfigMap {
  return parseConfig(text, { env });
}

function parseError(text: string, env: Record<string, string | undefined> = NO_ENV, file?: string): ConfigSyntaxError {
  try {
    parseConfig(text, { env, file });
  } catch (err) {
    assert.instance(err, ConfigSyntaxError);
    return err as ConfigSyntaxError;
  }
  assert.unreachable(`expected a syntax error for ${JSON.stringify(text)}`);
  throw new Error('unreachable');
}

const values = suite('config/parser values');

values('simple top level, as in conf TestSimpleTopLevel', () => {
  assert.equal(parse("foo='1'; bar=2.2; baz=true; boo=22"), { foo: '1', bar: 2.2, baz: true, boo: 22 });
});

values('booleans', () => {
  assert.equal(parse('a=TRUE\nb=yes\nc=on\nd=False\ne=NO\nf=off'), {
    a: true, b: true, c: true, d: false, e: false, f: false,
  });
});

values('integer size suffixes', () => {
  assert.equal(
    parse('k = 8k\nkb = 4kb\nki = 3ki\nkib = 4KiB\nm = 1m\nmb = 2MB\nmi = 2Mi\ng = 2g\ngb = 22GB\ngib = 22GiB\n' +
      't = 1t\ntb = 2TB\np = 1P\npb = 1PB\ne = 1E\neb = 1EB\nneg = -2k\nmax_bytes: 1GB'),
    {
      k: 8000, kb: 4096, ki: 3072, kib: 4096, m: 1_000_000, mb: 2_097_152, mi: 2_097_152, g: 2_000_000_000,
      gb: 22 * 1024 ** 3, gib: 22 * 1024 ** 3, t: 1e12, tb: 2 * 1024 ** 4, p: 1e15, pb: 1024 ** 5, e: 1e18,
      eb: 2 ** 60, neg: -2000, max_bytes: 1_073_741_824,
    },
  );
});

values('durations and other number-like words stay strings', () => {
  assert.equal(parse('a: 10s\nb: 24h\nc: "1.5h"\nd: 1h30m\ne: 5m\nf: 1.2.3.4\ng: 127.0.0.1:4222'), {
    a: '10s', b: '24h', c: '1.5h', d: '1h30m', e: 5_000_000, f: '1.2.3.4', g: '127.0.0.1:4222',
  });
});

values('floats and negative numbers', () => {
  assert.equal(parse('a = 0.5\nb = -1.25\nc = -7'), { a: 0.5, b: -1.25, c: -7 });
});

values('datetimes become Dates', () => {
  const m = parse('now = 2016-05-04T18:53:41Z\ngmt = false');
  assert.instance(m.now, Date);
  assert.is((m.now as Date).toISOString(), '2016-05-04T18:53:41.000Z');
  assert.is((parse('d = 0099-01-01T00:00:00Z').d as Date).getUTCFullYear(), 99);
});

values('strings of every kind', () => {
  assert.equal(parse(`a = "x\\ty"\nb = 'raw\\t'\nc = bare\nd (\nblock\n)\ne = nats://a:b@host:4222`), {
    a: 'x\ty', b: 'raw\\t', c: 'bare', d: '\nblock\n', e: 'nats://a:b@host:4222',
  });
});

values('maps and arrays, nested, as in conf TestSample1 and TestSample4', () => {
  assert.equal(parse("foo  {\n  host {\n    ip   = '127.0.0.1'\n    port = 4242\n  }\n  servers = [ \"a.com\", \"b.com\", \"c.com\"]\n}\n"), {
    foo: { host: { ip: '127.0.0.1', port: 4242 }, servers: ['a.com', 'b.com', 'c.com'] },
  });
  assert.equal(parse('array [\n  { abc: 123 }\n  { xyz: "word" }\n]'), { array: [{ abc: 123 }, { xyz: 'word' }] });
  assert.equal(parse('a = [[1, 2], [], {}]\nb {}'), { a: [[1, 2], [], {}], b: {} });
});

values('JSON is accepted', () => {
  assert.equal(
    parse('{\n  "http_port": 8227,\n  "write_deadline": "1h",\n  "cluster": {\n    "port": 6222,\n' +
      '    "routes": ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]\n  }\n}\n'),
    {
      http_port: 8227, write_deadline: '1h',
      cluster: { port: 6222, routes: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'] },
    },
  );
});

values('keys keep their case; a later definition wins', () => {
  assert.equal(parse('Port: 1\nport: 2\nPort: 3'), { Port: 3, port: 2 });
});

values('__proto__ is an ordinary key', () => {
  const m = parse('__proto__ { polluted: true }');
  assert.is(Object.getPrototypeOf(m), Object.prototype);
  assert.equal(Object.keys(m), ['__proto__']);
  assert.equal(m['__proto__'], { polluted: true });
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

values('range errors', () => {
  assert.is(parseError('a = 9223372036854775808').message, "<string>:1:5: integer '9223372036854775808' is out of the range");
  assert.is(parseError('a = 8EB').message, "<string>:1:5: integer '8EB' is out of the range");
  assert.is(parse('a = 9223372036854775807').a, 9223372036854775807);
  assert.is(parseError('a = 2023-02-30T00:00:00Z').message, "<string>:1:5: expected Zulu formatted DateTime, but got '2023-02-30T00:00:00Z'");
  assert.is(parseError('a = 2023-01-01T24:00:00Z').message, "<string>:1:5: expected Zulu formatted DateTime, but got '2023-01-01T24:00:00Z'");
});

values.run();

const variables = suite('config/parser variables');

variables('a key defined earlier in the same map', () => {
  assert.equal(parse('index = 22\nfoo = $index'), { index: 22, foo: 22 });
});

variables('inner scope shadows outer, outer visible inside, as in conf TestNestedVariable', () => {
  assert.equal(parse('index = 22\nnest {\n  index = 11\n  foo = $index\n}\nbar = $index\nn2 { x = $index }'), {
    index: 22, nest: { index: 11, foo: 11 }, bar: 22, n2: { x: 22 },
  });
});

variables('maps inside arrays see enclosing maps; arrays are not scopes', () => {
  assert.equal(parse('pass = secret\nusers = [ { user: a, password: $pass }, $pass ]'), {
    pass: 'secret', users: [{ user: 'a', password: 'secret' }, 'secret'],
  });
});

variables('a key defined later is not visible', () => {
  const err = parseError('a = $b\nb = 1');
  assert.is(err.message, "<string>:1:5: variable reference for 'b' can not be found");
  assert.is(err.line, 1);
  assert.is(err.column, 5);
});

variables('a key of a sibling map is not visible', () => {
  assert.is(parseError('m1 { x = 1 }\nm2 { y = $x }').message, "<string>:2:10: variable reference for 'x' can not be found");
});

variables('names are case-sensitive', () => {
  assert.is(parseError('Foo = 1\nbar = $foo').message, "<string>:2:7: variable reference for 'foo' can not be found");
});

variables('map and array values can be referenced', () => {
  assert.equal(parse('perms = { publish: ["a.>"] }\nu { permissions: $perms }'), {
    perms: { publish: ['a.>'] }, u: { permissions: { publish: ['a.>'] } },
  });
});

variables('unresolvable reference names file, line and column', () => {
  const err = parseError('port = 4222\n  host = $NATS_HOST\n', NO_ENV, '/etc/nats/stan.conf');
  assert.is(err.message, "/etc/nats/stan.conf:2:10: variable reference for 'NATS_HOST' can not be found");
  assert.is(err.file, '/etc/nats/stan.conf');
  assert.is(err.name, 'ConfigSyntaxError');
});

variables.run();

const env = suite('config/parser environment variables');

env('values are re-parsed as config values', () => {
  const vars = {
    INT: '42', SIZE: '1GB', BOOL: 'true', FLOAT: '0.5', STR: 'xyz', QUOTED: "'3xyz'", WORD: '3Gyz',
    ARR: '[1, 2]', MAP: '{ a: 1 }', URL: 'nats://h:4222', EMPTY: '', DUR: '10s',
  };
  assert.equal(
    parse('a=$INT\nb=$SIZE\nc=$BOOL\nd=$FLOAT\ne=$STR\nf=$QUOTED\ng=$WORD\nh=$ARR\ni=$MAP\nj=$URL\nk=$EMPTY\nl=$DUR', vars),
    { a: 42, b: 1_073_741_824, c: true, d: 0.5, e: 'xyz', f: '3xyz', g: '3Gyz', h: [1, 2], i: { a: 1 }, j: 'nats://h:4222', k: '', l: '10s' },
  );
});

env('map keys win over the environment', () => {
  assert.equal(parse('HOME = here\nh = $HOME', { HOME: '/root' }), { HOME: 'here', h: 'here' });
});

env('process.env is the default', () => {
  const name = 'STAN_CONFIG_TEST_VAR_7F3A';
  process.env[name] = '7';
  try {
    assert.equal(parseConfig(`x = $${name}`), { x: 7 });
  } finally {
    delete process.env[name];
  }
});

env('a value that does not parse is an error at the reference', () => {
  assert.is(
    parseError('a = 1\nb = $BAD', { BAD: 'x y' }).message,
    "<string>:2:5: variable reference for 'BAD' could not be parsed: Expected a top-level value to end with a new line, comment or EOF, but got 'y' instead.",
  );
});

env('environment values may reference other environment values, but not in a cycle', () => {
  assert.equal(parse('a = $A', { A: '$B', B: '5' }), { a: 5 });
  assert.is(
    parseError('a = $A', { A: '$B', B: '$A' }).message,
    "<string>:1:5: variable reference for 'A' could not be parsed: variable reference for 'B' could not be parsed: " +
      "variable reference for 'A' is circular: $A -> $B -> $A",
  );
});

env.run();

const bcrypt = suite('config/parser bcrypt hashes');

bcrypt('unquoted $2a$ hashes are literal strings, as in conf TestBcryptVariable', () => {
  assert.equal(parse('password: $2a$11$ooo'), { password: '$2a$11$ooo' });
  const hash = '$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS';
  assert.equal(parse(`authorization {\n  user: derek\n  password: ${hash}\n}`), {
    authorization: { user: 'derek', password: hash },
  });
});

bcrypt('other hash prefixes are variables, as in conf; quoting works', () => {
  assert.is(parseError('p = $2b$11$ooo').message, "<string>:1:5: variable reference for '2b$11$ooo' can not be found");
  assert.equal(parse('p = "$2b$11$ooo"'), { p: '$2b$11$ooo' });
});

bcrypt.run();

const robustness = suite('config/parser robustness');

/** Deterministic pseudo-random numbers (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = [
  'a', 'b', 'include', ' ', '\t', '\n', '\r\n', ':', '=', ';', ',', '{', '}', '[', ']', '(', ')', '"', "'", '\\',
  '\\x4', '#', '//', '$', '$a', '$2a$1', '-', '.', '1', '42', '1.5', '1k', '1GB', '2016-05-04T18:53:41Z', 'true',
  'é', '\u{1F600}', '\n)\n',
];

robustness('random texts either parse or throw ConfigSyntaxError, never hang or crash', () => {
  // Includes resolve against an empty directory, so they can only fail.
  const dir = mkdtempSync(join(tmpdir(), 'stan-config-fuzz-'));
  const file = join(dir, 'fuzz.conf');
  const random = rng(0x5eed);
  try {
    fuzz(random, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function fuzz(random: () => number, file: string): void {
  for (let i = 0; i < 3000; i++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(random() * 24);
    for (let j = 0; j < n; j++) parts.push(PIECES[Math.floor(random() * PIECES.length)] as string);
    const text = parts.join('');
    let outcome: unknown;
    try {
      outcome = parseConfig(text, { env: { a: '1' }, file });
    } catch (err) {
      outcome = err;
    }
    if (outcome instanceof ConfigSyntaxError) {
      assert.ok(/:\d+:\d+: /.test(outcome.message), outcome.message);
    } else {
      assert.type(outcome, 'object', `${JSON.stringify(text)} gave ${String(outcome)}`);
      assert.not.instance(outcome, Error, `${JSON.stringify(text)} threw ${String(outcome)}`);
    }
  }
}

robustness.run();

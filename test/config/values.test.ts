import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigSyntaxError } from '../../src/config/errors.js';
import { tokenize } from '../../src/config/lexer.js';

/** The token of `v = <value>` as `Type:text`. */
function value(text: string): string {
  const toks = tokenize(`v = ${text}`);
  assert.is(toks.length, 3, `one value in ${JSON.stringify(text)}`);
  const tok = toks[1]!;
  return `${tok.type}:${tok.text}`;
}

/** The message of the syntax error in `v = <value>`. */
function valueError(text: string): string {
  try {
    tokenize(`v = ${text}`);
  } catch (err) {
    assert.instance(err, ConfigSyntaxError);
    return (err as Error).message;
  }
  assert.unreachable(`expected a syntax error for ${JSON.stringify(text)}`);
  return '';
}

const strings = suite('config/values strings');

strings('double-quoted strings with escapes', () => {
  assert.is(value('"a\\tb\\nc\\rd\\"e\\\\f"'), 'String:a\tb\nc\rd"e\\f');
  assert.is(value('"\\x41\\xc3\\xa9!"'), 'String:Aé!');
  assert.is(value('"two\nlines"'), 'String:two\nlines');
  assert.is(value('"true"'), 'String:true');
  assert.is(value('"$VAR"'), 'String:$VAR');
  assert.is(value('""'), 'String:');
});

strings('single-quoted strings are raw', () => {
  assert.is(value("'a\\tb \"c\"'"), 'String:a\\tb "c"');
  assert.is(value("'multi\nline'"), 'String:multi\nline');
});

strings('bare words', () => {
  assert.is(value('file'), 'String:file');
  assert.is(value('nats://a:b@host:4222'), 'String:nats://a:b@host:4222');
  assert.is(value('nats-route://foo:bar@apcera.me:4245'), 'String:nats-route://foo:bar@apcera.me:4245');
  assert.is(value('/var/lib/stan'), 'String:/var/lib/stan');
  assert.is(value('./data'), 'String:./data');
  assert.is(value('foo.*'), 'String:foo.*');
  assert.is(value('a\\tb'), 'String:a\tb');
  assert.is(value("abc'"), 'String:abc');
});

strings('block strings keep everything up to a lone )', () => {
  assert.is(value('(\nline (1)\n  line 2)\n)'), 'String:\nline (1)\n  line 2)\n');
  assert.equal(
    tokenize('a (\nx\n)\nb 1').map((t) => `${t.type}:${t.text}`),
    ['Key:a', 'String:\nx\n', 'Key:b', 'Integer:1', 'EOF:'],
  );
});

strings('string errors', () => {
  assert.is(
    valueError('"a\\u0041"'),
    "<string>:1:7: Invalid escape character 'u'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
  );
  assert.is(valueError('"\\xZZ"'), "<string>:1:6: Expected two hexadecimal digits after '\\x', but got 'ZZ'");
  assert.is(valueError('"\\x4\n"'), "<string>:1:6: Expected two hexadecimal digits after '\\x', but hit end of line");
  assert.is(valueError('"abc'), '<string>:1:5: Unexpected EOF: unterminated quoted string.');
  assert.is(valueError("'abc"), '<string>:1:5: Unexpected EOF: unterminated quoted string.');
  assert.is(valueError('(\nabc)'), '<string>:1:5: Unexpected EOF processing block.');
  assert.is(valueError('.5'), '<string>:1:5: Floats must start with a digit');
});

strings.run();

const scalars = suite('config/values booleans and variables');

scalars('booleans in any case, unquoted', () => {
  for (const word of ['true', 'TRUE', 'True', 'yes', 'Yes', 'on', 'ON', 'false', 'no', 'NO', 'off', 'Off']) {
    assert.is(value(word), `Bool:${word}`);
  }
  assert.is(value('truer'), 'String:truer');
  assert.is(value('tru\\x65'), 'String:true');
});

scalars('variables, and bcrypt hashes lexed as variables', () => {
  assert.is(value('$FOO'), 'Variable:FOO');
  assert.is(value('$foo_bar.baz'), 'Variable:foo_bar.baz');
  assert.is(value('$2a$11$ooo'), 'Variable:2a$11$ooo');
  assert.is(value('a$b'), 'String:a$b');
});

scalars.run();

const numbers = suite('config/values numbers');

numbers('integers, negative integers and floats', () => {
  assert.is(value('4222'), 'Integer:4222');
  assert.is(value('-12'), 'Integer:-12');
  assert.is(value('0'), 'Integer:0');
  assert.is(value('2.5'), 'Float:2.5');
  assert.is(value('-0.5'), 'Float:-0.5');
});

numbers('size suffixes stay in the integer text', () => {
  for (const n of ['8k', '4kb', '3ki', '4KiB', '1m', '2MB', '2Mi', '64MiB', '2g', '22GB', '1T', '1tb', '1P', '1pib', '1e', '1EB', '-1k']) {
    assert.is(value(n), `Integer:${n}`);
  }
});

numbers('words that start like numbers are strings', () => {
  assert.is(value('10s'), 'String:10s');
  assert.is(value('24h'), 'String:24h');
  assert.is(value('1h30m'), 'String:1h30m');
  assert.is(value('1m30s'), 'String:1m30s');
  assert.is(value('4e2abc'), 'String:4e2abc');
  assert.is(value('3Gyz'), 'String:3Gyz');
  assert.is(value('1kbb'), 'String:1kbb');
  assert.is(value('2Tybceg8yj'), 'String:2Tybceg8yj');
  assert.is(value('5ADISY_bfhkprstuvv'), 'String:5ADISY_bfhkprstuvv');
  assert.is(value('-1kx'), 'String:-1kx');
  assert.is(value('4222#x'), 'String:4222#x');
});

numbers('IP-like words and host:port are strings', () => {
  assert.is(value('127.0.0.1'), 'String:127.0.0.1');
  assert.is(value('127.0.0.1:4222'), 'String:127.0.0.1:4222');
  assert.is(value('1.2.3.4'), 'String:1.2.3.4');
  assert.is(value('0.0.0.0:-1'), 'String:0.0.0.0:-1');
  assert.is(value('localhost:4222'), 'String:localhost:4222');
});

numbers('numbers end at terminators, ] and } included', () => {
  assert.equal(
    tokenize('a=[1,2]; m={b=3}').map((t) => `${t.type}:${t.text}`),
    ['Key:a', 'ArrayStart:', 'Integer:1', 'Integer:2', 'ArrayEnd:', 'Key:m', 'MapStart:', 'Key:b', 'Integer:3', 'MapEnd:', 'EOF:'],
  );
});

numbers('datetimes', () => {
  assert.is(value('2016-05-04T18:53:41Z'), 'Datetime:2016-05-04T18:53:41Z');
});

numbers('number errors', () => {
  assert.is(valueError('1.'), "<string>:1:7: Floats must have a digit after the '.', but got 'EOF' instead.");
  assert.is(valueError('1.x'), "<string>:1:7: Floats must have a digit after the '.', but got 'x' instead.");
  assert.is(
    valueError('1.5h'),
    "<string>:1:8: Expected a top-level value to end with a new line, comment or EOF, but got 'h' instead.",
  );
  assert.is(valueError('-.5'), "<string>:1:6: Floats must start with a digit, not '.'.");
  assert.is(valueError('-abc'), "<string>:1:6: Expected a digit but got 'a'.");
  assert.is(valueError('123-4'), '<string>:1:8: All ISO8601 dates must be in full Zulu form.');
  assert.is(valueError('2016-05-04 18:53:41Z'), "<string>:1:15: Expected 'T' in ISO8601 datetime, but found ' ' instead.");
  assert.is(valueError('2016-5-04T18:53:41Z'), "<string>:1:11: Expected digit in ISO8601 datetime, but found '-' instead.");
  assert.is(valueError('2016-05-04T18:53:41'), "<string>:1:24: Expected 'Z' in ISO8601 datetime, but found 'EOF' instead.");
});

numbers.run();

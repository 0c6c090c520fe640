import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigSyntaxError } from '../../src/config/errors.js';
import { tokenize } from '../../src/config/lexer.js';

/** Tokens as `Type:text` strings, EOF left out. */
function lexed(text: string): string[] {
  return tokenize(text)
    .filter((t) => t.type !== 'EOF')
    .map((t) => (t.text === '' ? t.type : `${t.type}:${t.text}`));
}

function lexError(text: string): string {
  try {
    tokenize(text);
  } catch (err) {
    assert.instance(err, ConfigSyntaxError);
    return (err as Error).message;
  }
  assert.unreachable(`expected a syntax error for ${JSON.stringify(text)}`);
  return '';
}

const keys = suite('config/lexer keys and separators');

keys('colon, equals and white space separate keys from values', () => {
  assert.equal(lexed('a: 1\nb = 2\nc 3\nd:4\ne=5'), [
    'Key:a', 'Integer:1', 'Key:b', 'Integer:2', 'Key:c', 'Integer:3', 'Key:d', 'Integer:4', 'Key:e', 'Integer:5',
  ]);
});

keys('values end at ; or , or newline, optionally followed by more', () => {
  assert.equal(lexed('a=1; b=2, c=3\r\nd=4;\n'), [
    'Key:a', 'Integer:1', 'Key:b', 'Integer:2', 'Key:c', 'Integer:3', 'Key:d', 'Integer:4',
  ]);
});

keys('quoted keys are verbatim', () => {
  assert.equal(lexed(`"foo bar": 1\n'a:b' = 2\n"include" x`), [
    'Key:foo bar', 'Integer:1', 'Key:a:b', 'Integer:2', 'Key:include', 'String:x',
  ]);
});

keys('a key may be separated from its value by newlines when there is no separator', () => {
  assert.equal(lexed('port\n\n4222'), ['Key:port', 'Integer:4222']);
});

keys('comments of both kinds, anywhere a value may end', () => {
  assert.equal(lexed('# top\n// also\na = 1 # trailing\nb: 2 // trailing\nc { # in map\n d: 3 // x\n}\n'), [
    'Key:a', 'Integer:1', 'Key:b', 'Integer:2', 'Key:c', 'MapStart', 'Key:d', 'Integer:3', 'MapEnd',
  ]);
  assert.equal(lexed('a = [ # start\n 1, // one\n 2 # two\n]'), [
    'Key:a', 'ArrayStart', 'Integer:1', 'Integer:2', 'ArrayEnd',
  ]);
});

keys('a # inside a bare word is part of it', () => {
  assert.equal(lexed('a = b#c'), ['Key:a', 'String:b#c']);
});

keys('the include keyword', () => {
  assert.equal(lexed('include ./a.conf\ninclude "b c.conf"\nx { include \'d.conf\'}\nINCLUDE e.conf; f: 1'), [
    'Include:./a.conf', 'Include:b c.conf', 'Key:x', 'MapStart', 'Include:d.conf', 'MapEnd', 'Include:e.conf',
    'Key:f', 'Integer:1',
  ]);
  assert.equal(lexed('include: 1'), ['Key:include', 'Integer:1']);
});

keys.run();

const structure = suite('config/lexer maps and arrays');

structure('maps with and without separator, nested', () => {
  assert.equal(lexed('tls { a: 1 }\nc: { d = { e 2 } }\nf = {}'), [
    'Key:tls', 'MapStart', 'Key:a', 'Integer:1', 'MapEnd',
    'Key:c', 'MapStart', 'Key:d', 'MapStart', 'Key:e', 'Integer:2', 'MapEnd', 'MapEnd',
    'Key:f', 'MapStart', 'MapEnd',
  ]);
});

structure('inside a map a newline may follow the separator', () => {
  assert.equal(lexed('m {\n a:\n  1\n}'), ['Key:m', 'MapStart', 'Key:a', 'Integer:1', 'MapEnd']);
});

structure('arrays with commas, newlines, trailing comma and maps', () => {
  assert.equal(lexed('a = [1, 2,3]\nb [\n x\n y,\n]\nc [ {k: 1}, {k: 2} ]'), [
    'Key:a', 'ArrayStart', 'Integer:1', 'Integer:2', 'Integer:3', 'ArrayEnd',
    'Key:b', 'ArrayStart', 'String:x', 'String:y', 'ArrayEnd',
    'Key:c', 'ArrayStart', 'MapStart', 'Key:k', 'Integer:1', 'MapEnd', 'MapStart', 'Key:k', 'Integer:2', 'MapEnd',
    'ArrayEnd',
  ]);
});

structure('a whole file wrapped in braces (JSON)', () => {
  assert.equal(lexed('{\n  "a": 1,\n  "b": [true, "x"]\n}\n'), [
    'Key:a', 'Integer:1', 'Key:b', 'ArrayStart', 'Bool:true', 'String:x', 'ArrayEnd',
  ]);
});

structure('empty inputs', () => {
  assert.equal(lexed(''), []);
  assert.equal(lexed('\n  # only a comment\n'), []);
  assert.equal(lexed('{}'), []);
  assert.equal(tokenize('').map((t) => t.type), ['EOF']);
});

structure('token offsets point at the first character', () => {
  const toks = tokenize('a: "x"\n  b [1]');
  assert.equal(
    toks.map((t) => [t.type, t.offset]),
    [['Key', 0], ['String', 3], ['Key', 9], ['ArrayStart', 11], ['Integer', 12], ['ArrayEnd', 13], ['EOF', 14]],
  );
});

structure.run();

const errors = suite('config/lexer errors');

errors('bad separators and terminators, with line and column', () => {
  assert.is(lexError(': 1'), "<string>:1:1: Unexpected key separator ':'");
  assert.is(lexError('m {\n  = 1\n}'), "<string>:2:3: Unexpected key separator '='.");
  assert.is(lexError('m { ] }'), "<string>:1:5: Unexpected array end ']' processing map.");
  assert.is(lexError('m {\n a: , }'), '<string>:2:5: Unexpected map value terminator ",".');
  assert.is(lexError('a = [1,,2]'), "<string>:1:8: Unexpected array value terminator ','.");
  assert.is(lexError('a = [,1]'), "<string>:1:6: Unexpected array value terminator ','.");
  assert.is(
    lexError('a = 1 2'),
    "<string>:1:7: Expected a top-level value to end with a new line, comment or EOF, but got '2' instead.",
  );
  assert.is(
    lexError('m { a = 1 b = 2 }'),
    `<string>:1:11: Expected a map value terminator "," or a map terminator "}", but got 'b' instead.`,
  );
  assert.is(
    lexError('a [1 2]'),
    `<string>:1:6: Expected an array value terminator "," or an array terminator "]", but got '2' instead.`,
  );
  assert.is(lexError('a = [1; 2]'), `<string>:1:7: Expected an array value terminator "," or an array terminator "]", but got ';' instead.`);
});

errors('missing values', () => {
  assert.is(lexError('a:\n1'), '<string>:1:3: Expected value but found new line');
  assert.is(lexError('ok = 1\nfoo'), "<string>:2:1: key 'foo' has no value");
  assert.is(lexError('foo ='), "<string>:1:1: key 'foo' has no value");
  assert.is(lexError('m {\n  b\n}'), "<string>:2:3: key 'b' has no value");
  assert.is(lexError('a = ;'), "<string>:1:5: Expected a value but found ';'");
  assert.is(lexError('m { a = , }'), '<string>:1:9: Unexpected map value terminator ",".');
});

errors('unterminated structures name where they were opened', () => {
  assert.is(lexError('a {\n  b: 1\n'), '<string>:3:1: Unexpected EOF processing map opened at 1:3.');
  assert.is(lexError('x = 1\na = [\n  1,\n  2'), '<string>:4:4: Unexpected EOF processing array opened at 2:5.');
  assert.is(lexError('m { a: [1 }'), `<string>:1:11: Expected an array value terminator "," or an array terminator "]", but got '}' instead.`);
  assert.is(lexError('"abc: 1'), '<string>:1:1: Unexpected EOF: unterminated quoted key.');
});

errors('include values', () => {
  assert.is(lexError('include [a]'), '<string>:1:9: Expected include value but found start of an array');
  assert.is(lexError('include {a}'), '<string>:1:9: Expected include value but found start of a map');
  assert.is(lexError('include (a)'), '<string>:1:9: Expected include value but found start of a block');
  assert.is(lexError('include 2.conf'), '<string>:1:9: Expected include value but found start of a number');
  assert.is(lexError('include \\a'), '<string>:1:9: Expected include value but found escape sequence');
  assert.is(lexError('include \n'), '<string>:1:9: Expected include value but found new line');
  assert.is(lexError('include "a.conf'), '<string>:1:9: Unexpected EOF: unterminated quoted string.');
});

errors('columns count characters, not UTF-16 units', () => {
  assert.is(lexError('"\u{1F600}é" = 1 2'), "<string>:1:10: Expected a top-level value to end with a new line, comment or EOF, but got '2' instead.");
});

errors.run();

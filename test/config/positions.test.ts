import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPosition, keyPosition, parseConfig, type ConfigMap } from '../../src/config/index.js';
import { defineKey } from '../../src/config/positions.js';
import { Source } from '../../src/config/source.js';

const positions = suite('config/positions');

positions('every key of every map has its position; values stay plain', () => {
  const text = 'port: 4222\n\nstreaming {\n  id: x\n  "store": file\n  store_limits { channels { "foo.*": { max_msgs: 100 } } }\n}\n';
  const m = parseConfig(text, { file: 'stan.conf' });
  assert.equal(keyPosition(m, 'port'), { file: 'stan.conf', line: 1, column: 1 });
  assert.equal(keyPosition(m, 'streaming'), { file: 'stan.conf', line: 3, column: 1 });
  const streaming = m.streaming as ConfigMap;
  assert.equal(keyPosition(streaming, 'id'), { file: 'stan.conf', line: 4, column: 3 });
  assert.equal(keyPosition(streaming, 'store'), { file: 'stan.conf', line: 5, column: 3 });
  const channels = (streaming.store_limits as ConfigMap).channels as ConfigMap;
  assert.equal(keyPosition(channels, 'foo.*'), { file: 'stan.conf', line: 6, column: 29 });
  assert.equal(keyPosition(channels['foo.*'] as ConfigMap, 'max_msgs'), { file: 'stan.conf', line: 6, column: 40 });
  assert.equal(Object.keys(m), ['port', 'streaming']);
  assert.is(JSON.stringify(m.streaming), '{"id":"x","store":"file","store_limits":{"channels":{"foo.*":{"max_msgs":100}}}}');
});

positions('maps inside arrays have positions too', () => {
  const m = parseConfig('users = [\n  {user: a}\n  { user: b }\n]');
  const users = m.users as ConfigMap[];
  assert.equal(keyPosition(users[1]!, 'user'), { file: '<string>', line: 3, column: 5 });
});

positions('unknown keys and foreign maps have none', () => {
  const m = parseConfig('a: 1');
  assert.is(keyPosition(m, 'b'), undefined);
  assert.is(keyPosition(m, 'A'), undefined);
  assert.is(keyPosition({ a: 1 }, 'a'), undefined);
});

positions('a redefined key moves to its last definition', () => {
  const m = parseConfig('a: 1\nb: 2\na: 3');
  assert.equal(keyPosition(m, 'a'), { file: '<string>', line: 3, column: 1 });
});

positions('formatPosition', () => {
  assert.is(formatPosition({ file: 'x.conf', line: 3, column: 7 }), 'x.conf:3:7');
});

positions('defineKey records and clears positions', () => {
  const m: ConfigMap = {};
  defineKey(m, 'k', 1, { file: 'f', line: 1, column: 2 });
  assert.equal(keyPosition(m, 'k'), { file: 'f', line: 1, column: 2 });
  defineKey(m, 'k', 2, undefined);
  assert.is(keyPosition(m, 'k'), undefined);
  assert.equal(m, { k: 2 });
});

positions.run();

const source = suite('config/source');

source('offsets become 1-based lines and code-point columns', () => {
  const src = new Source('ab\n\u{1F600}x\r\n\nz', 'f.conf');
  assert.equal(src.position(0), { file: 'f.conf', line: 1, column: 1 });
  assert.equal(src.position(2), { file: 'f.conf', line: 1, column: 3 });
  assert.equal(src.position(3), { file: 'f.conf', line: 2, column: 1 });
  assert.equal(src.position(5), { file: 'f.conf', line: 2, column: 2 });
  assert.equal(src.position(6), { file: 'f.conf', line: 2, column: 3 });
  assert.equal(src.position(8), { file: 'f.conf', line: 3, column: 1 });
  assert.equal(src.position(9), { file: 'f.conf', line: 4, column: 1 });
  assert.equal(src.position(10), { file: 'f.conf', line: 4, column: 2 });
});

source('errors carry the location', () => {
  const err = new Source('a\nbc', 'f.conf').error(3, 'bad');
  assert.is(err.message, 'f.conf:2:2: bad');
  assert.equal([err.file, err.line, err.column, err.reason], ['f.conf', 2, 2, 'bad']);
});

source.run();

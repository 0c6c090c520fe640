// The protocol parser through the TypeScript interface, once per core:
// every op and argument shape, every split position, the limits, a full
// output array, and a seeded mutation loop (1M inputs in test:long).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H_CONSUMED, H_STATUS, Op, ParseError, STATUS_ERROR, STATUS_FULL, STATUS_PARTIAL } from '../../src/core/index.js';
import { cores, LONG, rng } from '../helpers/cores.js';
import { parseChunks, type DecodedOp } from '../helpers/ops.js';

const MCL = 4096;
const MAX_PAYLOAD = 1024 * 1024;
const enc = (s: string) => Buffer.from(s, 'latin1');

const SHAPES: [string, DecodedOp[]][] = [
  ['CONNECT {"verbose":false,"pedantic":false}\r\n', [{ kind: Op.CONNECT, subject: '{"verbose":false,"pedantic":false}' }]],
  ['connect {}\r\n', [{ kind: Op.CONNECT, subject: '{}' }]],
  ['PUB foo 5\r\nhello\r\n', [{ kind: Op.PUB, subject: 'foo', payload: 'hello' }]],
  ['pub foo.bar _INBOX.a.b 0\r\n\r\n', [{ kind: Op.PUB, subject: 'foo.bar', reply: '_INBOX.a.b', payload: '' }]],
  ['PUB\tfoo \t rep\t3\r\nabc\r\n', [{ kind: Op.PUB, subject: 'foo', reply: 'rep', payload: 'abc' }]],
  ['Pub foo 4\r\na\r\nb\r\n', [{ kind: Op.PUB, subject: 'foo', payload: 'a\r\nb' }]],
  ['HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n', [{ kind: Op.HPUB, subject: 'foo', payload: 'NATS/1.0\r\n\r\nhi', num: 12 }]],
  ['hpub foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n', [{ kind: Op.HPUB, subject: 'foo', reply: 'r', payload: 'NATS/1.0\r\n\r\n', num: 12 }]],
  ['SUB foo 1\r\n', [{ kind: Op.SUB, subject: 'foo', sid: '1' }]],
  ['sub foo.* grp 22\r\n', [{ kind: Op.SUB, subject: 'foo.*', reply: 'grp', sid: '22' }]],
  ['UNSUB 1\r\n', [{ kind: Op.UNSUB, sid: '1' }]],
  ['unsub 1 5\r\n', [{ kind: Op.UNSUB, sid: '1', num: 5 }]],
  ['UNSUB 1 0\r\n', [{ kind: Op.UNSUB, sid: '1', num: 0 }]],
  ['PING\r\n', [{ kind: Op.PING }]],
  ['pInG\r\n', [{ kind: Op.PING }]],
  ['PONG\r\n', [{ kind: Op.PONG }]],
  ['INFO {"max_payload":1048576} \r\n', [{ kind: Op.INFO, subject: '{"max_payload":1048576} ' }]],
  ['MSG foo 1 3\r\nabc\r\n', [{ kind: Op.MSG, subject: 'foo', sid: '1', payload: 'abc' }]],
  ['MSG foo 1 bar 3\r\nabc\r\n', [{ kind: Op.MSG, subject: 'foo', sid: '1', reply: 'bar', payload: 'abc' }]],
  [
    'HMSG _INBOX.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n',
    [{ kind: Op.HMSG, subject: '_INBOX.x', sid: '7', payload: 'NATS/1.0 503\r\n\r\n', num: 16 }],
  ],
  ['+OK\r\n', [{ kind: Op.OK }]],
  ["-ERR 'Stale Connection'\r\n", [{ kind: Op.ERR, subject: "'Stale Connection'" }]],
];

const FAILURES: [string, number][] = [
  ['FOO\r\n', ParseError.UNKNOWN_OP],
  ['PUBX a 1\r\n', ParseError.UNKNOWN_OP],
  ['PUB a 1\r\nab\r\n', ParseError.UNKNOWN_OP],
  ['PUB a\r\n', ParseError.BAD_ARGS],
  ['PUB a b c 1\r\n', ParseError.BAD_ARGS],
  ['PUB a x\r\n', ParseError.BAD_SIZE],
  ['HPUB a 10 5\r\n', ParseError.BAD_HEADER_SIZE],
  ['SUB foo\r\n', ParseError.BAD_ARGS],
  ['UNSUB 1 x\r\n', ParseError.BAD_SIZE],
  [`PUB a ${MAX_PAYLOAD + 1}\r\n`, ParseError.MAX_PAYLOAD],
  [`SUB ${'a'.repeat(MCL + 1)} 1\r\n`, ParseError.CONTROL_LINE],
  [`PUB ${'a'.repeat(MCL + 10)}`, ParseError.CONTROL_LINE],
];

/** Every op shape in one stream, for the split tests. */
const STREAM = SHAPES.map(([s]) => s).join('');
const STREAM_OPS = SHAPES.flatMap(([, ops]) => ops);

for (const core of cores()) {
  const test = suite(`core/parser [${core.kind}]`);
  const parser = () => core.newParser(MCL, MAX_PAYLOAD);

  test('every op and argument shape', () => {
    for (const [input, want] of SHAPES) {
      assert.equal(parseChunks(parser(), [enc(input)]), want, JSON.stringify(input));
    }
  });

  test('ops that must fail end with an ERROR record of the right code', () => {
    for (const [input, code] of FAILURES) {
      const ops = parseChunks(parser(), [enc(input)]);
      assert.equal(ops.at(-1), { kind: Op.ERROR, num: code }, JSON.stringify(input.slice(0, 40)));
    }
  });

  test('the status word says error, partial or done', () => {
    const p = parser();
    p.parse(enc('PING\r\nPU'));
    assert.is(p.ops[H_STATUS], STATUS_PARTIAL);
    assert.is(p.ops[H_CONSUMED], 8);
    p.parse(enc('B a 1\r\nx\r\n'));
    assert.is(p.ops[H_STATUS], 0);
    p.parse(enc('XYZ\r\n'));
    assert.is(p.ops[H_STATUS], STATUS_ERROR);
    assert.is(p.ops[H_CONSUMED], 0);
  });

  test('every split position of a stream of all ops gives the same ops', () => {
    const bytes = enc(STREAM);
    assert.equal(parseChunks(parser(), [bytes]), STREAM_OPS);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = parseChunks(parser(), [bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.equal(got, STREAM_OPS, `cut at ${cut}`);
    }
  });

  test('one byte at a time', () => {
    const bytes = enc(STREAM);
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    assert.equal(parseChunks(parser(), chunks), STREAM_OPS);
  });

  test('a full output array resumes where it stopped', () => {
    const many = 'PUB a.b 3\r\nabc\r\n'.repeat(2500) + 'PING\r\n';
    const p = parser();
    const n = p.parse(enc(many));
    assert.is(n, 1024);
    assert.is(p.ops[H_STATUS], STATUS_FULL);
    assert.is(p.ops[H_CONSUMED], 1024 * 16);
    const ops = parseChunks(parser(), [enc(many)]);
    assert.is(ops.length, 2501);
    assert.equal(ops[2500], { kind: Op.PING });
  });

  test('a large payload across many chunks arrives whole', () => {
    const payload = Buffer.alloc(300_000, 0);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 251;
    const stream = Buffer.concat([enc('PUB big 300000\r\n'), payload, enc('\r\nPING\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));
    const ops = parseChunks(parser(), chunks);
    assert.is(ops.length, 2);
    assert.ok(Buffer.from(ops[0]!.payload!, 'latin1').equals(payload));
    assert.equal(ops[1], { kind: Op.PING });
  });

  test('limits can change at runtime', () => {
    const p = core.newParser(16, 4);
    assert.equal(parseChunks(p, [enc('PUB a 5\r\n')]).at(-1), { kind: Op.ERROR, num: ParseError.MAX_PAYLOAD });
    p.setLimits(16, 8);
    assert.equal(parseChunks(p, [enc('PUB a 5\r\nabcde\r\n')]), [{ kind: Op.PUB, subject: 'a', payload: 'abcde' }]);
    p.parse(enc('PUB a 5\r\nab'));
    p.reset();
    assert.equal(parseChunks(p, [enc('PING\r\n')]), [{ kind: Op.PING }]);
  });

  test('mutated input never throws, stalls or reads out of bounds', () => {
    const next = rng(0xc0ffee);
    const base = enc(STREAM);
    const rounds = LONG ? 1_000_000 : 4_000;
    const alphabet = enc('\r\n *>.0123456789PUBSHMGINOK+-');
    for (let r = 0; r < rounds; r++) {
      const bytes = Buffer.from(base);
      let s: Buffer = bytes;
      const edits = next() % 6;
      for (let e = 0; e < edits; e++) {
        const at = next() % s.length;
        const op = next() % 3;
        if (op === 0) s[at] = next() & 0xff;
        else if (op === 1) s = Buffer.concat([s.subarray(0, at), s.subarray(at + 1)]);
        else s = Buffer.concat([s.subarray(0, at), alphabet.subarray(next() % alphabet.length).subarray(0, 1), s.subarray(at)]);
      }
      const cut = next() % (s.length + 1);
      const p = core.newParser(256, 1024);
      const ops = parseChunks(p, [s.subarray(0, cut), s.subarray(cut)]);
      // Freed now: a million parsers awaiting the GC would exhaust WASM memory.
      p.dispose();
      for (const op of ops) {
        assert.ok(op.kind >= Op.CONNECT && (op.kind <= Op.ERR || op.kind === Op.ERROR), `kind ${op.kind}`);
      }
    }
  });

  test.run();
}

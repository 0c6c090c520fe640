// The log line format byte for byte with a fixed clock (nats-server
// logger/log.go), level gating for the NATS and streaming views, runtime
// level changes, the JSON mode, and the trace text helpers.

import { hostname } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GoTimestamp, LineFormatter, wallClock } from '../../src/log/format.js';
import { createLogger, type LoggerOptions } from '../../src/log/logger.js';
import { goQuote, redactConnect } from '../../src/log/quote.js';

/** 2006/01/02 15:04:05.000123 local time, in epoch microseconds. */
const T0 = new Date(2006, 0, 2, 15, 4, 5).getTime() * 1000 + 123;
const PID = 4242;

function capture(o: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger({ pid: PID, clock: () => T0, write: (l) => lines.push(l), ...o });
  return { log, lines };
}

const format = suite('log/format');

format('the Go line: [pid] date time.micros [LVL] msg', () => {
  const { log, lines } = capture({ debug: true, trace: true });
  log.info('Starting nats-server');
  log.warn('w');
  log.error('e');
  log.debug('d');
  log.trace('t');
  assert.equal(lines, [
    '[4242] 2006/01/02 15:04:05.000123 [INF] Starting nats-server\n',
    '[4242] 2006/01/02 15:04:05.000123 [WRN] w\n',
    '[4242] 2006/01/02 15:04:05.000123 [ERR] e\n',
    '[4242] 2006/01/02 15:04:05.000123 [DBG] d\n',
    '[4242] 2006/01/02 15:04:05.000123 [TRC] t\n',
  ]);
});

format('-T=false drops the date and time', () => {
  const { log, lines } = capture({ logtime: false });
  log.info('STREAM: Streaming Server is ready');
  assert.equal(lines, ['[4242] [INF] STREAM: Streaming Server is ready\n']);
});

format('--logtime_utc prints UTC', () => {
  const utc = Date.UTC(2006, 0, 2, 22, 4, 5) * 1000 + 7;
  const { log, lines } = capture({ logtimeUtc: true, clock: () => utc });
  log.info('x');
  assert.equal(lines, ['[4242] 2006/01/02 22:04:05.000007 [INF] x\n']);
});

format('a message ending in a newline gets no second one (Go log)', () => {
  const { log, lines } = capture({ logtime: false });
  log.info('two\n');
  assert.equal(lines, ['[4242] [INF] two\n']);
});

format('colours are nats-server labels with ANSI codes', () => {
  const f = new LineFormatter({ logtime: false, colors: true, pid: 1 });
  assert.is(f.format('info', 'm', 0), '[1] [\x1b[32mINF\x1b[0m] m\n');
  assert.is(f.format('warn', 'm', 0), '[1] [\x1b[0;93mWRN\x1b[0m] m\n');
  assert.is(f.format('error', 'm', 0), '[1] [\x1b[31mERR\x1b[0m] m\n');
  assert.is(f.format('debug', 'm', 0), '[1] [\x1b[36mDBG\x1b[0m] m\n');
  assert.is(f.format('trace', 'm', 0), '[1] [\x1b[33mTRC\x1b[0m] m\n');
});

format('the timestamp cache follows the second', () => {
  const ts = new GoTimestamp(true);
  const s = Date.UTC(2020, 11, 31, 23, 59, 59) * 1000;
  assert.is(ts.format(s + 999_999), '2020/12/31 23:59:59.999999 ');
  assert.is(ts.format(s + 1_000_000), '2021/01/01 00:00:00.000000 ');
});

format('the wall clock has microseconds and follows Date.now()', () => {
  const before = (Date.now() - 1) * 1000; // within the clock's tolerance of Date.now()
  const t = wallClock();
  const after = (Date.now() + 2) * 1000;
  assert.ok(Number.isInteger(t));
  assert.ok(t >= before && t <= after, `${before} <= ${t} <= ${after}`);
});

const levels = suite('log/levels');

levels('debug and trace are off by default; -D and -V gate the NATS view', () => {
  const { log, lines } = capture({ logtime: false });
  assert.is(log.debugEnabled, false);
  assert.is(log.traceEnabled, false);
  log.debug('d');
  log.trace('t');
  assert.equal(lines, []);
});

levels('-SD and -SV gate the streaming view only', () => {
  const { log, lines } = capture({ logtime: false, stanDebug: true, stanTrace: true });
  log.debug('nats d');
  log.trace('nats t');
  log.stan.debug('STREAM: d');
  log.stan.trace('STREAM: t');
  log.stan.info('STREAM: i');
  assert.is(log.stan.debugEnabled, true);
  assert.is(log.stan.traceEnabled, true);
  assert.equal(lines, ['[4242] [DBG] STREAM: d\n', '[4242] [TRC] STREAM: t\n', '[4242] [INF] STREAM: i\n']);
});

levels('setLevels changes the levels at runtime (SIGHUP reload)', () => {
  const { log, lines } = capture({ logtime: false });
  log.setLevels({ debug: true, stanTrace: true });
  assert.equal(log.levels(), { debug: true, trace: false, stanDebug: false, stanTrace: true });
  assert.is(log.debugEnabled, true);
  assert.is(log.stan.traceEnabled, true);
  log.debug('a');
  log.stan.trace('b');
  log.setLevels({ debug: false });
  log.debug('c');
  assert.equal(lines, ['[4242] [DBG] a\n', '[4242] [TRC] b\n']);
});

levels('reopen without a log file says so, as the Go server', () => {
  const { log, lines } = capture({ logtime: false });
  assert.is(log.reopen(), false);
  assert.equal(lines, ['[4242] [INF] STREAM: File log re-open ignored, not a file logger\n']);
});

const json = suite('log/json');

json('--log_json: one JSON object per line, pino level names, microsecond UTC time', () => {
  const { log, lines } = capture({ json: true, debug: true });
  log.info('Starting nats-server');
  log.debug('d');
  log.trace('dropped');
  assert.is(lines.length, 2);
  const host = JSON.stringify(hostname());
  const time = `${new Date(Math.floor(T0 / 1000)).toISOString().slice(0, 23)}123Z`;
  assert.is(lines[0], `{"level":"info","time":"${time}","pid":4242,"hostname":${host},"msg":"Starting nats-server"}\n`);
  assert.equal(JSON.parse(lines[1]!).level, 'debug');
});

json('streaming lines carry "layer":"streaming" instead of the prefix', () => {
  const { log, lines } = capture({ json: true });
  log.stan.warn('STREAM: Channel "foo" limit reached');
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.is(o.level, 'warn');
  assert.is(o.layer, 'streaming');
  assert.is(o.msg, 'Channel "foo" limit reached');
});

json('messages are escaped as JSON', () => {
  const { log, lines } = capture({ json: true });
  log.error('quote " backslash \\ newline \n');
  assert.is((JSON.parse(lines[0]!) as { msg: string }).msg, 'quote " backslash \\ newline \n');
});

const quote = suite('log/quote');

quote("payloads print as Go's %q", () => {
  assert.is(goQuote(Buffer.from('hello')), '"hello"');
  assert.is(goQuote(Buffer.from('a"b\\c\r\n\t')), '"a\\"b\\\\c\\r\\n\\t"');
  assert.is(goQuote(Buffer.from([0, 0x1f, 0x7f])), '"\\x00\\x1f\\x7f"');
  assert.is(goQuote(Buffer.from('héllo €')), '"héllo €"');
  assert.is(goQuote(Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62])), '"a\\xff\\xe2\\x82b"');
});

quote('CONNECT secrets are masked', () => {
  assert.is(
    redactConnect('{"verbose":false,"user":"u","pass":"s3\\"cret","auth_token":"t","name":"x"}'),
    '{"verbose":false,"user":"u","pass":"[REDACTED]","auth_token":"[REDACTED]","name":"x"}',
  );
});

format.run();
levels.run();
json.run();
quote.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigValueError } from '../../src/config/errors.js';
import { parseDuration, parseSize, scaleInteger, sizeMultiplier } from '../../src/config/units.js';

function throwsValueError(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ConfigValueError);
    assert.is((err as Error).name, 'ConfigValueError');
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`expected ConfigValueError: ${message}`);
}

const size = suite('config/units parseSize');

size('plain integers', () => {
  assert.is(parseSize('512'), 512);
  assert.is(parseSize('0'), 0);
  assert.is(parseSize('-1'), -1);
  assert.is(parseSize(' 42 '), 42);
});

size('decimal suffixes', () => {
  assert.is(parseSize('8k'), 8000);
  assert.is(parseSize('1M'), 1_000_000);
  assert.is(parseSize('1G'), 1_000_000_000);
  assert.is(parseSize('2t'), 2_000_000_000_000);
  assert.is(parseSize('3P'), 3_000_000_000_000_000);
  assert.is(parseSize('1e'), 1e18);
});

size('binary suffixes in every spelling and case', () => {
  assert.is(parseSize('4kb'), 4096);
  assert.is(parseSize('3Ki'), 3072);
  assert.is(parseSize('4KiB'), 4096);
  assert.is(parseSize('64MB'), 67_108_864);
  assert.is(parseSize('2mi'), 2_097_152);
  assert.is(parseSize('64MiB'), 67_108_864);
  assert.is(parseSize('1GB'), 1_073_741_824);
  assert.is(parseSize('22Gi'), 22 * 1024 ** 3);
  assert.is(parseSize('1gib'), 1_073_741_824);
  assert.is(parseSize('22TB'), 22 * 1024 ** 4);
  assert.is(parseSize('1PiB'), 1024 ** 5);
  assert.is(parseSize('1EB'), 2 ** 60);
});

size('bad input', () => {
  throwsValueError(() => parseSize(''), "invalid size '': expected an integer with an optional suffix such as KB, MB or GB");
  throwsValueError(() => parseSize('1.5GB'), "invalid size '1.5GB': expected an integer with an optional suffix such as KB, MB or GB");
  throwsValueError(() => parseSize('64 MB'), "invalid size '64 MB': expected an integer with an optional suffix such as KB, MB or GB");
  throwsValueError(() => parseSize('10x'), "invalid size '10x': unknown suffix 'x'");
  throwsValueError(() => parseSize('10kbb'), "invalid size '10kbb': unknown suffix 'kbb'");
  throwsValueError(() => parseSize('8EB'), "invalid size '8EB': out of range");
});

size('sizeMultiplier and scaleInteger', () => {
  assert.is(sizeMultiplier(''), 1n);
  assert.is(sizeMultiplier('KIB'), 1024n);
  assert.is(sizeMultiplier('x'), undefined);
  assert.is(scaleInteger('9223372036854775807', ''), 9223372036854775807);
  assert.is(scaleInteger('9223372036854775808', ''), undefined);
  assert.is(scaleInteger('-9223372036854775808', ''), -9223372036854775808);
  assert.is(scaleInteger('7', 'eb'), 7 * 2 ** 60);
  assert.is(scaleInteger('8', 'eb'), undefined);
});

size.run();

const duration = suite('config/units parseDuration');

duration('single units, in milliseconds', () => {
  assert.is(parseDuration('10ns'), 0.00001);
  assert.is(parseDuration('300us'), 0.3);
  assert.is(parseDuration('300\u00b5s'), 0.3);
  assert.is(parseDuration('300\u03bcs'), 0.3);
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('10s'), 10_000);
  assert.is(parseDuration('2m'), 120_000);
  assert.is(parseDuration('24h'), 86_400_000);
});

duration('compound, fractional, signed and zero', () => {
  assert.is(parseDuration('1h15m'), 4_500_000);
  assert.is(parseDuration('1h30m10s'), 5_410_000);
  assert.is(parseDuration('1.5s'), 1500);
  assert.is(parseDuration('1.5h'), 5_400_000);
  assert.is(parseDuration('.5s'), 500);
  assert.is(parseDuration('1.s'), 1000);
  assert.is(parseDuration('-3s'), -3000);
  assert.is(parseDuration('+3s'), 3000);
  assert.is(parseDuration('0'), 0);
  assert.is(parseDuration('0s'), 0);
  assert.is(parseDuration('1.0000000001s'), 1000);
});

duration('errors use Go wording', () => {
  throwsValueError(() => parseDuration(''), 'time: invalid duration ""');
  throwsValueError(() => parseDuration('1'), 'time: missing unit in duration "1"');
  throwsValueError(() => parseDuration('1d'), 'time: unknown unit "d" in duration "1d"');
  throwsValueError(() => parseDuration('10 s'), 'time: unknown unit " s" in duration "10 s"');
  throwsValueError(() => parseDuration('.s'), 'time: invalid duration ".s"');
  throwsValueError(() => parseDuration('s'), 'time: invalid duration "s"');
  throwsValueError(() => parseDuration('-'), 'time: invalid duration "-"');
  throwsValueError(() => parseDuration('3000000h'), 'time: invalid duration "3000000h"');
});

duration.run();

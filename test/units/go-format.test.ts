// Durations and byte counts in the Go server's words.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { friendlyBytes, goDuration } from '../../src/units/go-format.js';

const GB = 1024 ** 3;
const HOUR_MS = 3_600_000;

const format = suite('units/go-format');

format('friendlyBytes', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.00 KB'],
    [1152, '1.12 KB'], // 1.125: a tie, rounded to even as Go does
    [1176, '1.15 KB'],
    [1_048_576, '1.00 MB'],
    [1_024_000_000, '976.56 MB'],
    [GB, '1.00 GB'],
    [10 * GB, '10.00 GB'],
    [1024 ** 4 * 3, '3.00 TB'],
  ];
  for (const [n, s] of cases) assert.is(friendlyBytes(n), s, String(n));
});

format('goDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [0.0005, '500ns'],
    [0.0015, '1.5µs'],
    [1, '1ms'],
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [90_500, '1m30.5s'],
    [HOUR_MS, '1h0m0s'],
    [72 * HOUR_MS, '72h0m0s'],
    [-1000, '-1s'],
    [365 * 24 * HOUR_MS, '8760h0m0s'],
  ];
  for (const [ms, s] of cases) assert.is(goDuration(ms), s, String(ms));
});

format.run();

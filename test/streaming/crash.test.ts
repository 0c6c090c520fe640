// The crash test of the FILE store (issue #5; test/helpers/crash.ts): SIGKILL
// under async publishing, restart on the same directory, no acknowledged
// message lost; the same again with encryption at rest on (issue #17), whose
// message files must not hold the payloads in clear.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CHANNEL, runCrashSuite } from '../helpers/crash.js';

runCrashSuite('streaming/crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-crash-'));
  return { args: ['-st', 'file', '--dir', dir], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

runCrashSuite(
  'streaming/crash (encrypted)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stan-crash-enc-'));
    return {
      args: ['-st', 'file', '--dir', dir, '--encryption_cipher', 'CHACHA', '--encryption_key', 'crash test key'],
      verify(trial: number) {
        const slice = readFileSync(join(dir, CHANNEL, 'msgs.1.dat'));
        assert.not.ok(slice.includes('m-999999999'), `trial ${trial}: the payloads are stored encrypted`);
      },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  ', encrypted',
);

// The crash test of the FILE store (issue #5; test/helpers/crash.ts): SIGKILL
// under async publishing, restart on the same directory, no acknowledged
// message lost.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashSuite } from '../helpers/crash.js';

runCrashSuite('streaming/crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-crash-'));
  return { args: ['-st', 'file', '--dir', dir], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

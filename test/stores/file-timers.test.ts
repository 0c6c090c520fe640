// The file store's timers hold any period the config accepts: Node turns an
// interval past 2^31-1 ms into 1 ms, so a file_auto_sync of 30 days flushed
// every millisecond (with a TimeoutOverflowWarning each time).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileStore } from '../../src/stores/file/index.js';
import { sleep } from '../helpers/wait.js';
import { warningsDuring } from '../helpers/warnings.js';
import { tempDir } from './file-helpers.js';

test('file_auto_sync of 30 days: no TimeoutOverflowWarning', async () => {
  const store = new FileStore({ dir: tempDir(), doSync: false, autoSyncMs: 30 * 86_400_000 });
  try {
    const warnings = await warningsDuring(async () => {
      await store.recover();
      await sleep(100);
    });
    assert.equal(warnings, []);
  } finally {
    await store.close();
  }
});

test.run();

// Opening the store the options ask for (-st, --dir, --file_*): the type,
// its errors, and the location the startup log shows.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import { limitReachedWarning, openStore } from '../../src/stores/open.js';
import { StoreError } from '../../src/stores/store.js';

const open = suite('stores/open');

const choice = (values: Record<string, unknown>) => ({ values, set: new Set(Object.keys(values)) });

open('MEMORY by default, in any case, with no location', async () => {
  for (const values of [{}, { storeType: 'memory' }]) {
    const { store, location } = await openStore(choice(values), silentLogger);
    assert.is(store.type, 'MEMORY');
    assert.is(location, undefined);
    await store.close();
  }
});

open('FILE in --dir, with the directory as its location', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-open-'));
  try {
    const { store, location } = await openStore(choice({ storeType: 'file', filestoreDir: dir, fileSync: false }), silentLogger);
    assert.is(store.type, 'FILE');
    assert.is(location, dir);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

open('FILE without --dir and an unknown type are refused with the texts startup prints', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ storeType: 'FILE' }, 'for FILE stores, root directory must be specified'],
    [{ storeType: 'FILE', filestoreDir: '' }, 'for FILE stores, root directory must be specified'],
    [{ storeType: 'sql' }, 'sql: driver not specified (--sql_driver postgres|mysql)'],
    [{ storeType: 'sql', sqlDriver: 'oracle', sqlSource: 'x' }, 'sql: unsupported driver "oracle" (use postgres or mysql)'],
    [{ storeType: 'sql', sqlDriver: 'postgres' }, 'sql: data source not specified (--sql_source)'],
    [{ storeType: 'raft' }, 'store type "raft" is not supported (use MEMORY, FILE or SQL)'],
  ];
  for (const [values, message] of cases) {
    try {
      await openStore(choice(values), silentLogger);
      assert.unreachable(message);
    } catch (err) {
      assert.instance(err, StoreError);
      assert.is((err as Error).message, message);
    }
  }
});

open('limitReachedWarning: the Go server\'s text', () => {
  const limits = { maxSubscriptions: 0, maxMsgs: 10, maxBytes: 2048, maxAgeMs: 0, maxInactivityMs: 0 };
  assert.is(
    limitReachedWarning('foo', { firstSeq: 2, lastSeq: 11, msgs: 10, bytes: 1500 }, limits),
    'WARNING: Reached limits for store "foo" (msgs=10/10 bytes=1.46 KB/2.00 KB), ' +
      'dropping old messages to make room for new ones',
  );
});

open.run();

// The FILE store: the shared store contract, recovery suite included.
// File-only behaviour: file-format, file-recovery, file-slices, file-server.

import { FileStore, type FileMsgStore } from '../../src/stores/file/index.js';
import { RECENT_TTL_MS } from '../../src/stores/file/recent.js';
import { runStoreContract } from './contract.js';
import { tempDir } from './file-helpers.js';

runStoreContract('FILE', async () => new FileStore({ dir: tempDir() }), {
  reopen: async (s) => (await s.close(), new FileStore({ dir: (s as FileStore).dir })),
  openSmall: async () => new FileStore({ dir: tempDir(), sliceMaxMsgs: 7 }),
  // Written messages leave the recent cache after its TTL: a sweep "later" drops them.
  evict: async (m) => (m as FileMsgStore).sweep(Date.now() + 2 * RECENT_TTL_MS, false),
});

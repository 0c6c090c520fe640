// The FILE store: the shared store contract, recovery suite included.
// File-only behaviour: file-format, file-recovery, file-slices, file-server.

import { FileStore } from '../../src/stores/file/index.js';
import { runStoreContract } from './contract.js';
import { tempDir } from './file-helpers.js';

runStoreContract('FILE', async () => new FileStore({ dir: tempDir() }), {
  reopen: async (s) => (await s.close(), new FileStore({ dir: (s as FileStore).dir })),
});

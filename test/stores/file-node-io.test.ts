// The FILE store's suites once more over the node:fs backend (what a
// process with only the WASM core uses), so both backends pass the same
// behaviours. The import order matters: the backend is chosen first.

import './use-node-io.js';
import './file.test.js';
import './file-recovery.test.js';
import './file-slices.test.js';
import './file-reads.test.js';
import './file-faults.test.js';
import './file-fault-recovery.test.js';

// The FILE store's suites (the contract's included) once more over the
// fault-injecting backend with no fault armed: it changes nothing until
// told to fail. The import order matters: the backend is chosen first.

import './use-faulty-io.js';
import './file.test.js';
import './file-recovery.test.js';
import './file-slices.test.js';
import './file-reads.test.js';

// Streaming suites that use the FILE store once more over the
// fault-injecting I/O backend with no fault armed (io-faults.ts; child
// servers inherit the selector): it changes nothing until told to fail.
// The import order matters: the backend is chosen first.

import '../stores/use-faulty-io.js';
import './failures.test.js';
import './crash.test.js';

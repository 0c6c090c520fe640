// Imported first by file-faulty-io.test.ts: every FILE store in this
// process does its I/O through the fault-injecting backend, with no fault
// armed (io-faults.ts only forwards then).
process.env.STAN_FILE_IO = 'faults';

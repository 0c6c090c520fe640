// Imported first by file-node-io.test.ts: every FILE store in this process
// does its I/O through node:fs (the WASM core's backend).
process.env.STAN_FILE_IO = 'node';

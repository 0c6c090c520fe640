// Runs every compiled test file (dist/test/**/*.test.js) in its own node
// process, two at a time, and ends with the line `N passed, N failed`.
// A file that crashes before uvu prints its summary counts as one failure,
// with its output shown. `--long` sets STAN_TEST_LONG=1 (fuzz and soak
// loops at full length); extra arguments filter files by substring.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const args = process.argv.slice(2);
const long = args.includes('--long');
const filters = args.filter((a) => !a.startsWith('--'));
const testRoot = join(root, 'dist', 'test');
/** A file still running after this long is killed and counted as failed. */
const FILE_TIMEOUT_MS = (long ? 60 : 5) * 60_000;

if (!existsSync(testRoot)) {
  console.error('no dist/test: run `npm install` (or `npm run build`) first');
  process.exit(1);
}

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
}

const files = find(testRoot)
  .sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', file], {
      cwd: root,
      env: { ...process.env, STAN_TEST_LONG: long ? '1' : '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[runner] killed after ${FILE_TIMEOUT_MS / 1000}s`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const num = (label) => {
        const m = out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'));
        return m ? Number(m[1]) : undefined;
      };
      const total = num('Total');
      const passed = num('Passed') ?? 0;
      const skipped = num('Skipped') ?? 0;
      // uvu's Total leaves skipped tests out.
      let failed = total === undefined ? 1 : total - passed;
      if (failed === 0 && code !== 0) failed = 1; // exited badly after its summary
      resolve({ file, passed, failed, skipped, code, signal, out, ms: Date.now() - started });
    });
  });
}

const results = [];
const queue = [...files];
const workers = Math.max(1, Math.min(2, cpus().length));
await Promise.all(
  Array.from({ length: workers }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const name = relative(testRoot, r.file);
      if (r.failed) {
        console.log(`FAIL ${name} (${r.passed} passed, ${r.failed} failed, exit ${r.signal ?? r.code})`);
        console.log(r.out.replace(/^/gm, '    '));
      } else {
        console.log(`ok   ${name} (${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}, ${r.ms} ms)`);
      }
    }
  }),
);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (files.length === 0) console.log('no test files matched');
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || files.length === 0 ? 1 : 0);

// Runs every compiled test file (dist/test/**/*.test.js) in its own node
// process, several at a time, slowest first, and ends with the line
// `N passed, N failed`. A file that crashes before uvu prints its summary
// counts as one failure, with its output shown. Every failure is listed
// again at the end as `file › suite "test": assertion`.
//
// Order: the workers finish together only if the long files start first.
// Each file's duration comes from the last run here (dist/test/.timings.json,
// written after every run, gitignored with dist/), else from
// scripts/test-timings.json (committed, so a fresh clone starts the slow
// files first too), else 0. `--record` writes this run's
// durations into scripts/test-timings.json.
//
// `--long` sets STAN_TEST_LONG=1 (fuzz and soak loops at full length);
// `--jobs N` runs N files at a time; other arguments filter files by
// substring.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const args = process.argv.slice(2);
const long = args.includes('--long');
const record = args.includes('--record');
const jobsAt = args.indexOf('--jobs');
/**
 * Files at a time: twice the cores, at most 4. Most files spend much of
 * their time waiting on sockets and child processes, so two per core keep
 * the cores busy; the tests wait on events, not on the clock, so the load
 * does not fail them.
 */
const jobs = jobsAt >= 0 ? Number(args[jobsAt + 1]) : Math.max(2, Math.min(4, 2 * cpus().length));
if (!(jobs >= 1)) {
  console.error('--jobs takes a number of files to run at a time (1 or more)');
  process.exit(1);
}
const filters = args.filter((a, i) => !a.startsWith('--') && !(jobsAt >= 0 && i === jobsAt + 1));
const testRoot = join(root, 'dist', 'test');
const committedTimings = join(root, 'scripts', 'test-timings.json');
const localTimings = join(testRoot, '.timings.json');
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

/** Durations by file name relative to dist/test ({} when the file is absent or unreadable). */
function readTimings(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

const known = { ...readTimings(committedTimings), ...readTimings(localTimings) };
const msOf = (f) => known[relative(testRoot, f)] ?? 0;
const files = find(testRoot)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort((a, b) => msOf(b) - msOf(a) || a.localeCompare(b));

/** The failed tests of a uvu output: `suite "name": first line of the assertion`. */
function failures(out) {
  const lines = out.split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*FAIL\s+(.*?)\s+"(.*)"\s*$/.exec(lines[i]);
    if (!m) continue;
    const why = lines.slice(i + 1).find((l) => l.trim() !== '')?.trim() ?? '';
    found.push(`${m[1]} "${m[2]}": ${why}`);
  }
  return found;
}

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
      const why = failures(out);
      if (failed && why.length === 0) {
        why.push(total === undefined ? `no uvu summary: the file crashed or hung (exit ${signal ?? code})` : `exit ${signal ?? code} after its summary`);
      }
      resolve({ file, passed, failed, skipped, code, signal, out, why, ms: Date.now() - started });
    });
  });
}

const results = [];
const queue = [...files];
const wallStart = Date.now();
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const name = relative(testRoot, r.file);
      if (r.failed) {
        console.log(`FAIL ${name} (${r.passed} passed, ${r.failed} failed, exit ${r.signal ?? r.code}, ${r.ms} ms)`);
        console.log(r.out.replace(/^/gm, '    '));
      } else {
        console.log(`ok   ${name} (${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}, ${r.ms} ms)`);
      }
    }
  }),
);

// Remember this run's durations for the next one's order (a filtered run
// updates only its files).
function remember(path) {
  const timings = { ...readTimings(path) };
  for (const r of results) timings[relative(testRoot, r.file)] = r.ms;
  const sorted = Object.fromEntries(Object.entries(timings).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}
remember(localTimings);
if (record) remember(committedTimings);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (files.length === 0) console.log('no test files matched');
const broken = results.filter((r) => r.failed).flatMap((r) => r.why.map((w) => `  ${relative(testRoot, r.file)} › ${w}`));
if (broken.length) console.log(`\nfailed:\n${broken.join('\n')}`);
console.log(`\n${files.length} files in ${((Date.now() - wallStart) / 1000).toFixed(1)} s, ${jobs} at a time`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || files.length === 0 ? 1 : 0);

// The shape rules of the source tree (issue #11, DESIGN.md): layers import
// downward only, and no file grows past the size that says it holds two
// concerns. Checked on the sources themselves, so a change that breaks a
// rule fails here with the file and the import that broke it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

/** Every top-level folder of src/ (for the leaves, which import none of them). */
const ALL = ['cli', 'monitor', 'streaming', 'nats', 'config', 'stores', 'log', 'pb', 'subject', 'core', 'timers', 'units', 'limits'];
/** What each top-level folder of src/ may not import from (types aside: they leave no code behind). */
const FORBIDDEN: Record<string, readonly string[]> = {
  stores: ['nats', 'streaming', 'monitor', 'cli', 'config'],
  config: ['nats', 'streaming', 'monitor', 'cli', 'stores', 'log'],
  units: ALL.filter((l) => l !== 'units'),
  limits: ALL.filter((l) => l !== 'limits'),
  pb: ['nats', 'streaming', 'monitor', 'cli', 'stores', 'config'],
  subject: ['nats', 'streaming', 'monitor', 'cli', 'stores', 'config'],
  core: ['nats', 'streaming', 'monitor', 'cli', 'stores', 'config'],
  timers: ['nats', 'streaming', 'monitor', 'cli', 'stores', 'config', 'pb', 'subject', 'core', 'log'],
  log: ['nats', 'streaming', 'monitor', 'cli', 'stores'],
  nats: ['streaming', 'monitor', 'cli'],
  streaming: ['monitor', 'cli'],
};
/** Layers whose rule holds for type imports too: config is data only (DESIGN.md), it names no runtime layer's types. */
const TYPES_COUNT = new Set(['config']);
/** Lines at which a file is taken to hold two concerns. */
const MAX_TS_LINES = 450;
const MAX_RS_LINES = 600;

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p, ext);
    return name.endsWith(ext) ? [p] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm;

test('layers import downward only', () => {
  const broken: string[] = [];
  for (const file of files(src, '.ts')) {
    const layer = relative(src, file).split('/')[0]!;
    const forbidden = FORBIDDEN[layer];
    if (forbidden === undefined) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (/^\s*(?:import|export)\s+type\s/.test(m[0]) && !TYPES_COUNT.has(layer)) continue;
      const spec = m[1] ?? m[2] ?? m[3]!;
      const target = relative(src, resolve(dirname(file), spec)).split('/')[0]!;
      if (forbidden.includes(target)) broken.push(`${relative(root, file)} imports ${spec} (${layer} -> ${target})`);
    }
  }
  assert.equal(broken, [], broken.join('\n'));
});

test(`no source file over ${MAX_TS_LINES} lines (TS) or ${MAX_RS_LINES} (Rust)`, () => {
  const big: string[] = [];
  const check = (list: string[], max: number) => {
    for (const f of list) {
      const text = readFileSync(f, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines > max) big.push(`${relative(root, f)}: ${lines} lines`);
    }
  };
  check(files(src, '.ts'), MAX_TS_LINES);
  for (const dir of ['native/core/src', 'native/src', 'wasm/src']) check(files(join(root, dir), '.rs'), MAX_RS_LINES);
  assert.equal(big, [], big.join('\n'));
});

test.run();

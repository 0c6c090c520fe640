// The smoke check of one platform binary, run by that platform's node
// (under qemu-user or wine for cross builds; scripts/cross-smoke.mjs):
//   node scripts/smoke-core.mjs BINARY.node REPORT.json [--no-server]
// Loads the addon through the package's loader (STAN_NATIVE_LIBRARY_PATH),
// then checks fixed vectors: parser records, subject matching, CRC-32
// (IEEE and Castagnoli), and the same results from the WASM core; then,
// unless --no-server, starts a server through the embedding API and does a
// publish/subscribe round trip with node-nats-streaming over loopback.
// Writes its findings to REPORT.json (wine's node cannot write to a pipe).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [binary, reportPath] = process.argv.slice(2);
const withServer = !process.argv.includes('--no-server');
if (!binary || !reportPath) {
  console.error('usage: node scripts/smoke-core.mjs BINARY.node REPORT.json [--no-server]');
  process.exit(2);
}
process.env.STAN_NATIVE_LIBRARY_PATH = resolve(binary);
process.env.STAN_CORE = 'native';

const report = { platform: `${process.platform}-${process.arch}`, node: process.version, napi: process.versions.napi, checks: [], ok: false };
const save = () => writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
const check = (name, pass, detail = '') => {
  report.checks.push({ name, pass, ...(detail ? { detail } : {}) });
  save(); // so far: a run that hangs leaves where it stopped
  if (!pass) throw new Error(`${name} failed ${detail}`);
};

const started = Date.now();
try {
  const coreApi = await import('../dist/src/core/index.js');
  const native = coreApi.loadCore('native');
  const wasm = coreApi.loadCore('wasm');
  check('load', native.kind === 'native' && wasm.kind === 'wasm');

  // CRC-32 check values ("123456789"): IEEE 0xcbf43926, Castagnoli 0xe3069283.
  const nine = new TextEncoder().encode('123456789');
  check('crc32 ieee', native.crc32(nine, 0, coreApi.CRC32_IEEE) === 0xcbf43926);
  check('crc32 castagnoli', native.crc32(nine, 0, 0x82f63b78) === 0xe3069283);
  const big = new Uint8Array(1 << 16).map((_, i) => (i * 31 + 7) & 0xff);
  check('crc32 = wasm', native.crc32(big, 0, coreApi.CRC32_IEEE) === wasm.crc32(big, 0, coreApi.CRC32_IEEE));

  // Parser: one chunk of client ops, and the same split across chunks.
  const text = 'CONNECT {"verbose":false}\r\nSUB foo.* 1\r\nPUB foo.bar reply 5\r\nhello\r\nPING\r\nUNSUB 1 10\r\n';
  const records = (core, chunks) => {
    const p = core.newParser(4096, 1 << 20);
    const out = [];
    for (const c of chunks) {
      const n = p.parse(new TextEncoder().encode(c));
      for (let i = 0; i < n; i++) {
        const at = coreApi.HEADER_WORDS + i * coreApi.RECORD_WORDS;
        out.push(p.ops[at + coreApi.R_KIND] & coreApi.KIND_MASK);
      }
    }
    return out.join(',');
  };
  const { Op } = coreApi;
  const want = [Op.CONNECT, Op.SUB, Op.PUB, Op.PING, Op.UNSUB].join(',');
  check('parse', records(native, [text]) === want, records(native, [text]));
  const split = [text.slice(0, 30), text.slice(30, 61), text.slice(61)];
  check('parse split', records(native, split) === want && records(wasm, split) === want);

  // Subject matching: wildcards and a queue group, the same as the WASM core.
  // A match is [nPlain, ...ids, nGroups, (nMembers, ...ids)*]; ids sorted here.
  const ids = (core) => {
    const s = core.newSublist(true);
    s.insert('foo.bar', null, 1);
    s.insert('foo.*', null, 2);
    s.insert('foo.>', null, 3);
    s.insert('*.bar', 'q', 4);
    return ['foo.bar', 'foo.baz', 'foo.bar.baz', 'x.bar']
      .map((subj) => {
        const m = [...s.match(subj)];
        const plain = m.slice(1, 1 + m[0]).sort();
        const groups = m[1 + m[0]];
        return `${plain.join(' ')}/${groups}:${m.slice(2 + m[0]).join(' ')}`;
      })
      .join('|');
  };
  const wantIds = '1 2 3/1:1 4|2 3/0:|3/0:|/1:1 4';
  check('match', ids(native) === wantIds && ids(wasm) === wantIds, ids(native));
  check('subject rule', native.isValidSubject('a.*.>', true) && !native.isValidSubject('a..b', false));

  if (withServer) {
    const { startServer } = await import('../dist/src/index.js');
    const server = await startServer({ streaming: { cluster_id: 'smoke' } });
    try {
      check('server core', server.core === 'native', server.core);
      const stan = createRequire(import.meta.url)('node-nats-streaming');
      const sc = stan.connect('smoke', 'smoke-client', { url: server.url });
      await new Promise((ok, fail) => {
        sc.once('connect', ok);
        sc.once('error', fail);
      });
      const got = await new Promise((ok, fail) => {
        const sub = sc.subscribe('smoke.chan');
        sub.on('message', (m) => ok(String(m.getData())));
        sub.on('ready', () => sc.publish('smoke.chan', 'round trip', (err) => err && fail(err)));
      });
      await new Promise((ok) => {
        sc.once('close', ok);
        sc.close();
      });
      check('pub/sub', got === 'round trip', String(got));
    } finally {
      await server.close();
    }
  }
  report.ok = true;
} catch (err) {
  report.error = String(err?.stack ?? err);
}
report.ms = Date.now() - started;
save();
process.exit(report.ok ? 0 : 1);

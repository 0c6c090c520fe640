// Encryption at rest (issue #17): what it costs. Async publish throughput
// of our server with encryption off and on (AES, CHACHA), for the MEMORY
// store and the FILE store (--file_sync on, the default), and of the Go
// server the same way when GO_STAN_SERVER names one; then the cipher alone
// in this process (µs per 128-byte message, encrypt and decrypt).
//
// Each server run starts a fresh server (a fresh directory), drives it with
// bench/load/stan-bench.ts's lean client (-raw -np 1 -ms 128, async; -ns 0
// for publishing alone, its pub/s; -ns 1 for a subscriber too, which reads
// each message back, its total msgs/s) and stops it. The variants are interleaved run by run (off, AES, CHACHA,
// off, ...) so that load from other work on the machine falls on all of
// them alike, and each figure is the median of its runs.
//
// Environment: BENCH_CRYPTO_RUNS (5), BENCH_CRYPTO_MSGS (100000),
// GO_STAN_SERVER (a Go nats-streaming-server binary, optional).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { channelKey, CipherCode, masterKeyHash, MsgCipher } from '../src/stores/crypto/index.js';
import { runGenerator, startServer, stopServer, type ServerProc } from './server-proc.js';
import type { Suite } from './suite.js';

const RUNS = Number(process.env.BENCH_CRYPTO_RUNS ?? 5);
const MSGS = Number(process.env.BENCH_CRYPTO_MSGS ?? 100_000);
const GO_BIN = process.env.GO_STAN_SERVER;
const SIZE = 128;
const KEY = 'bench key';

type Start = (dir: string) => Promise<Pick<ServerProc, 'proc' | 'pid' | 'url'>>;

interface Variant {
  label: string;
  start: Start;
  rates: number[];
}

const ENC: ReadonlyArray<[label: string, flags: string[]]> = [
  ['off', []],
  ['AES', ['--encryption_cipher', 'AES', '--encryption_key', KEY]],
  ['CHACHA', ['--encryption_cipher', 'CHACHA', '--encryption_key', KEY]],
];

/** Our server, or the Go server's binary (`goBin`), on the variant's store and flags. */
function server(store: 'MEMORY' | 'FILE', flags: string[], goBin?: string): Start {
  return (dir) => startServer(store === 'FILE' ? ['-st', 'file', '--dir', dir, ...flags] : flags, undefined, goBin);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const k = (n: number) => `${(n / 1e3).toFixed(1)}k`;

let seq = 0;

/** The generator's scenarios: arguments, and which rate is the figure. */
const SCENARIOS: ReadonlyArray<[label: string, args: string[], rate: 'pub' | 'total']> = [
  ['pub', ['-ns', '0'], 'pub'],
  ['pub+sub', ['-ns', '1'], 'total'],
];

async function measure(variants: Variant[], args: readonly string[], rate: 'pub' | 'total'): Promise<void> {
  for (let r = 0; r < RUNS; r++) {
    for (const v of variants) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-crypto-'));
      const s = await v.start(dir);
      try {
        const res = await runGenerator(['-s', s.url, '-id', `crypto${++seq}`, '-spid', String(s.pid), '-raw', '-np', '1', ...args,
          '-n', String(MSGS), '-ms', String(SIZE), `bench.crypto.${seq}`]);
        v.rates.push(res[rate].rate);
      } finally {
        await stopServer(s);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

function report(group: string, variants: Variant[]): void {
  const off = median(variants[0]!.rates);
  for (const v of variants) {
    const m = median(v.rates);
    const vs = v === variants[0] ? '' : `  ${((m / off - 1) * 100).toFixed(1).padStart(6)}% vs off`;
    console.log(`${group.padEnd(22)} ${v.label.padEnd(7)} ${k(m).padStart(8)} msgs/s (median of ${v.rates.length}: ${v.rates.map(k).join(' ')})${vs}`);
  }
}

/** µs per message of the cipher alone: encrypt then decrypt `n` messages of SIZE bytes. */
function cipherCost(code: CipherCode, n: number): { enc: number; dec: number } {
  const c = new MsgCipher(code, channelKey(masterKeyHash(Buffer.from(KEY)), 'foo'), 0);
  const data = randomBytes(SIZE);
  const out: Buffer[] = new Array(n);
  let t = performance.now();
  for (let i = 0; i < n; i++) out[i] = c.encrypt(data);
  const enc = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) c.decrypt(out[i]!);
  const dec = ((performance.now() - t) * 1000) / n;
  return { enc, dec };
}

export const cryptoSuite: Suite = {
  name: 'crypto',
  summary: `encryption at rest: async throughput off/AES/CHACHA (-raw -np 1 -ns 0|1 -n ${MSGS} -ms ${SIZE}), interleaved, median of ${RUNS}`,
  async run() {
    console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')} (shared: other work skews all variants alike)`);
    for (const code of [CipherCode.AES, CipherCode.CHACHA]) {
      cipherCost(code, 20_000); // warm-up
      const { enc, dec } = cipherCost(code, 100_000);
      console.log(`cipher ${code === CipherCode.AES ? 'AES   ' : 'CHACHA'} ${SIZE} B: encrypt ${enc.toFixed(2)} µs, decrypt ${dec.toFixed(2)} µs per message`);
    }
    for (const [scenario, args, rate] of SCENARIOS) {
      for (const store of ['MEMORY', 'FILE'] as const) {
        const mine = ENC.map(([label, flags]) => ({ label, start: server(store, flags), rates: [] as number[] }));
        const go = GO_BIN ? ENC.map(([label, flags]) => ({ label, start: server(store, flags, GO_BIN), rates: [] as number[] })) : [];
        await measure([...mine, ...go], args, rate);
        report(`${scenario} ours ${store}`, mine);
        if (go.length > 0) report(`${scenario} Go ${store}`, go);
      }
    }
    if (!GO_BIN) console.log('Go server: not measured (set GO_STAN_SERVER to a Go nats-streaming-server binary)');
  },
};

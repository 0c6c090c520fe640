#!/usr/bin/env node
// The nats-streaming-server command: runs the compiled CLI (src/cli/main.ts)
// and exits with its code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mainUrl = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(mainUrl))) {
  console.error('run `npm install` (or `npm run build`) first');
  process.exit(1);
}
const { main } = await import(mainUrl.href);
process.exit(await main(process.argv.slice(2)));

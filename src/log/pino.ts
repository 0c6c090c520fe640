// pino, loaded the first time JSON logging or a log file asks for it:
// importing it up front costs every start ~25 ms.

import { createRequire } from 'node:module';
import type { pino as PinoFactory } from 'pino';

let loaded: typeof PinoFactory | undefined;

export function loadPino(): typeof PinoFactory {
  loaded ??= (createRequire(import.meta.url)('pino') as { pino: typeof PinoFactory }).pino;
  return loaded;
}

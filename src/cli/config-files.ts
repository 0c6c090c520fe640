// Which configuration file is read for what (STAN-REFERENCE §7.1), as the
// Go server's ConfigureOptions does it:
//   - `-c` only: the file configures the embedded NATS server, and its
//     `streaming { }` block (else its top-level streaming keys) the
//     streaming layer;
//   - `-sc` only: the same, with that file;
//   - both: `-c` for the NATS server, `-sc` for streaming. Then a streaming
//     block or key in the `-c` file is an error (Go ignores it silently).
// When one file serves both, its top-level `tls` and `cluster` belong to the
// NATS server: streaming TLS and clustering go in the `streaming` block
// (this avoids the Go server's pitfall of §7.1, where a NATS route
// `cluster { }` also turned streaming clustering on).

import { readFileSync } from 'node:fs';
import type { ParsedFlags } from '../config/flag-table.js';
import { formatPosition, keyPosition, loadConfigFile } from '../config/index.js';
import { StanConfigError, type StanConfig, stanOptionsFromConfig } from '../config/stan-options.js';
import { natsOptionsFromConfig, type NatsConfigOptions } from '../nats/config-options.js';

export interface LoadedConfig {
  /** The file read for the embedded NATS server: `-c`, else `-sc`. */
  natsFile?: string;
  /** The file read for streaming options: `-sc`, else `-c`. */
  stanFile?: string;
  nats?: NatsConfigOptions;
  stan?: StanConfig;
}

/** Names used as `$NAME` in a config file: top-level keys by those names define variables. */
export function variablesUsed(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([...text.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

function fileFlag(flags: ParsedFlags, key: string): string | undefined {
  const v = flags.values[key];
  return flags.set.has(key) && typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Reads the `-c` and `-sc` files of the command line. Throws
 * ConfigFileError, ConfigSyntaxError, NatsConfigError or StanConfigError,
 * each naming the file (and line and column where there is one).
 */
export function loadConfigFiles(flags: ParsedFlags): LoadedConfig {
  const c = fileFlag(flags, 'configFile');
  const sc = fileFlag(flags, 'stanConfigFile');
  const natsFile = c ?? sc;
  const stanFile = sc ?? c;
  const out: LoadedConfig = {};
  if (natsFile === undefined || stanFile === undefined) return out;
  out.natsFile = natsFile;
  out.stanFile = stanFile;
  const natsMap = loadConfigFile(natsFile);
  const natsVars = variablesUsed(natsFile);
  out.nats = natsOptionsFromConfig(natsMap, natsFile, { variables: natsVars });
  if (stanFile === natsFile) {
    out.stan = stanOptionsFromConfig(natsMap, stanFile, { keys: out.nats.streamingKeys, variables: natsVars });
    return out;
  }
  const first = out.nats.streamingKeys[0];
  if (first !== undefined) {
    const pos = keyPosition(natsMap, first);
    throw new StanConfigError(pos === undefined ? natsFile : formatPosition(pos), first,
      `streaming options are read from the -sc file ${stanFile} when both -c and -sc are given; move it there`);
  }
  out.stan = stanOptionsFromConfig(loadConfigFile(stanFile), stanFile, { variables: variablesUsed(stanFile) });
  return out;
}

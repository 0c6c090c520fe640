// Configuration files: the NATS configuration syntax read by both `-c` (NATS
// server config) and `-sc` (streaming config); see STAN-REFERENCE §7.5. This
// reimplements the behaviour of nats-server's `conf` package (v2.9).
//
// Public API
//   parseConfig(text, { file?, env? }): ConfigMap
//       Parses a text. `file` names it in errors and key positions (default
//       `<string>`) and is the base for relative includes (default: the
//       current directory). `env` resolves `$NAME` (default process.env).
//   loadConfigFile(path, { env? }): ConfigMap
//       Reads and parses a file; ConfigFileError if it cannot be read.
//   keyPosition(map, key): { file, line, column } | undefined
//       Where a key of a parsed map was written; formatPosition() prints it.
//   parseDuration(text): number   Go duration (`1h15m`, `500ms`) in milliseconds.
//   parseSize(text): number       `512`, `64MB` (2^20 units), `1G` (10^9 units).
//   ConfigSyntaxError             message `<file>:<line>:<col>: <reason>`, with
//                                 file, line, column, reason properties.
//
// Values: strings, numbers (integers and floats), booleans, Dates, arrays and
// maps (plain objects, keys as written; option code matches them
// case-insensitively, as nats-server does).
//
// Syntax summary (each point checked against conf/lex.go and conf/parse.go):
//   - `key: value`, `key = value` or `key value`; a value ends at a newline,
//     `;` or `,` (top level also `}`), or a `#` / `//` comment. Keys may be
//     bare or '…' / "…" quoted (verbatim). A bare `include` followed by
//     white space is the include keyword.
//   - Maps `{ … }` (a separator before `{` is optional), arrays `[ … ]` with
//     `,` or newlines between elements; a whole file may be wrapped in `{ }`.
//   - Strings: "…" with escapes \t \n \r \" \\ \xXX (no \u: conf has none),
//     '…' verbatim, `( … )` blocks ending at a `)` alone on a line, and bare
//     words (`127.0.0.1:4222`, `24h`, `10s`, `nats://a:b@h:4222`), in which
//     the same backslash escapes apply.
//   - Numbers: integers, `-` integers, floats `1.5`; integers may carry a size
//     suffix k, kb, ki, kib … e, eb, ei, eib (any case): `1GB` = 1073741824,
//     `1G` = 1e9, and note `5m` is the integer 5000000, not five minutes.
//   - Booleans: true/false, yes/no, on/off, in any case, unquoted only.
//   - Datetimes `2006-01-02T15:04:05Z` become Date values.
//   - `$NAME`: a key defined earlier in this map or an enclosing one, else the
//     environment variable NAME parsed as a value. `$2a$…` is a bcrypt hash,
//     kept as a string (only `2a`, as in conf: quote `$2b$…` hashes).
//
// Deliberate differences from conf v2.9, all turning its silent misreadings
// or crashes into either the evident meaning or a located error:
//   - An integer directly followed by `]` ends there (`[1, 2]`); conf reads `2]`.
//   - A sized number followed by more characters is a string (`1m30s`,
//     `4e2abc`), as in later nats-server releases; conf v2.9 split it.
//   - A word with an unknown size suffix (`1kbb`) is a string, not dropped.
//   - A key without a value, an empty value (`a = ;`), unterminated strings,
//     blocks, maps and arrays, include cycles and `$A` -> `$B` -> `$A`
//     environment cycles are errors instead of being ignored, looping or
//     crashing.
//   - A bare value may start with `.` unless a digit follows (`./data`).
//   - A top-level stray `}` is skipped (conf accepted it only at the end).
//   - An absolute include path is used as is (conf joined it to the dir).
//   - A block string ending at EOF does not keep its `)`.
//   - Integers beyond 2^53 are numbers and lose precision; beyond Go's int64
//     range they are errors, as in conf.

import { ConfigFileError, STRING_SOURCE } from './errors.js';
import { describeFsError, readConfigText, rootChain } from './include.js';
import { parseSource } from './parser.js';
import { Source } from './source.js';
import type { ConfigMap, ParseOptions } from './types.js';

export { ConfigFileError, ConfigSyntaxError, ConfigValueError, STRING_SOURCE } from './errors.js';
export { formatPosition, keyPosition } from './positions.js';
export type { ConfigMap, ConfigPosition, ConfigValue, ParseOptions } from './types.js';
export { parseDuration, parseSize } from './units.js';

/** Parses configuration text. Throws ConfigSyntaxError. */
export function parseConfig(text: string, opts: ParseOptions = {}): ConfigMap {
  const src = new Source(text.startsWith('\ufeff') ? text.slice(1) : text, opts.file ?? STRING_SOURCE);
  return parseSource(src, {
    env: opts.env ?? process.env,
    includeChain: rootChain(opts.file),
    envChain: [],
  });
}

/** Reads and parses a configuration file. Throws ConfigFileError or ConfigSyntaxError. */
export function loadConfigFile(path: string, opts: Omit<ParseOptions, 'file'> = {}): ConfigMap {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (err) {
    throw new ConfigFileError(path, describeFsError(err), { cause: err });
  }
  return parseConfig(text, { ...opts, file: path });
}

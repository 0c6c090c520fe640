// The command line of nats-streaming-server, read the way Go's `flag`
// package reads it (STAN-REFERENCE §7.1, §7.2), driven by the option schema
// in config/flag-table.ts:
//   - `-name` and `--name` are the same flag; a value is `-name=value` or
//     `-name value` (the next argument, whatever it looks like);
//   - a bool flag never takes the next argument: `-D`, `-D=false`;
//   - parsing stops at `--`, `-` or the first argument that is not a flag;
//     that argument may be the command `version` or `help` (as nats-server's
//     ProcessCommandLineArgs); anything else is an error;
//   - integers follow strconv.ParseInt(s, 0, 64): `0x1F`, `0o17`, `017`
//     (octal), `0b11`, `1_000`; durations are Go durations (parseDuration,
//     in ms); sizes use the NATS suffixes (parseSize: `64MB`, `1G`);
//   - a flag given twice keeps the last value, aliases included.
// Unlike Go, errors name the expected value and the nearest valid flag, and
// make the process exit 1 (Go prints the usage text and exits 0).

import { FLAGS, flagByName, FLAG_NAMES, type FlagSpec, type ParsedFlags, SECTIONS } from '../config/flag-table.js';
import { parseDuration, parseSize } from '../config/index.js';
import { nearestName } from '../config/nearest-name.js';

/** A command line that cannot be used; the message says which flag and why. */
export class CliError extends Error {
  override name = 'CliError';
}

const BOOL_VALUES: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((s) => [s, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((s) => [s, false] as const),
]);

/** What each type accepts, for error messages. */
const EXPECTED: Record<FlagSpec['type'], string> = {
  string: 'a string',
  int: 'an integer',
  bool: 'a boolean (true, false, 1, 0, t, f)',
  duration: 'a duration such as 500ms, 30s or 1h15m',
  size: 'a size such as 1024, 64MB or 1GB',
};

const BASES: ReadonlyArray<[prefix: RegExp, base: number, digits: RegExp]> = [
  [/^0[xX]/, 16, /^[0-9a-fA-F]+$/],
  [/^0[oO]/, 8, /^[0-7]+$/],
  [/^0[bB]/, 2, /^[01]+$/],
];

/** strconv.ParseInt(s, 0, 64), limited to safe integers; undefined if invalid. */
export function parseGoInt(text: string): number | undefined {
  let s = text;
  const negative = s.startsWith('-');
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let base = 10;
  let digits = /^[0-9]+$/;
  let body = s;
  let prefixed = false;
  const match = BASES.find(([prefix]) => prefix.test(s));
  if (match !== undefined) {
    [, base, digits] = match;
    body = s.slice(2);
    prefixed = true;
  } else if (s.length > 1 && s.startsWith('0')) {
    base = 8;
    digits = /^[0-7]+$/;
    body = s.slice(1);
    prefixed = true;
  }
  if (body.includes('_')) {
    // Go: an underscore only between digits, or between the base prefix and a digit.
    if (body.endsWith('_') || body.includes('__') || (!prefixed && body.startsWith('_'))) return undefined;
    body = body.replaceAll('_', '');
  }
  if (!digits.test(body)) return undefined;
  let value = 0n;
  for (const c of body) value = value * BigInt(base) + BigInt(parseInt(c, base));
  if (negative) value = -value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(value);
}

function convert(spec: FlagSpec, flag: string, text: string): unknown {
  const bad = (detail?: string): CliError =>
    new CliError(
      `invalid value ${JSON.stringify(text)} for flag ${flag}: expected ${EXPECTED[spec.type]}` +
        (detail === undefined ? '' : ` (${detail})`),
    );
  switch (spec.type) {
    case 'string':
      return text;
    case 'bool': {
      const v = BOOL_VALUES.get(text);
      if (v === undefined) throw bad();
      return v;
    }
    case 'int': {
      const v = parseGoInt(text);
      if (v === undefined) throw bad();
      return v;
    }
    case 'duration':
      try {
        return parseDuration(text);
      } catch (err) {
        throw bad((err as Error).message);
      }
    case 'size':
      try {
        return parseSize(text);
      } catch {
        throw bad();
      }
  }
}

/** Positional commands nats-server accepts after the flags. */
const COMMANDS: Record<string, string> = { version: 'version', help: 'help' };

/** Parses the arguments after the program name. Throws CliError. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const out: ParsedFlags = { values: {}, set: new Set(), given: new Map() };
  const record = (spec: FlagSpec, flag: string, value: unknown): void => {
    out.values[spec.key] = value;
    out.set.add(spec.key);
    out.given.set(spec.key, flag);
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length < 2 || arg[0] !== '-') break; // `-` or a non-flag argument
    const dashes = arg[1] === '-' ? 2 : 1;
    if (dashes === 2 && arg.length === 2) {
      i++; // `--` ends the flags
      break;
    }
    const body = arg.slice(dashes);
    if (body.startsWith('-') || body.startsWith('=')) throw new CliError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const flag = arg.slice(0, dashes) + name;
    const spec = flagByName(name);
    if (spec === undefined) {
      const near = nearestName(name, FLAG_NAMES);
      throw new CliError(
        `flag provided but not defined: ${flag}` + (near === undefined ? '' : ` (did you mean ${'-'.repeat(dashes)}${near}?)`),
      );
    }
    if (eq !== -1) {
      record(spec, flag, convert(spec, flag, body.slice(eq + 1)));
    } else if (spec.type === 'bool') {
      record(spec, flag, true);
    } else {
      if (i + 1 >= argv.length) throw new CliError(`flag needs an argument: ${flag} (expected ${EXPECTED[spec.type]})`);
      record(spec, flag, convert(spec, flag, argv[++i]!));
    }
  }
  if (i < argv.length) {
    const command = COMMANDS[argv[i]!.toLowerCase()];
    if (command === undefined) throw new CliError(`unrecognized command: ${JSON.stringify(argv[i])}`);
    record(flagByName(command)!, argv[i]!, true);
  }
  return out;
}

/** A given flag whose feature this server does not have yet. */
export interface UnsupportedFlag {
  /** As written, e.g. `--store`. */
  readonly flag: string;
  readonly spec: FlagSpec;
}

/**
 * The flags given that this server does not implement yet, so startup can
 * refuse them instead of ignoring them. A flag that only turns a feature
 * off (`-clustered=false`, `-l ""`) asks for nothing and is not listed.
 */
export function unsupportedFlags(parsed: ParsedFlags): UnsupportedFlag[] {
  const out: UnsupportedFlag[] = [];
  for (const spec of FLAGS) {
    if (spec.supported || !parsed.set.has(spec.key)) continue;
    const v = parsed.values[spec.key];
    if (v === false || v === '') continue;
    out.push({ flag: parsed.given.get(spec.key) ?? `-${spec.names[0]}`, spec });
  }
  return out;
}

/** The flags given that are accepted for compatibility and ignored, as written (`--ack_subs`). */
export function ignoredFlags(parsed: ParsedFlags): string[] {
  return FLAGS.filter((spec) => spec.ignored === true && parsed.set.has(spec.key)).map(
    (spec) => parsed.given.get(spec.key) ?? `-${spec.names[0]}`,
  );
}

/** The text of `-h`: nats-streaming-server.go's usageStr, section by section. */
export function usageText(): string {
  const lines = ['', 'Usage: nats-streaming-server [options]', ''];
  for (const section of SECTIONS) {
    lines.push(section.title);
    for (const spec of FLAGS) {
      if (spec.section !== section.id || spec.usage === undefined) continue;
      const [first, ...more] = spec.help.split('\n');
      lines.push(`    ${spec.usage.padEnd(section.width)}${first}`);
      for (const line of more) lines.push(' '.repeat(4 + section.width) + line);
    }
    if (section.footer !== undefined) lines.push(`    ${section.footer}`);
    lines.push('');
  }
  // Go prints usageStr (which starts and ends with a newline) plus "\n".
  return `${lines.join('\n')}\n`;
}

/** The text of `-v`, in the Go binary's format. */
export function versionText(version: string, natsVersion: string): string {
  return `nats-streaming-server version ${version}, nats-server: v${natsVersion}\n`;
}

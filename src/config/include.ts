// Reading configuration files and resolving `include <path>` directives
// (STAN-REFERENCE §7.5): the path is relative to the including file's
// directory, and the included file's top-level keys are merged at that point.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigSyntaxError, STRING_SOURCE } from './errors.js';
import { formatPosition } from './positions.js';
import { Source } from './source.js';
import type { Token } from './tokens.js';
import type { ConfigMap } from './types.js';

const BOM = '\ufeff';

/** A file being parsed, outermost first, for include-cycle detection. */
export interface IncludeFrame {
  /** Absolute path, to compare. */
  readonly resolved: string;
  /** Path as shown in messages. */
  readonly display: string;
}

/** What a parse needs besides its text; shared by nested includes and `$ENV` parses. */
export interface ParseState {
  readonly env: Record<string, string | undefined>;
  readonly includeChain: readonly IncludeFrame[];
  /** Environment variables being expanded, for reference-cycle detection. */
  readonly envChain: readonly string[];
}

export type ParseFn = (src: Source, state: ParseState) => ConfigMap;

/** The frame for a top-level file, or none for a text parsed without one. */
export function rootChain(file: string | undefined): IncludeFrame[] {
  return file === undefined ? [] : [{ resolved: resolve(file), display: file }];
}

/** A file's text, without a UTF-8 byte order mark. Throws the fs error. */
export function readConfigText(path: string): string {
  const text = readFileSync(path, 'utf8');
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

/** "ENOENT: no such file or directory" from a Node fs error, without the path repeated. */
export function describeFsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.message.replace(/, \w+ '.*'$/, '');
}

/** Where `include <path>` written in `from` points to. */
export function includeTarget(from: string, path: string): string {
  if (isAbsolute(path) || from === STRING_SOURCE) return path;
  return join(dirname(from), path);
}

/**
 * Parses the file named by an Include token of `src`. Errors inside the
 * included file keep their own location and say where it was included from.
 */
export function loadInclude(tok: Token, src: Source, state: ParseState, parse: ParseFn): ConfigMap {
  if (tok.text === '') throw src.error(tok.offset, 'include path is empty');
  const target = includeTarget(src.file, tok.text);
  const resolved = resolve(target);
  const chain = state.includeChain;
  if (chain.some((frame) => frame.resolved === resolved)) {
    const cycle = [...chain.map((frame) => frame.display), target].join(' -> ');
    throw src.error(tok.offset, `include cycle: ${cycle}`);
  }
  let text: string;
  try {
    text = readConfigText(target);
  } catch (err) {
    throw src.error(tok.offset, `cannot read include file '${target}': ${describeFsError(err)}`, {
      cause: err,
    });
  }
  try {
    const nested: ParseState = { ...state, includeChain: [...chain, { resolved, display: target }] };
    return parse(new Source(text, target), nested);
  } catch (err) {
    if (!(err instanceof ConfigSyntaxError)) throw err;
    const from = formatPosition(src.position(tok.offset));
    throw new ConfigSyntaxError(err.file, err.line, err.column, `${err.reason} (included from ${from})`, {
      cause: err,
    });
  }
}

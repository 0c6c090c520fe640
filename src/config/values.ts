// Lexing of single values: quoted, raw, bare and block strings, numbers with
// size suffixes, floats, IP-like words, datetimes, booleans, variables and
// include paths. Behaviour follows nats-server's conf/lex.go (v2.9); the
// deliberate differences are listed in index.ts.

import type { Scanner } from './scanner.js';
import {
  boolWord,
  cc,
  describeChar,
  isBlank,
  isDigit,
  isNewline,
  TokenType,
  type Token,
} from './tokens.js';
import { isSizeSuffixStart, sizeMultiplier } from './units.js';

/** Letters allowed after a size suffix's first letter: `kb`, `Ki`, `KiB`. */
const SUFFIX_TAIL = 'bBiI';
const HEX_PAIR_RE = /^[0-9a-fA-F]{2}$/;
/** Digits of a Zulu datetime after `YYYY-`; '0' stands for any digit. */
const DATETIME_TAIL = '00-00T00:00:00Z';
const DIGIT_SLOT = '0';
/** Characters that keep an IP-like word (`127.0.0.1:4222`) going. */
const IP_CHARS = '0123456789.:-';

/** Collects a string's text, decoding runs of `\xXX` bytes as UTF-8. */
class TextBuilder {
  readonly #parts: string[] = [];
  #bytes: number[] = [];

  text(t: string): void {
    if (t === '') return; // keep consecutive \xXX bytes together
    this.#flushBytes();
    this.#parts.push(t);
  }

  byte(b: number): void {
    this.#bytes.push(b);
  }

  finish(): string {
    this.#flushBytes();
    return this.#parts.join('');
  }

  #flushBytes(): void {
    if (this.#bytes.length === 0) return;
    this.#parts.push(Buffer.from(this.#bytes).toString('utf8'));
    this.#bytes = [];
  }
}

/** Handles one escape; the cursor is just past the backslash at `at`. */
function lexEscape(s: Scanner, out: TextBuilder, at: number): void {
  const c = s.advance();
  switch (c) {
    case 't':
      return out.text('\t');
    case 'n':
      return out.text('\n');
    case 'r':
      return out.text('\r');
    case cc.dquote:
      return out.text(cc.dquote);
    case cc.backslash:
      return out.text(cc.backslash);
    case 'x': {
      const hex = s.slice(s.pos, s.pos + 2);
      if (hex.length < 2 || [...hex].some(isNewline)) {
        throw s.error("Expected two hexadecimal digits after '\\x', but hit end of line", at);
      }
      if (!HEX_PAIR_RE.test(hex)) {
        throw s.error(`Expected two hexadecimal digits after '\\x', but got '${hex}'`, at);
      }
      s.pos += 2;
      return out.byte(parseInt(hex, 16));
    }
    case undefined:
      throw s.error('Unexpected EOF in escape sequence.', at);
    default:
      throw s.error(
        `Invalid escape character '${describeChar(c)}'. Only the following escape characters ` +
          'are allowed: \\xXX, \\t, \\n, \\r, \\", \\\\.',
        at,
      );
  }
}

/**
 * True for the characters that end an unquoted value or a number: newline,
 * blank, `;`, `,`, `]`, `}` or the end of the input.
 */
function endsValue(c: string | undefined): boolean {
  return (
    c === undefined ||
    isNewline(c) ||
    isBlank(c) ||
    c === cc.semicolon ||
    c === cc.comma ||
    c === cc.arrayEnd ||
    c === cc.mapEnd
  );
}

/**
 * An unquoted word starting at `start`; the cursor may already be past its
 * first characters (a number that turned out to be a word, like `10s`).
 * Backslash escapes apply. A plain word may be a boolean or a `$variable`.
 */
function lexBare(s: Scanner, start: number): Token {
  const out = new TextBuilder();
  let chunk = start;
  let plain = true;
  for (;;) {
    const c = s.peek();
    if (endsValue(c)) break;
    if (c === cc.squote) {
      // As in conf, a quote ends the word and is dropped; the word stays a string.
      out.text(s.slice(chunk));
      s.advance();
      return s.token(TokenType.String, out.finish(), start);
    }
    if (c === cc.backslash) {
      out.text(s.slice(chunk));
      const at = s.pos;
      s.advance();
      lexEscape(s, out, at);
      chunk = s.pos;
      plain = false;
      continue;
    }
    s.advance();
  }
  out.text(s.slice(chunk));
  const text = out.finish();
  if (plain && boolWord(text) !== undefined) return s.token(TokenType.Bool, text, start);
  if (plain && text.startsWith(cc.dollar)) return s.token(TokenType.Variable, text.slice(1), start);
  return s.token(TokenType.String, text, start);
}

function unterminated(s: Scanner, start: number): Error {
  return s.error('Unexpected EOF: unterminated quoted string.', start);
}

/** `'raw text'`: no escapes, may span lines. */
function lexSingleQuoted(s: Scanner): Token {
  const start = s.pos;
  const end = s.indexOf(cc.squote, start + 1);
  if (end === -1) throw unterminated(s, start);
  s.pos = end + 1;
  return s.token(TokenType.String, s.slice(start + 1, end), start);
}

/** `"text"` with escapes \t \n \r \" \\ \xXX; may span lines. */
function lexDoubleQuoted(s: Scanner): Token {
  const start = s.pos;
  s.advance();
  const out = new TextBuilder();
  let chunk = s.pos;
  for (;;) {
    const c = s.peek();
    if (c === undefined) throw unterminated(s, start);
    if (c === cc.dquote) break;
    if (c === cc.backslash) {
      out.text(s.slice(chunk));
      const at = s.pos;
      s.advance();
      lexEscape(s, out, at);
      chunk = s.pos;
      continue;
    }
    s.advance();
  }
  out.text(s.slice(chunk));
  s.advance();
  return s.token(TokenType.String, out.finish(), start);
}

/**
 * `( ... )`: everything up to a `)` alone at the start of a line, kept
 * verbatim (including the newline after `(` and the one before `)`).
 */
function lexBlock(s: Scanner): Token {
  const start = s.pos;
  const text = s.src.text;
  const contentStart = start + 1;
  for (let from = contentStart; ; ) {
    const close = s.indexOf(cc.blockEnd, from);
    if (close === -1) throw s.error('Unexpected EOF processing block.', start);
    const after = text[close + 1];
    if (text[close - 1] === cc.newline && (after === undefined || isNewline(after))) {
      s.pos = close + 1;
      return s.token(TokenType.String, text.slice(contentStart, close), start);
    }
    from = close + 1;
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ`; the cursor is on the `-` after the year. */
function lexDatetime(s: Scanner, start: number): Token {
  s.advance();
  for (const want of DATETIME_TAIL) {
    const c = s.peek();
    if (want === DIGIT_SLOT) {
      if (!isDigit(c)) {
        throw s.error(`Expected digit in ISO8601 datetime, but found '${describeChar(c)}' instead.`);
      }
    } else if (c !== want) {
      throw s.error(`Expected '${want}' in ISO8601 datetime, but found '${describeChar(c)}' instead.`);
    }
    s.advance();
  }
  return s.token(TokenType.Datetime, s.slice(start), start);
}

/** After `<digits>.`: a float, or an IP-like word such as `10.0.0.1:4222`. */
function lexFloatOrAddress(s: Scanner, start: number): Token {
  if (!isDigit(s.peek())) {
    throw s.error(`Floats must have a digit after the '.', but got '${describeChar(s.peek())}' instead.`);
  }
  while (isDigit(s.peek())) s.advance();
  if (s.peek() !== cc.dot) return s.token(TokenType.Float, s.slice(start), start);
  while (!s.atEnd && IP_CHARS.includes(s.peek() as string)) s.advance();
  return s.token(TokenType.String, s.slice(start), start);
}

/** After `<digits><k|m|g|t|p|e>`: a sized integer, or a word like `10min`. */
function lexSizeSuffix(s: Scanner, start: number, digitsEnd: number): Token {
  while (!s.atEnd && SUFFIX_TAIL.includes(s.peek() as string)) s.advance();
  if (!endsValue(s.peek())) return lexBare(s, start);
  const known = sizeMultiplier(s.slice(digitsEnd)) !== undefined;
  return s.token(known ? TokenType.Integer : TokenType.String, s.slice(start), start);
}

/** A value starting with a digit or `-`. */
function lexNumber(s: Scanner): Token {
  const start = s.pos;
  const negative = s.peek() === cc.minus;
  if (negative) {
    s.advance();
    const c = s.peek();
    if (c === cc.dot) throw s.error("Floats must start with a digit, not '.'.");
    if (!isDigit(c)) throw s.error(`Expected a digit but got '${describeChar(c)}'.`);
  }
  while (isDigit(s.peek())) s.advance();
  const c = s.peek();
  if (c === cc.minus && !negative) {
    if (s.pos - start !== 4) throw s.error('All ISO8601 dates must be in full Zulu form.');
    return lexDatetime(s, start);
  }
  if (c === cc.dot) {
    s.advance();
    return lexFloatOrAddress(s, start);
  }
  if (isSizeSuffixStart(c)) {
    const digitsEnd = s.pos;
    s.advance();
    return lexSizeSuffix(s, start, digitsEnd);
  }
  // A negative number never turns into a word; what follows must end the value.
  if (negative || endsValue(c)) return s.token(TokenType.Integer, s.slice(start), start);
  return lexBare(s, start);
}

/**
 * Lexes the value under the cursor (not `[` or `{`, which the structural
 * lexer handles). Leading blanks have been skipped.
 */
export function lexScalar(s: Scanner): Token {
  const c = s.peek();
  if (c === cc.squote) return lexSingleQuoted(s);
  if (c === cc.dquote) return lexDoubleQuoted(s);
  if (c === cc.blockStart) return lexBlock(s);
  if (c === cc.minus || isDigit(c)) return lexNumber(s);
  if (c === cc.dot && isDigit(s.peek(1))) throw s.error('Floats must start with a digit');
  if (c === undefined) throw s.error('Expected a value but found EOF');
  if (isNewline(c)) throw s.error('Expected value but found new line');
  if (endsValue(c)) throw s.error(`Expected a value but found '${c}'`);
  return lexBare(s, s.pos);
}

/**
 * The path after the `include` keyword at `keywordAt`: quoted (taken
 * verbatim) or bare up to a blank, newline, `;` or `}`. The token sits at
 * the keyword so errors about the include point there.
 */
export function lexIncludePath(s: Scanner, keywordAt: number): Token {
  while (isBlank(s.peek())) s.advance();
  const c = s.peek();
  if (c === cc.squote || c === cc.dquote) {
    const end = s.indexOf(c, s.pos + 1);
    if (end === -1) throw unterminated(s, s.pos);
    const path = s.slice(s.pos + 1, end);
    s.pos = end + 1;
    return s.token(TokenType.Include, path, keywordAt);
  }
  const problem =
    c === cc.arrayStart ? 'start of an array'
    : c === cc.mapStart ? 'start of a map'
    : c === cc.blockStart ? 'start of a block'
    : isDigit(c) || c === cc.minus ? 'start of a number'
    : c === cc.backslash ? 'escape sequence'
    : isNewline(c) ? 'new line'
    : c === undefined ? 'EOF'
    : undefined;
  if (problem !== undefined) throw s.error(`Expected include value but found ${problem}`);
  const start = s.pos;
  for (;;) {
    const d = s.peek();
    if (d === undefined || isNewline(d) || isBlank(d) || d === cc.semicolon || d === cc.mapEnd) break;
    if (d === cc.squote) {
      const path = s.slice(start);
      s.advance();
      return s.token(TokenType.Include, path, keywordAt);
    }
    s.advance();
  }
  return s.token(TokenType.Include, s.slice(start), keywordAt);
}

// Structural lexer for the NATS configuration syntax (STAN-REFERENCE §7.5),
// reproducing the token stream of nats-server's conf/lex.go (v2.9): keys and
// separators, maps, arrays, value terminators and comments. Single values are
// lexed by values.ts.
//
// The lexer keeps a stack of open contexts (the top level, maps, arrays) and a
// mode saying what it expects next; `next()` runs modes until one produces a
// token. Comments are skipped, never emitted.

import { STRING_SOURCE } from './errors.js';
import { Scanner } from './scanner.js';
import { Source } from './source.js';
import {
  cc,
  describeChar,
  isBlank,
  isKeySeparator,
  isNewline,
  isSpace,
  TokenType,
  type Token,
} from './tokens.js';
import { lexIncludePath, lexScalar } from './values.js';

const Ctx = { Top: 'Top', Map: 'Map', Array: 'Array' } as const;
type Ctx = (typeof Ctx)[keyof typeof Ctx];

const Mode = {
  /** Before a key (or `include`), or the end of the current map / input. */
  Key: 'Key',
  /** After a key: optional separator, then the value. */
  AfterKey: 'AfterKey',
  /** At a value. */
  Value: 'Value',
  /** Inside an array, before an element or `]`. */
  Element: 'Element',
  /** After a value: blanks, a comment, then the context's terminator. */
  ValueEnd: 'ValueEnd',
  Done: 'Done',
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

interface Frame {
  readonly ctx: Ctx;
  /** Offset of the `{` or `[` that opened it (0 for the top level). */
  readonly offset: number;
}

const KEYWORD_INCLUDE = 'include';

export class Lexer {
  readonly #s: Scanner;
  readonly #frames: Frame[] = [{ ctx: Ctx.Top, offset: 0 }];
  #mode: Mode = Mode.Key;
  /** The last key read, for "has no value" errors. */
  #lastKey: Token | undefined;

  constructor(src: Source) {
    this.#s = new Scanner(src);
  }

  /** The next token; after EOF, EOF again. Throws ConfigSyntaxError. */
  next(): Token {
    for (;;) {
      let tok: Token | undefined;
      switch (this.#mode) {
        case Mode.Key:
          tok = this.#ctx === Ctx.Top ? this.#topKey() : this.#mapKey();
          break;
        case Mode.AfterKey:
          this.#afterKey();
          break;
        case Mode.Value:
          tok = this.#value();
          break;
        case Mode.Element:
          tok = this.#element();
          break;
        case Mode.ValueEnd:
          tok = this.#valueEnd();
          break;
        case Mode.Done:
          return this.#s.token(TokenType.EOF, '', this.#s.pos);
      }
      if (tok !== undefined) return tok;
    }
  }

  get #ctx(): Ctx {
    return (this.#frames[this.#frames.length - 1] as Frame).ctx;
  }

  #open(ctx: Ctx, type: TokenType, next: Mode): Token {
    const at = this.#s.pos;
    this.#s.advance();
    this.#frames.push({ ctx, offset: at });
    this.#mode = next;
    return this.#s.token(type, '', at);
  }

  #close(type: TokenType): Token {
    const at = this.#s.pos;
    this.#s.advance();
    this.#frames.pop();
    this.#mode = Mode.ValueEnd;
    return this.#s.token(type, '', at);
  }

  /** End of input inside a map or array: name where it was opened. */
  #unclosed(): Error {
    const frame = this.#frames[this.#frames.length - 1] as Frame;
    const what = frame.ctx === Ctx.Map ? 'map' : 'array';
    const { line, column } = this.#s.src.position(frame.offset);
    return this.#s.error(`Unexpected EOF processing ${what} opened at ${line}:${column}.`);
  }

  /** Top level: white space, comments and the optional JSON-style `{` `}` are skipped. */
  #topKey(): Token {
    const s = this.#s;
    for (;;) {
      const c = s.peek();
      if (c === undefined) {
        this.#mode = Mode.Done;
        return s.token(TokenType.EOF, '', s.pos);
      }
      if (isSpace(c) || c === cc.mapStart || c === cc.mapEnd) s.advance();
      else if (s.atComment()) s.skipComment();
      else break;
    }
    if (isKeySeparator(s.peek())) throw s.error(`Unexpected key separator '${s.peek()}'`);
    return this.#readKey();
  }

  #mapKey(): Token {
    const s = this.#s;
    for (;;) {
      const c = s.peek();
      if (c === undefined) throw this.#unclosed();
      if (c === cc.mapEnd) return this.#close(TokenType.MapEnd);
      if (isSpace(c)) s.advance();
      else if (s.atComment()) s.skipComment();
      else break;
    }
    const c = s.peek();
    if (isKeySeparator(c)) throw s.error(`Unexpected key separator '${c}'.`);
    if (c === cc.arrayEnd) throw s.error(`Unexpected array end '${c}' processing map.`);
    return this.#readKey();
  }

  /** A quoted key (taken verbatim) or a bare one, which may be the `include` keyword. */
  #readKey(): Token {
    const s = this.#s;
    const start = s.pos;
    const quote = s.peek();
    if (quote === cc.dquote || quote === cc.squote) {
      const end = s.indexOf(quote, start + 1);
      if (end === -1) throw s.error('Unexpected EOF: unterminated quoted key.', start);
      s.pos = end + 1;
      return this.#keyToken(s.slice(start + 1, end), start);
    }
    while (!s.atEnd && !isSpace(s.peek()) && !isKeySeparator(s.peek())) s.advance();
    const text = s.slice(start);
    // Only a bare `include` followed by white space is the keyword (`include: x` is a key).
    if (isSpace(s.peek()) && text.toLowerCase() === KEYWORD_INCLUDE) {
      const tok = lexIncludePath(s, start);
      this.#mode = Mode.ValueEnd;
      return tok;
    }
    return this.#keyToken(text, start);
  }

  #keyToken(text: string, start: number): Token {
    const tok = this.#s.token(TokenType.Key, text, start);
    this.#lastKey = tok;
    this.#mode = Mode.AfterKey;
    return tok;
  }

  #noValue(): Error {
    const key = this.#lastKey as Token;
    return this.#s.error(`key '${key.text}' has no value`, key.offset);
  }

  /**
   * Between a key and its value. White space (newlines too) may precede the
   * optional `:` or `=`. At the top level a newline may not follow the
   * separator; inside a map it may.
   */
  #afterKey(): void {
    const s = this.#s;
    while (isSpace(s.peek())) s.advance();
    const separated = isKeySeparator(s.peek());
    if (separated) s.advance();
    if (this.#ctx === Ctx.Top) {
      if (separated) {
        while (isBlank(s.peek())) s.advance();
        if (isNewline(s.peek())) throw s.error('Expected value but found new line');
      }
      if (s.atEnd) throw this.#noValue();
    } else {
      while (isSpace(s.peek())) s.advance();
      const c = s.peek();
      if (c === undefined) throw this.#unclosed();
      if (c === cc.comma) throw s.error('Unexpected map value terminator ",".');
      if (c === cc.mapEnd) throw this.#noValue();
    }
    this.#mode = Mode.Value;
  }

  #value(): Token {
    const s = this.#s;
    while (isBlank(s.peek())) s.advance();
    const c = s.peek();
    if (c === cc.arrayStart) return this.#open(Ctx.Array, TokenType.ArrayStart, Mode.Element);
    if (c === cc.mapStart) return this.#open(Ctx.Map, TokenType.MapStart, Mode.Key);
    const tok = lexScalar(s);
    this.#mode = Mode.ValueEnd;
    return tok;
  }

  /** Inside an array: white space and comments, then an element or `]`. */
  #element(): Token | undefined {
    const s = this.#s;
    for (;;) {
      const c = s.peek();
      if (c === undefined) throw this.#unclosed();
      if (c === cc.arrayEnd) return this.#close(TokenType.ArrayEnd);
      if (c === cc.comma) throw s.error('Unexpected array value terminator \',\'.');
      if (isSpace(c)) s.advance();
      else if (s.atComment()) s.skipComment();
      else break;
    }
    this.#mode = Mode.Value;
    return undefined;
  }

  /**
   * After a value. Top level: newline, EOF, `;`, `,` or `}`. Map: newline,
   * `;` or `,` (next key) or `}`. Array: newline or `,` (next element) or `]`.
   * A comment runs to the end of its line, which then ends the value.
   */
  #valueEnd(): Token | undefined {
    const s = this.#s;
    for (;;) {
      const c = s.peek();
      if (isBlank(c)) {
        s.advance();
        continue;
      }
      if (s.atComment()) {
        s.skipComment();
        continue;
      }
      switch (this.#ctx) {
        case Ctx.Top:
          if (c === undefined || isNewline(c) || c === cc.semicolon || c === cc.comma || c === cc.mapEnd) {
            s.advance();
            this.#mode = Mode.Key;
            return undefined;
          }
          throw s.error(
            'Expected a top-level value to end with a new line, comment or EOF, ' +
              `but got '${describeChar(c)}' instead.`,
          );
        case Ctx.Map:
          if (isNewline(c) || c === cc.semicolon || c === cc.comma) {
            s.advance();
            this.#mode = Mode.Key;
            return undefined;
          }
          if (c === cc.mapEnd) return this.#close(TokenType.MapEnd);
          if (c === undefined) throw this.#unclosed();
          throw s.error(
            `Expected a map value terminator "," or a map terminator "}", but got '${describeChar(c)}' instead.`,
          );
        case Ctx.Array:
          if (isNewline(c) || c === cc.comma) {
            s.advance();
            this.#mode = Mode.Element;
            return undefined;
          }
          if (c === cc.arrayEnd) return this.#close(TokenType.ArrayEnd);
          if (c === undefined) throw this.#unclosed();
          throw s.error(
            `Expected an array value terminator "," or an array terminator "]", but got '${describeChar(c)}' instead.`,
          );
      }
    }
  }
}

/** All tokens of `text`, EOF included (for tests and tools). */
export function tokenize(text: string, file: string = STRING_SOURCE): Token[] {
  const lexer = new Lexer(new Source(text, file));
  const tokens: Token[] = [];
  for (;;) {
    const tok = lexer.next();
    tokens.push(tok);
    if (tok.type === TokenType.EOF) return tokens;
  }
}

// A forward-only cursor over a configuration text, shared by the structural
// lexer (lexer.ts) and the value lexers (values.ts).

import type { ConfigSyntaxError } from './errors.js';
import type { Source } from './source.js';
import { cc, isNewline, type Token, type TokenType } from './tokens.js';

export class Scanner {
  readonly src: Source;
  readonly #text: string;
  /** Offset of the next character to read. */
  pos = 0;

  constructor(src: Source) {
    this.src = src;
    this.#text = src.text;
  }

  /** The character `ahead` places after the cursor, or undefined past the end. */
  peek(ahead = 0): string | undefined {
    return this.#text[this.pos + ahead];
  }

  /** Consumes one character and returns it (undefined at the end). */
  advance(): string | undefined {
    const c = this.#text[this.pos];
    if (c !== undefined) this.pos++;
    return c;
  }

  get atEnd(): boolean {
    return this.pos >= this.#text.length;
  }

  slice(start: number, end = this.pos): string {
    return this.#text.slice(start, end);
  }

  /** Index of `search` at or after `from`, or -1. */
  indexOf(search: string, from: number): number {
    return this.#text.indexOf(search, from);
  }

  /** True if the cursor is on `#` or `//`, which start a comment. */
  atComment(): boolean {
    const c = this.peek();
    return c === cc.hash || (c === cc.slash && this.peek(1) === cc.slash);
  }

  /** Skips a comment up to, not including, the end of its line. */
  skipComment(): void {
    while (!this.atEnd && !isNewline(this.peek())) this.pos++;
  }

  token(type: TokenType, text: string, offset: number): Token {
    return { type, text, offset };
  }

  /** A syntax error at `offset` (the cursor by default). */
  error(reason: string, offset = this.pos): ConfigSyntaxError {
    return this.src.error(offset, reason);
  }
}

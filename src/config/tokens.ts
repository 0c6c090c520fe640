// Tokens of the NATS configuration syntax and the characters that shape it
// (STAN-REFERENCE §7.5; behaviour of nats-server's conf/lex.go, v2.9).

export const TokenType = {
  Key: 'Key',
  String: 'String',
  Bool: 'Bool',
  /** Decimal integer text with an optional size suffix, e.g. `-12`, `64MB`. */
  Integer: 'Integer',
  Float: 'Float',
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  Datetime: 'Datetime',
  /** `$NAME`; the token text is NAME. */
  Variable: 'Variable',
  /** `include <path>`; the token text is the path as written. */
  Include: 'Include',
  ArrayStart: 'ArrayStart',
  ArrayEnd: 'ArrayEnd',
  MapStart: 'MapStart',
  MapEnd: 'MapEnd',
  EOF: 'EOF',
} as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

export interface Token {
  readonly type: TokenType;
  /** Decoded text: a string's value (escapes applied), a key, a number as written. */
  readonly text: string;
  /** Offset of the token's first character in the source (a quote, `$`, `[`...). */
  readonly offset: number;
}

/** Characters with a meaning in the syntax. */
export const cc = {
  mapStart: '{',
  mapEnd: '}',
  arrayStart: '[',
  arrayEnd: ']',
  blockStart: '(',
  blockEnd: ')',
  sepEqual: '=',
  sepColon: ':',
  comma: ',',
  semicolon: ';',
  hash: '#',
  slash: '/',
  dquote: '"',
  squote: "'",
  backslash: '\\',
  dollar: '$',
  minus: '-',
  dot: '.',
  newline: '\n',
  carriageReturn: '\r',
  space: ' ',
  tab: '\t',
} as const;

/** Space or tab: what may sit between a value and its terminator (Go's isWhitespace). */
export function isBlank(c: string | undefined): boolean {
  return c === cc.space || c === cc.tab;
}

/** '\n' or '\r' (Go's isNL). */
export function isNewline(c: string | undefined): boolean {
  return c === cc.newline || c === cc.carriageReturn;
}

const SPACE_RE = /\s/u;

/** Any Unicode white space, newlines included (Go's unicode.IsSpace). */
export function isSpace(c: string | undefined): boolean {
  return c !== undefined && SPACE_RE.test(c);
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function isKeySeparator(c: string | undefined): boolean {
  return c === cc.sepEqual || c === cc.sepColon;
}

/** Shows a character in an error message; undefined is the end of the input. */
export function describeChar(c: string | undefined): string {
  switch (c) {
    case undefined:
      return 'EOF';
    case cc.newline:
      return '\\n';
    case cc.carriageReturn:
      return '\\r';
    case cc.tab:
      return '\\t';
    default:
      return c;
  }
}

const BOOL_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['yes', true],
  ['on', true],
  ['false', false],
  ['no', false],
  ['off', false],
]);

/** The boolean an unquoted word stands for (any case), or undefined. */
export function boolWord(word: string): boolean | undefined {
  return BOOL_WORDS.get(word.toLowerCase());
}

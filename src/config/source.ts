// A configuration text plus its name, turning offsets into 1-based line and
// column for error messages and key positions (STAN-REFERENCE §7.5).

import { ConfigSyntaxError } from './errors.js';
import type { ConfigPosition } from './types.js';

const NEWLINE = '\n';

export class Source {
  readonly text: string;
  readonly file: string;
  /** Offset of the first character of each line; lines end at '\n' only, as in Go. */
  readonly #lineStarts: number[] = [0];

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
    for (let i = text.indexOf(NEWLINE); i !== -1; i = text.indexOf(NEWLINE, i + 1)) {
      this.#lineStarts.push(i + 1);
    }
  }

  /** Position of `offset`; the column counts code points, so it matches editors. */
  position(offset: number): ConfigPosition {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = starts[lo] as number;
    let column = 1;
    for (let i = lineStart; i < offset; i++) {
      const code = this.text.charCodeAt(i);
      // Skip the low half of a surrogate pair so astral characters count once.
      if (code >= 0xdc00 && code <= 0xdfff && i > lineStart) {
        const prev = this.text.charCodeAt(i - 1);
        if (prev >= 0xd800 && prev <= 0xdbff) continue;
      }
      column++;
    }
    return { file: this.file, line: lo + 1, column };
  }

  /** A syntax error located at `offset`. */
  error(offset: number, reason: string, options?: ErrorOptions): ConfigSyntaxError {
    const { line, column } = this.position(offset);
    return new ConfigSyntaxError(this.file, line, column, reason, options);
  }
}

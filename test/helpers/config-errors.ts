// Asserting that reading a configuration text fails with one exact message.

import * as assert from 'uvu/assert';

export function failsWith(read: (text: string) => unknown, text: string, cls: new (...args: never[]) => Error, message: string): void {
  try {
    read(text);
  } catch (err) {
    assert.instance(err, cls);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`accepted: ${text}`);
}

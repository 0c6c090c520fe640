// Whether the options turn encryption at rest on (STAN-REFERENCE §8.4), in a
// module of its own so that a store without encryption never loads the
// cipher code (open.ts imports the rest only when this says yes).

/** As Go: --encrypt, or a non-empty --encryption_key (the environment variable alone never turns it on). */
export function encryptionAsked(values: Readonly<Record<string, unknown>>): boolean {
  return values.encrypt === true || (typeof values.encryptionKey === 'string' && values.encryptionKey !== '');
}

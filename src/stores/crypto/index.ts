// Encryption at rest (STAN-REFERENCE §8.4): the store wrapper and its format.
export * from './cipher.js';
export { CryptoMsgStore } from './msg-store.js';
export { CryptoStore, encryptionChoice, type EncryptionChoice } from './store.js';
export { encryptionAsked } from './asked.js';

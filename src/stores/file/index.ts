// The FILE store's public surface.

export { FileStore, type RecoveryStats } from './store.js';
export { FileMsgStore } from './msg-store.js';
export { FileSubStore } from './sub-store.js';
export {
  DEFAULT_FILE_OPTIONS,
  FILE_FLAG_KEYS,
  fileOptionsFromValues,
  fileStoreOptions,
  type FileStoreOptions,
  type StoreLog,
} from './options.js';
export * as fileFormat from './format.js';

// The SQL store (PostgreSQL, MySQL/MariaDB): see store.ts.
export { SqlStore, type SqlStoreOptions } from './store.js';
export { SqlMsgStore } from './msg-store.js';
export { SqlSubStore } from './sub-store.js';
export { sqlOptionsFromValues, redactSource, type SqlOptions } from './options.js';

// Opening the store that the options ask for (-st, --dir and the --file_*
// flags, or their streaming config keys; STAN-REFERENCE §7.2). Only the
// chosen implementation is loaded (fewer modules, a quicker start). The
// store's "limits reached" warnings go to the log in the Go server's words.

import type { Logger } from '../log/logger.js';
import { friendlyBytes } from '../units/go-format.js';
import { encryptionAsked } from './crypto/asked.js';
import { observeStoreFsync, observeStoreWrite } from './latency.js';
import { type ChannelLimits, type MsgStoreState, type Store, StoreError } from './store.js';

/** The options that choose and configure the store, under the flag table's keys (storeType, filestoreDir, file*). */
export interface StoreChoice {
  readonly values: Readonly<Record<string, unknown>>;
  /** The keys given; the others keep the store's defaults. */
  readonly set: ReadonlySet<string>;
  /** Key → how it was given (`--encryption_key`, `config key "..."`), where known. */
  readonly given?: ReadonlyMap<string, string>;
}

export interface OpenedStore {
  store: Store;
  /** Where it keeps its data, for the startup log; undefined in memory. */
  location?: string;
}

/**
 * The warning the Go server logs the first time a channel drops messages
 * for its limits (pass the state right after that drop).
 */
export function limitReachedWarning(channel: string, state: MsgStoreState, limits: ChannelLimits): string {
  return (
    // Go's %q of printable text, as a JSON string.
    `WARNING: Reached limits for store ${JSON.stringify(channel)} ` +
    `(msgs=${state.msgs}/${limits.maxMsgs} bytes=${friendlyBytes(state.bytes)}/${friendlyBytes(limits.maxBytes)}), ` +
    'dropping old messages to make room for new ones'
  );
}

/**
 * The store of `storeType` (MEMORY by default), encrypted when the options
 * ask for it; throws StoreError for a type, directory or encryption option
 * that cannot be used.
 */
export async function openStore(choice: StoreChoice, log: Logger): Promise<OpenedStore> {
  // The cipher code loads only when encryption is asked for.
  if (!encryptionAsked(choice.values)) return openBackend(choice, log);
  const { CryptoStore, ENCRYPTION_KEY_ENV, encryptionChoice } = await import('./crypto/index.js');
  const encryption = encryptionChoice(choice.values);
  // Checked before the store opens: a bad key or cipher must not leave it locked.
  if (encryption !== undefined) CryptoStore.check(encryption);
  const opened = await openBackend(choice, log);
  if (encryption === undefined) return opened;
  const flag = choice.given?.get('encryptionKey');
  if (flag?.startsWith('-') && choice.values.encryptionKey !== '') {
    log.warn(
      `STREAM: The encryption key was given on the command line (${flag}), where other users of this machine can see it; ` +
        `the environment variable ${ENCRYPTION_KEY_ENV} is safer`,
    );
  }
  return { ...opened, store: new CryptoStore(opened.store, encryption) };
}

async function openBackend(choice: StoreChoice, log: Logger): Promise<OpenedStore> {
  const { values } = choice;
  const type = String(values.storeType ?? 'MEMORY').toUpperCase();
  const onLimitReached = (channel: string, state: MsgStoreState, limits: ChannelLimits) =>
    log.warn(`STREAM: ${limitReachedWarning(channel, state, limits)}`);
  if (type === 'FILE') {
    const dir = values.filestoreDir;
    if (typeof dir !== 'string' || dir === '') throw new StoreError('for FILE stores, root directory must be specified');
    const { FileStore, fileOptionsFromValues } = await import('./file/index.js');
    const fileOpts = fileOptionsFromValues(values, (k) => choice.set.has(k));
    const latency = { write: observeStoreWrite, sync: observeStoreFsync };
    const store = new FileStore({ ...fileOpts, dir, log, onLimitReached, latency });
    return { store, location: store.dir };
  }
  if (type === 'SQL') {
    // The driver (pg or mysql2) loads only here.
    const { SqlStore, sqlOptionsFromValues } = await import('./sql/index.js');
    const store = await SqlStore.open({
      ...sqlOptionsFromValues(values),
      log,
      onLimitReached,
      onLockLost: (why) => {
        log.error(`STREAM: ${why}`);
        log.error('STREAM: lost store lock, aborting');
        process.exit(1);
      },
    });
    return { store, location: store.location };
  }
  if (type !== 'MEMORY') {
    throw new StoreError(`store type "${values.storeType}" is not supported (use MEMORY, FILE or SQL)`);
  }
  const { MemoryStore } = await import('./memory/index.js');
  return { store: new MemoryStore({ onLimitReached }) };
}

/**
 * The one call a session makes to get its history: the SQLite store at
 * `file`, or, when that cannot be opened for any reason, a memory-only store
 * and one sentence saying why. Never throws: a broken history never stops
 * the chat.
 */
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { MessageStore } from './store.js';
import { toStoreError, type StoreErrorCode } from './store-errors.js';

export interface OpenHistoryOptions extends SqliteStoreOptions {
  /** Set on the store that is returned, whichever it is. */
  readonly onError?: (error: Error) => void;
  /** For the memory-only fallback. */
  readonly memory?: MemoryStoreOptions;
}

export interface OpenedHistory {
  readonly store: MessageStore;
  /** One sentence for the user when the file could not be used; absent when it is. */
  readonly warning?: string;
  /** Why, for tests and JSON events; absent when the file is used. */
  readonly code?: StoreErrorCode;
}

/** `History file "…" is in use by another running p2pchat (SQLITE_BUSY); this session keeps its history in memory only.` */
export function historyWarning(message: string): string {
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return `${sentence}; this session keeps its history in memory only.`;
}

export function openHistory(file: string, options: OpenHistoryOptions = {}): OpenedHistory {
  let store: MessageStore;
  try {
    store = SqliteStore.open(file, options);
  } catch (error) {
    const failure = toStoreError(error, file);
    const memory = new MemoryStore(options.memory);
    if (options.onError) memory.onError = options.onError;
    return { store: memory, warning: historyWarning(failure.message), code: failure.code };
  }
  if (options.onError) store.onError = options.onError;
  return { store };
}

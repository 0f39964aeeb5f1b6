import type { Answer } from '../../../api/types';

/**
 * The answers of one session the server has not acknowledged yet, written to storage on
 * every change before anything is sent, so a crash, a reload or a dead battery loses
 * nothing the student typed. One entry per question: the latest version of its answer.
 */

export interface PendingSave {
  answer: Answer;
  /** identifies this version of the answer (and is its idempotency key) */
  key: string;
  clientTs: string;
}

/** The part of `localStorage` the store uses. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The same batch retried gets the same Idempotency-Key (a 106-bit digest of its versions). */
export function batchKey(keys: string[]): string {
  if (keys.length === 1) return keys[0]!;
  const text = keys.join(':');
  const hash = (seed: number): string => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  };
  return `batch-${hash(1)}${hash(2)}`;
}

export function pendingStorageKey(sessionId: string): string {
  return `examhall.pending.${sessionId}`;
}

function readStored(
  sessionId: string,
  storage: KeyValueStorage,
): Record<string, PendingSave> | null {
  const raw = storage.getItem(pendingStorageKey(sessionId));
  return raw ? (JSON.parse(raw) as Record<string, PendingSave>) : null;
}

/** Unsent answers of a session, as kept in the browser (for resume before the sync starts). */
export function readPending(
  sessionId: string,
  storage: KeyValueStorage = localStorage,
): Record<string, Answer> {
  try {
    const stored = readStored(sessionId, storage) ?? {};
    return Object.fromEntries(Object.entries(stored).map(([qid, p]) => [qid, p.answer]));
  } catch {
    return {};
  }
}

export class PendingStore {
  private readonly saves = new Map<string, PendingSave>();

  constructor(
    private readonly sessionId: string,
    private readonly storage: KeyValueStorage,
  ) {
    try {
      for (const [qid, save] of Object.entries(readStored(sessionId, storage) ?? {}))
        this.saves.set(qid, save);
    } catch {
      // unreadable (a half-written value from another version): nothing to resume
      storage.removeItem(pendingStorageKey(sessionId));
    }
  }

  get size(): number {
    return this.saves.size;
  }

  get(questionId: string): PendingSave | undefined {
    return this.saves.get(questionId);
  }

  /** In the order the questions were first changed. */
  entries(): [string, PendingSave][] {
    return [...this.saves];
  }

  /** Keeps this version as the one to send, replacing any older one of the question. */
  put(questionId: string, save: PendingSave): void {
    this.saves.set(questionId, save);
    this.persist();
  }

  /**
   * The server stored version `key`: forget the answer, unless the student changed it since
   * (then the newer version stays to be sent). True when it was forgotten.
   */
  settle(questionId: string, key: string): boolean {
    if (this.saves.get(questionId)?.key !== key) return false;
    this.saves.delete(questionId);
    this.persist();
    return true;
  }

  /** Gives up on the question's answer (the server refused it for good). */
  remove(questionId: string): void {
    if (this.saves.delete(questionId)) this.persist();
  }

  /** Forgets everything of this session (after submit). */
  clear(): void {
    this.saves.clear();
    this.storage.removeItem(pendingStorageKey(this.sessionId));
  }

  private persist(): void {
    const key = pendingStorageKey(this.sessionId);
    if (this.saves.size === 0) this.storage.removeItem(key);
    else this.storage.setItem(key, JSON.stringify(Object.fromEntries(this.saves)));
  }
}

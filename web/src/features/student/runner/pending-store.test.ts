import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../../test/fakes';
import { PendingStore, batchKey, pendingStorageKey, readPending } from './pending-store';

const SID = '7f0c2f8e-8a55-4c3e-9d7e-2b1b9b0f1a01';
const save = (answer: string[], key: string) => ({
  answer,
  key,
  clientTs: '2026-03-02T08:00:00.000Z',
});

describe('PendingStore (the offline buffer)', () => {
  it('writes every change to storage at once, and a reload finds it', () => {
    const storage = memoryStorage();
    const store = new PendingStore(SID, storage);
    store.put('q1', save(['a'], 'k1'));
    store.put('q2', save(['b'], 'k2'));
    expect(storage.data.has(pendingStorageKey(SID))).toBe(true);

    const afterReload = new PendingStore(SID, storage);
    expect(afterReload.size).toBe(2);
    expect(afterReload.get('q1')).toEqual(save(['a'], 'k1'));
    expect(readPending(SID, storage)).toEqual({ q1: ['a'], q2: ['b'] });
  });

  it('keeps one entry per question, the latest, in the order questions were first changed', () => {
    const store = new PendingStore(SID, memoryStorage());
    store.put('q1', save(['a'], 'k1'));
    store.put('q2', save(['b'], 'k2'));
    store.put('q1', save(['c'], 'k3'));
    expect(store.entries().map(([qid, s]) => [qid, s.key])).toEqual([
      ['q1', 'k3'],
      ['q2', 'k2'],
    ]);
  });

  it('forgets an answer only when the acknowledged version is still the latest', () => {
    const storage = memoryStorage();
    const store = new PendingStore(SID, storage);
    store.put('q1', save(['a'], 'old'));
    store.put('q1', save(['b'], 'new'));
    expect(store.settle('q1', 'old')).toBe(false);
    expect(readPending(SID, storage)).toEqual({ q1: ['b'] });
    expect(store.settle('q1', 'new')).toBe(true);
    expect(store.size).toBe(0);
    // nothing left: the key is gone, not an empty object
    expect(storage.data.has(pendingStorageKey(SID))).toBe(false);
  });

  it('keeps sessions apart, and clear() forgets only its own', () => {
    const storage = memoryStorage();
    const other = 'a3b9d1e2-0000-4000-8000-000000000002';
    new PendingStore(other, storage).put('q9', save(['z'], 'k9'));
    const store = new PendingStore(SID, storage);
    store.put('q1', save(['a'], 'k1'));
    store.clear();
    expect(readPending(SID, storage)).toEqual({});
    expect(readPending(other, storage)).toEqual({ q9: ['z'] });
  });

  it('starts empty, and clears the entry, when what is stored cannot be read', () => {
    const storage = memoryStorage();
    storage.setItem(pendingStorageKey(SID), '{"q1": {"answer": [');
    expect(readPending(SID, storage)).toEqual({});
    const store = new PendingStore(SID, storage);
    expect(store.size).toBe(0);
    expect(storage.data.has(pendingStorageKey(SID))).toBe(false);
  });

  it('gives the same batch the same idempotency key, and a different batch another', () => {
    expect(batchKey(['k1'])).toBe('k1');
    expect(batchKey(['k1', 'k2'])).toBe(batchKey(['k1', 'k2']));
    expect(batchKey(['k1', 'k2'])).not.toBe(batchKey(['k2', 'k1']));
    expect(batchKey(['k1', 'k2'])).toMatch(/^batch-[0-9a-f]{28}$/);
  });
});

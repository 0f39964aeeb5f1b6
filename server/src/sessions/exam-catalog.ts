import type { CachedExam, SessionStore } from './store/types.js';
import type { SessionsRepo } from './sessions.repo.js';

/**
 * Published exams for the student path: from the hot store, loaded from PostgreSQL on a
 * miss. At 08:00 a thousand starts arrive for one exam at once; they share one load.
 */
export function createExamCatalog(deps: { hotStore: SessionStore; repo: SessionsRepo }) {
  const { hotStore, repo } = deps;
  const loading = new Map<string, Promise<CachedExam | null>>();

  async function reload(examId: string): Promise<CachedExam | null> {
    const entry = await repo.publishedExam(examId);
    if (entry) await hotStore.putExam(entry);
    else await hotStore.dropExam(examId);
    return entry;
  }

  return {
    /** The published exam, or null (missing or still a draft). */
    async get(examId: string): Promise<CachedExam | null> {
      const hit = await hotStore.getExam(examId);
      if (hit) return hit;
      let load = loading.get(examId);
      if (!load) {
        load = reload(examId).finally(() => loading.delete(examId));
        loading.set(examId, load);
      }
      return load;
    },

    /**
     * The exams feature's `onExamChanged`: publish, close, token rotation, release or a
     * schedule edit was committed, so the hot copy is replaced from the exams row.
     */
    async examChanged(examId: string): Promise<void> {
      await reload(examId);
    },
  };
}

export type ExamCatalog = ReturnType<typeof createExamCatalog>;

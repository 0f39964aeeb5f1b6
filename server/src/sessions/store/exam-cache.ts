import type { Redis } from 'ioredis';
import type { CachedExam } from './types.js';
import type { RedisKeys } from '../../platform/redis/keys.js';
import type { Bus } from '../../platform/bus/index.js';

/**
 * Published exams (payload + answer key + live state), kept in Redis for every process and
 * in this process's memory too (ARCHITECTURE.md: "also cached in process memory"): every
 * student request reads its exam, and fetching and parsing the whole exam from Redis each
 * time would cost more than the save itself. A change anywhere (publish, close, token,
 * schedule) is announced on pub/sub and dropped everywhere at once; the short TTL only
 * covers an announcement lost in a reconnect.
 */
export class ExamCache {
  private readonly local = new Map<string, { entry: CachedExam; at: number }>();
  /** bumped on every change announced: a read that raced one must not be cached */
  private readonly generation = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly bus: Bus,
    private readonly ttlMs = 5_000,
  ) {
    this.unsubscribe = bus.subscribe('exams', (examId) => this.forget(examId));
  }

  async get(examId: string): Promise<CachedExam | null> {
    const hit = this.local.get(examId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.entry;
    const generation = this.generation.get(examId) ?? 0;
    const json = await this.redis.get(this.keys.exam(examId));
    if (json === null) return null;
    const entry = JSON.parse(json) as CachedExam;
    if ((this.generation.get(examId) ?? 0) === generation)
      this.local.set(examId, { entry, at: Date.now() });
    return entry;
  }

  async put(entry: CachedExam): Promise<void> {
    const examId = entry.exam.examId;
    await this.redis.set(this.keys.exam(examId), JSON.stringify(entry));
    this.forget(examId);
    await this.bus.publish('exams', examId);
  }

  async drop(examId: string): Promise<void> {
    await this.redis.del(this.keys.exam(examId));
    this.forget(examId);
    await this.bus.publish('exams', examId);
  }

  close(): void {
    this.unsubscribe();
    this.local.clear();
  }

  private forget(examId: string): void {
    this.local.delete(examId);
    this.generation.set(examId, (this.generation.get(examId) ?? 0) + 1);
  }
}

import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';

export type BusChannel = 'notices' | 'logins' | 'exams' | 'persisted' | 'wake' | 'staff';

/**
 * Cross-process messages over Redis pub/sub: session notices (time extension, closed),
 * login revocations (kick the old device), exam changes (drop cached copies), staff and
 * role changes (drop cached permissions; the cache's TTL is their fallback), "entries
 * persisted" for write-through waits and "wake up" for idle writers. At-most-once by nature: every user of it has a fallback
 * (PostgreSQL for logins, polling for persistence), so a message lost in a reconnect only
 * costs latency.
 */
export class RedisBus {
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private closed = false;
  /** SUBSCRIBE calls in flight: a publish waits for them, so our own listeners hear it. */
  private subscribing: Promise<unknown>[] = [];

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch {
          // One listener's bug must not starve the others.
        }
      }
    });
  }

  on(name: BusChannel, handler: (message: string) => void): () => void {
    const channel = this.keys.channel(name);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      const done = this.subscriber.subscribe(channel).catch(() => undefined);
      this.subscribing.push(done);
      void done.then(() => (this.subscribing = this.subscribing.filter((p) => p !== done)));
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  async publish(name: BusChannel, message: string): Promise<void> {
    if (this.closed) return;
    if (this.subscribing.length > 0) await Promise.all(this.subscribing);
    await this.publisher.publish(this.keys.channel(name), message);
  }

  close(): void {
    this.closed = true;
    this.handlers.clear();
  }
}

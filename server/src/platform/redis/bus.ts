import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';
import {
  TransportBus,
  type BusLogger,
  type BusTransport,
  type Deliver,
  type Route,
} from '../bus/core.js';
import type { Bus } from '../bus/port.js';

export interface RedisBusOptions {
  /** a command connection for PUBLISH (the lane's usual one will do) */
  publisher: Redis;
  /**
   * A connection in subscribe mode, for this bus alone: close() unsubscribes every channel
   * the bus listened to, which would also silence another user of the same connection.
   */
  subscriber: Redis;
  keys: RedisKeys;
  logger: BusLogger;
}

/**
 * The bus across processes, over Redis pub/sub (at most once: port.ts). The bus does not
 * own the connections: close() it, then quit them.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  return new TransportBus((deliver) => new RedisTransport(options, deliver), options.logger);
}

class RedisTransport implements BusTransport {
  /** channels this bus has subscribers for */
  private readonly wanted = new Set<string>();
  /** SUBSCRIBEs in flight: a publish on such a channel waits, so our own subscribers hear it */
  private readonly subscribing = new Map<string, Promise<void>>();
  /** SUBSCRIBEs that failed while Redis was away, sent again once it is back */
  private readonly failed = new Set<string>();
  /** the last publish held back, and how many are: later ones queue behind it, keeping order */
  private tail: Promise<void> = Promise.resolve();
  private held = 0;
  private readonly onMessage: (channel: string, message: string) => void;
  private readonly onReady = () => {
    // ioredis resubscribes after a reconnect only what Redis had confirmed.
    for (const channel of [...this.failed]) this.listen(channel);
  };

  constructor(
    private readonly options: RedisBusOptions,
    deliver: Deliver,
  ) {
    this.onMessage = (channel, message) => deliver(channel, message);
    options.subscriber.on('message', this.onMessage);
    options.subscriber.on('ready', this.onReady);
  }

  channel(route: Route): string {
    return route.kind === 'infra'
      ? this.options.keys.channel(route.name)
      : this.options.keys.topic(route.name);
  }

  send(channel: string, message: string): Promise<void> {
    const subscribed = this.subscribing.get(channel);
    if (subscribed === undefined && this.held === 0) return this.issue(channel, message);
    // One connection runs commands in the order they are issued, so order only needs
    // keeping while some publish waits for a SUBSCRIBE: then everything after it waits too.
    this.held += 1;
    let reply: Promise<void> = Promise.resolve();
    const issued = Promise.all([this.tail, subscribed]).then(() => {
      this.held -= 1;
      reply = this.issue(channel, message);
    });
    this.tail = issued;
    return issued.then(() => reply);
  }

  listen(channel: string): void {
    this.wanted.add(channel);
    this.failed.delete(channel);
    const done: Promise<void> = this.options.subscriber
      .subscribe(channel)
      .then(
        () => undefined,
        (err: unknown) => {
          if (this.wanted.has(channel)) this.failed.add(channel);
          this.options.logger.warn(
            { err, channel },
            'bus: could not subscribe; trying again when Redis is back',
          );
        },
      )
      .finally(() => {
        if (this.subscribing.get(channel) === done) this.subscribing.delete(channel);
      });
    this.subscribing.set(channel, done);
  }

  unlisten(channel: string): void {
    this.wanted.delete(channel);
    this.failed.delete(channel);
    // If this fails, ioredis resubscribes the channel after a reconnect; what arrives on it
    // then finds no subscribers and is ignored.
    this.options.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.options.subscriber.off('message', this.onMessage);
    this.options.subscriber.off('ready', this.onReady);
    const channels = [...this.wanted];
    this.wanted.clear();
    this.failed.clear();
    // A connection that is not ready is going away or reconnecting: waiting for it would
    // hold a shutdown up, and the caller quits it next anyway.
    if (channels.length === 0 || this.options.subscriber.status !== 'ready') return;
    await this.options.subscriber.unsubscribe(...channels).catch(() => undefined);
  }

  private async issue(channel: string, message: string): Promise<void> {
    await this.options.publisher.publish(channel, message);
  }
}

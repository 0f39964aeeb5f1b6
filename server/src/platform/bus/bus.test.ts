import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshRedisUrl } from '../../../test/harness.js';
import { connectRedis, parseRedisUrl, type RedisSettings } from '../redis/connection.js';
import { RedisKeys } from '../redis/keys.js';
import { busContract, type BusContractSetup } from './contract.js';
import { freshTopicName, recorder, recordingLogger, until } from './contract-support.js';
import type { BusLogger } from './core.js';
import { createMemoryBus } from './memory.js';
import { topic, type Bus, type Topic } from './port.js';
import { createRedisBus } from '../redis/bus.js';

const quiet: BusLogger = { warn: () => undefined };

busContract('memory', () => {
  const buses: Bus[] = [];
  return {
    open: (logger = quiet) => {
      const bus = createMemoryBus({ logger });
      buses.push(bus);
      return bus;
    },
    close: async () => void (await Promise.all(buses.map((b) => b.close()))),
  };
});

/** Buses as separate processes would have them: each its own two connections, one prefix. */
function redisWorld(): BusContractSetup & {
  keys: RedisKeys;
  settings: RedisSettings;
  raw(): Redis;
} {
  const settings = parseRedisUrl(freshRedisUrl());
  const keys = new RedisKeys(settings.prefix, settings.shards);
  const connections: Redis[] = [];
  const buses: Bus[] = [];
  const connect = (name: string) => {
    const connection = connectRedis(settings, name);
    connections.push(connection);
    return connection;
  };
  return {
    keys,
    settings,
    raw: () => connect('bus-test-raw'),
    open: (logger = quiet) => {
      const bus = createRedisBus({
        publisher: connect('bus-test'),
        subscriber: connect('bus-test-subscriber'),
        keys,
        logger,
      });
      buses.push(bus);
      return bus;
    },
    close: async () => {
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all(connections.map((c) => c.quit()));
    },
  };
}

busContract('redis', redisWorld);

describe('Bus on Redis, across processes', () => {
  let world: ReturnType<typeof redisWorld>;
  beforeEach(() => {
    world = redisWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  /**
   * Resolves once `bus` hears its own `probe` on `t` from Redis: its subscription is in
   * place for every publisher (at most once: an event published before the SUBSCRIBE lands
   * is not for it). Others on the topic may hear the probe too, later: filter it out.
   */
  async function live<T>(bus: Bus, t: Topic<T>, probe: T): Promise<void> {
    let heard = false;
    const stop = bus.subscribe(
      t,
      (payload) => void (heard ||= JSON.stringify(payload) === JSON.stringify(probe)),
    );
    await bus.publish(t, probe);
    await until('the probe', () => heard);
    stop();
  }

  it('two processes hear each other’s events, and each its own', async () => {
    const [a, b] = [world.open(), world.open()];
    const t = topic<{ from: string }>(freshTopicName());
    const [heardByA, heardByB] = [recorder<{ from: string }>(), recorder<{ from: string }>()];
    a.subscribe(t, heardByA.handler);
    b.subscribe(t, heardByB.handler);
    await Promise.all([live(a, t, { from: 'probe' }), live(b, t, { from: 'probe' })]);
    const events = (got: { from: string }[]) => got.filter((e) => e.from !== 'probe');

    await a.publish(t, { from: 'a' });
    await until(
      'a’s event everywhere',
      () => events(heardByA.got).length === 1 && events(heardByB.got).length === 1,
    );
    await b.publish(t, { from: 'b' });
    await until(
      'b’s event everywhere',
      () => events(heardByA.got).length === 2 && events(heardByB.got).length === 2,
    );
    expect(events(heardByA.got)).toEqual([{ from: 'a' }, { from: 'b' }]);
    expect(events(heardByB.got)).toEqual([{ from: 'a' }, { from: 'b' }]);
  });

  it('drops, with a log, a message on a topic’s channel that is not JSON, and goes on', async () => {
    const logger = recordingLogger();
    const bus = world.open(logger);
    const name = freshTopicName();
    const t = topic<{ ok: boolean }>(name);
    const { got, handler } = recorder<{ ok: boolean }>();
    bus.subscribe(t, handler);
    await live(bus, t, { ok: false });
    // What `redis-cli PUBLISH <channel> '{not json'` sends: no bus encoded it.
    const raw = world.raw();
    await raw.publish(world.keys.topic(name), '{not json');
    await raw.publish(world.keys.topic(name), '');
    await bus.publish(t, { ok: true });
    await until('the good event', () => got.length === 2);
    expect(got).toEqual([{ ok: false }, { ok: true }]);
    expect(logger.messages).toEqual([
      'bus message dropped: not JSON',
      'bus message dropped: not JSON',
    ]);
  });

  it('speaks RedisBus’s wire on the infrastructure channels, so processes can move one at a time', async () => {
    const bus = world.open();
    const { got, handler } = recorder<string>();
    bus.subscribe('exams', handler);
    await bus.publish('exams', 'warm-up');
    await until('the warm-up', () => got.length === 1);

    // RedisBus publishes the bare string on keys.channel(name) …
    await world.raw().publish(world.keys.channel('exams'), 'exam-1');
    await until('the old publisher’s message', () => got.length === 2);
    expect(got[1]).toBe('exam-1');

    // … and listens there for bare strings.
    const listener = world.raw();
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) => void heard.push(message));
    await listener.subscribe(world.keys.channel('exams'));
    await bus.publish('exams', 'exam-2');
    await until('the old listener', () => heard.length === 1);
    expect(heard).toEqual(['exam-2']);
  });

  it('hears again once its subscriber connection is cut and comes back', async () => {
    const subscriber = world.raw();
    const id = await subscriber.client('ID');
    const bus = createRedisBus({
      publisher: world.raw(),
      subscriber,
      keys: world.keys,
      logger: quiet,
    });
    try {
      const t = topic<number>(freshTopicName());
      const { got, handler } = recorder<number>();
      bus.subscribe(t, handler);
      await live(bus, t, 0);
      await world.raw().client('KILL', 'ID', String(id));
      // At most once: what is published while the connection is down is lost, so keep
      // publishing until the reconnected, resubscribed connection hears one.
      for (let n = 1; !got.some((e) => e > 0); n += 1) {
        if (n > 200) throw new Error('never heard again after the reconnect');
        await bus.publish(t, n);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await bus.close();
    }
  });

  it('leaves no subscription in Redis once the last subscriber leaves, nor after close()', async () => {
    const [a, b] = [world.open(), world.open()];
    const name = freshTopicName();
    const channel = world.keys.topic(name);
    const subscribers = async () => Number((await world.raw().pubsub('NUMSUB', channel))[1]);
    const t = topic<number>(name);
    const stopA = a.subscribe(t, () => undefined);
    b.subscribe(t, () => undefined);
    await Promise.all([live(a, t, -1), live(b, t, -1)]);
    expect(await subscribers()).toBe(2);

    stopA();
    await expect.poll(subscribers).toBe(1);
    await b.close();
    expect(await subscribers()).toBe(0);
  });
});

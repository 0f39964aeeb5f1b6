import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTopicName, recorder, recordingLogger, settle, until } from './contract-support.js';
import type { BusLogger } from './core.js';
import { topic, type Bus, type JsonValue } from './port.js';

/**
 * The Bus contract: every adapter runs this file unchanged (port.ts has the semantics it
 * pins down). The adapter's test supplies fresh buses in a fresh world for every case.
 */
export interface BusContractSetup {
  /** a bus of the adapter; several opened in one setup share a world (one Redis prefix) */
  open(logger?: BusLogger): Bus;
  /** closes every bus opened, and whatever they ran on */
  close(): Promise<void>;
}

export function busContract(name: string, makeSetup: () => BusContractSetup): void {
  describe(`Bus contract: ${name}`, () => {
    let setup: BusContractSetup;
    beforeEach(() => {
      setup = makeSetup();
    });
    afterEach(async () => {
      await setup.close();
    });

    it('delivers an event to every subscriber of its topic, in the publishing process too, once', async () => {
      const bus = setup.open();
      const scored = topic<{ score: number }>(freshTopicName());
      const [a, b] = [recorder<{ score: number }>(), recorder<{ score: number }>()];
      bus.subscribe(scored, a.handler);
      bus.subscribe(scored, b.handler);
      // Published right after subscribing: the bus, not the caller, makes sure it is heard.
      await bus.publish(scored, { score: 7 });
      await until('both subscribers', () => a.got.length > 0 && b.got.length > 0);
      await settle();
      expect(a.got).toEqual([{ score: 7 }]);
      expect(b.got).toEqual([{ score: 7 }]);
    });

    it('never runs a subscriber inside the publisher’s call stack', async () => {
      const bus = setup.open();
      const ping = topic<string>(freshTopicName());
      const { got, handler } = recorder<string>();
      bus.subscribe(ping, handler);
      const published = bus.publish(ping, 'now?');
      expect(got).toEqual([]);
      await published;
      await until('the event', () => got.length === 1);
    });

    it('does not deliver an event to the subscribers of other topics', async () => {
      const bus = setup.open();
      const [first, second] = [topic<string>(freshTopicName()), topic<string>(freshTopicName())];
      const [a, b] = [recorder<string>(), recorder<string>()];
      bus.subscribe(first, a.handler);
      bus.subscribe(second, b.handler);
      await bus.publish(first, 'for first');
      await bus.publish(second, 'for second');
      // Order is kept, so once the second event is in the first one would be too.
      await until('both events', () => a.got.length > 0 && b.got.length > 0);
      expect(a.got).toEqual(['for first']);
      expect(b.got).toEqual(['for second']);
    });

    it('stops delivering to a subscription once unsubscribed, and only to it', async () => {
      const bus = setup.open();
      const t = topic<number>(freshTopicName());
      const [gone, stays] = [recorder<number>(), recorder<number>()];
      const unsubscribe = bus.subscribe(t, gone.handler);
      const unsubscribeStays = bus.subscribe(t, stays.handler);
      unsubscribe();
      unsubscribe();
      await bus.publish(t, 1);
      await until('the remaining subscriber', () => stays.got.length === 1);
      expect(gone.got).toEqual([]);

      // The last subscriber leaving and a new one arriving: the topic is heard again.
      unsubscribeStays();
      const again = recorder<number>();
      bus.subscribe(t, again.handler);
      await bus.publish(t, 2);
      await until('the new subscriber', () => again.got.length === 1);
      expect(again.got).toEqual([2]);
      expect(stays.got).toEqual([1]);
    });

    it('keeps the order of one publisher’s events', async () => {
      const bus = setup.open();
      const t = topic<{ i: number }>(freshTopicName());
      const { got, handler } = recorder<{ i: number }>();
      bus.subscribe(t, handler);
      const sent = Array.from({ length: 300 }, (_, i) => ({ i }));
      await Promise.all(sent.map((event) => bus.publish(t, event)));
      await until('every event', () => got.length === sent.length);
      expect(got).toEqual(sent);
    });

    it('keeps delivering to the others when a subscriber throws or rejects, and logs it', async () => {
      const logger = recordingLogger();
      const bus = setup.open(logger);
      const t = topic<number>(freshTopicName());
      let throwing = 0;
      bus.subscribe(t, () => {
        throwing += 1;
        throw new Error('a subscriber bug');
      });
      bus.subscribe(t, async () => {
        throw new Error('an async subscriber bug');
      });
      const { got, handler } = recorder<number>();
      bus.subscribe(t, handler);
      await bus.publish(t, 1);
      await bus.publish(t, 2);
      await until('both events', () => got.length === 2);
      await until('four failures logged', () => logger.messages.length === 4);
      expect(got).toEqual([1, 2]);
      expect(throwing).toBe(2);
      expect(new Set(logger.messages)).toEqual(new Set(['bus subscriber failed']));
    });

    it('carries payloads as JSON: what arrives is what JSON.parse(JSON.stringify(…)) gives', async () => {
      const bus = setup.open();
      interface Rich {
        text: string;
        n: number;
        flags: boolean[];
        nested: { none: null; list: { k: string }[] };
        note?: string;
      }
      const t = topic<Rich>(freshTopicName());
      const { got, handler } = recorder<Rich>();
      bus.subscribe(t, handler);
      const payload: Rich = {
        text: 'Ujian — 数学 ✓ "quoted" \n',
        n: -1.5e-7,
        flags: [true, false],
        nested: { none: null, list: [{ k: '' }] },
        note: undefined,
      };
      await bus.publish(t, payload);
      await until('the event', () => got.length === 1);
      expect(got[0]).toEqual(JSON.parse(JSON.stringify(payload)) as JsonValue);
      expect(got[0]).not.toHaveProperty('note');
      expect(got[0]).not.toBe(payload);

      // @ts-expect-error a Date would arrive as a string: the topic's type refuses it
      topic<{ at: Date }>(freshTopicName());
      const loose = topic<{ self?: object; big?: number }>(freshTopicName());
      const cyclic: { self?: object } = {};
      cyclic.self = cyclic;
      await expect(bus.publish(loose, cyclic)).rejects.toThrow(TypeError);
      await expect(bus.publish(loose, { big: 1n as unknown as number })).rejects.toThrow(TypeError);
    });

    it('carries an infrastructure channel’s bare strings as they are', async () => {
      const bus = setup.open();
      const { got, handler } = recorder<string>();
      bus.subscribe('persisted', handler);
      await bus.publish('persisted', '3 1700000000000-0');
      await bus.publish('persisted', 'not json {');
      await until('both messages', () => got.length === 2);
      expect(got).toEqual(['3 1700000000000-0', 'not json {']);
    });

    it('drops, with a log, an event its topic’s decoder refuses, and goes on', async () => {
      const logger = recordingLogger();
      const bus = setup.open(logger);
      const t = topic<{ n: number }>(freshTopicName(), (value) => {
        if (
          typeof value !== 'object' ||
          value === null ||
          Array.isArray(value) ||
          typeof value['n'] !== 'number' ||
          value['n'] < 0
        )
          throw new Error('not a count');
        return { n: value['n'] };
      });
      const { got, handler } = recorder<{ n: number }>();
      bus.subscribe(t, handler);
      await bus.publish(t, { n: -1 });
      await bus.publish(t, { n: 1 });
      await until('the good event', () => got.length === 1);
      expect(got).toEqual([{ n: 1 }]);
      expect(logger.messages).toEqual(['bus message dropped: refused by its decoder']);
    });

    it('stops delivering at close(), even what was already on its way; publishing after is a no-op', async () => {
      const bus = setup.open();
      const t = topic<string>(freshTopicName());
      const { got, handler } = recorder<string>();
      const unsubscribe = bus.subscribe(t, handler);
      await bus.publish(t, 'before');
      await until('the first event', () => got.length === 1);
      void bus.publish(t, 'on its way');
      await bus.close();
      await bus.publish(t, 'after');
      bus.subscribe(t, handler)();
      unsubscribe();
      await settle();
      expect(got).toEqual(['before']);
    });
  });
}

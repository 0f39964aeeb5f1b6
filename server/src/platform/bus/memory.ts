import {
  TransportBus,
  type BusLogger,
  type BusTransport,
  type Deliver,
  type Route,
} from './core.js';
import type { Bus } from './port.js';

/**
 * The in-process bus: the embedded default (one process, no Redis) and feature tests.
 * Every bus made here is a world of its own — two of them do not hear each other, as two
 * processes without Redis would not.
 */
export function createMemoryBus(options: { logger: BusLogger }): Bus {
  return new TransportBus((deliver) => new MemoryTransport(deliver), options.logger);
}

class MemoryTransport implements BusTransport {
  /** everything published and not yet delivered, in publish order */
  private queue: [channel: string, message: string][] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly deliver: Deliver) {}

  channel(route: Route): string {
    return `${route.kind}:${route.name}`;
  }

  send(channel: string, message: string): Promise<void> {
    this.queue.push([channel, message]);
    // setImmediate, not a microtask: a subscriber that publishes in turn (a chain of
    // events) then waits for the next turn of the event loop instead of starving I/O.
    this.scheduled ??= setImmediate(() => this.drain());
    return Promise.resolve();
  }

  listen(): void {
    // Nothing to set up: delivery looks the channel's subscribers up as each event goes out.
  }

  unlisten(): void {
    // As listen().
  }

  async close(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queue = [];
  }

  private drain(): void {
    this.scheduled = undefined;
    // Events published while this batch is delivered go out in the next turn, after it.
    const batch = this.queue;
    this.queue = [];
    for (const [channel, message] of batch) this.deliver(channel, message);
  }
}

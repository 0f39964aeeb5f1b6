import type { Bus, Handler, InfraChannel, JsonValue, Topic, Unsubscribe } from './port.js';

/**
 * What the adapters share: encoding, the subscriber registry, and delivery that isolates
 * subscribers from each other. An adapter is only a transport that moves encoded messages
 * between buses, so both keep one set of semantics (port.ts) by construction.
 */
export interface BusTransport {
  /** the channel a topic or infrastructure channel travels on */
  channel(route: Route): string;
  /** sends one encoded message; messages sent in order are delivered in order */
  send(channel: string, message: string): Promise<void>;
  /** the first subscriber of `channel` on this bus arrived */
  listen(channel: string): void;
  /** the last subscriber of `channel` on this bus left */
  unlisten(channel: string): void;
  close(): Promise<void>;
}

export type Route = { kind: 'infra'; name: InfraChannel } | { kind: 'topic'; name: string };

/** The little of a logger the bus needs (a pino Logger is one). */
export interface BusLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** How a transport hands over a message that arrived on a channel this bus listens to. */
export type Deliver = (channel: string, message: string) => void;

interface Subscription {
  route: Route;
  decode: ((value: JsonValue) => unknown) | undefined;
  handler: Handler<unknown>;
}

type Target = Topic<unknown> | InfraChannel;

const routeOf = (target: Target): Route =>
  typeof target === 'string'
    ? { kind: 'infra', name: target }
    : { kind: 'topic', name: target.name };

function encode(route: Route, payload: unknown): string {
  if (route.kind === 'infra') {
    if (typeof payload !== 'string')
      throw new TypeError(`bus channel ${route.name} carries strings`);
    return payload;
  }
  // Throws on a cycle or a bigint; undefined means there was nothing JSON could carry.
  const message = JSON.stringify(payload);
  if (message === undefined)
    throw new TypeError(`bus topic ${route.name}: the payload is not JSON`);
  return message;
}

export class TransportBus implements Bus {
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly transport: BusTransport;
  private closing: Promise<void> | undefined;

  constructor(
    connect: (deliver: Deliver) => BusTransport,
    private readonly logger: BusLogger,
  ) {
    this.transport = connect((channel, message) => this.deliver(channel, message));
  }

  publish<T>(topic: Topic<T>, payload: NoInfer<T>): Promise<void>;
  publish(channel: InfraChannel, message: string): Promise<void>;
  async publish(target: Target, payload: unknown): Promise<void> {
    if (this.closing) return;
    const route = routeOf(target);
    // Runs before the first await: sends leave in the order publish was called.
    await this.transport.send(this.transport.channel(route), encode(route, payload));
  }

  subscribe<T>(topic: Topic<T>, handler: Handler<NoInfer<T>>): Unsubscribe;
  subscribe(channel: InfraChannel, handler: Handler<string>): Unsubscribe;
  subscribe(target: Target, handler: Handler<never>): Unsubscribe {
    if (this.closing) return () => undefined;
    const route = routeOf(target);
    const channel = this.transport.channel(route);
    // The overloads tie each handler to what its topic's decoder (or its channel) yields.
    const subscription: Subscription = {
      route,
      decode: typeof target === 'string' ? undefined : target.decode,
      handler: handler as Handler<unknown>,
    };
    let set = this.subscriptions.get(channel);
    if (!set) {
      set = new Set();
      this.subscriptions.set(channel, set);
      this.transport.listen(channel);
    }
    set.add(subscription);
    const subscribers = set;
    return () => {
      if (!subscribers.delete(subscription) || subscribers.size > 0) return;
      this.subscriptions.delete(channel);
      this.transport.unlisten(channel);
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Emptied first, so events already on their way find nobody, and unsubscribe is a no-op.
      for (const set of this.subscriptions.values()) set.clear();
      this.subscriptions.clear();
      await this.transport.close();
    })();
    return this.closing;
  }

  private deliver(channel: string, message: string): void {
    const set = this.subscriptions.get(channel);
    if (this.closing || !set) return;
    let parsed: { value: JsonValue } | undefined;
    // Several subscriptions usually share one topic object, so decode once per decoder.
    const decoded = new Map<(value: JsonValue) => unknown, { value: unknown } | undefined>();
    // A copy: a handler may subscribe or unsubscribe others while this event goes round.
    for (const subscription of [...set]) {
      if (!set.has(subscription)) continue;
      if (subscription.route.kind === 'infra') {
        this.run(subscription, message);
        continue;
      }
      parsed ??= this.parse(channel, message);
      if (!parsed) return;
      const { decode } = subscription;
      if (!decode) {
        this.run(subscription, parsed.value);
        continue;
      }
      if (!decoded.has(decode))
        decoded.set(decode, this.decode(subscription, decode, parsed.value));
      const value = decoded.get(decode);
      if (value) this.run(subscription, value.value);
    }
  }

  private parse(channel: string, message: string): { value: JsonValue } | undefined {
    try {
      return { value: JSON.parse(message) as JsonValue };
    } catch (err) {
      // Not from a bus (a stray PUBLISH, another deployment on the prefix): drop, never throw.
      // The size, not the content: a message may hold anything.
      this.logger.warn({ err, channel, bytes: message.length }, 'bus message dropped: not JSON');
      return undefined;
    }
  }

  private decode(
    subscription: Subscription,
    decode: (value: JsonValue) => unknown,
    value: JsonValue,
  ): { value: unknown } | undefined {
    try {
      return { value: decode(value) };
    } catch (err) {
      this.logger.warn(
        { err, topic: subscription.route.name },
        'bus message dropped: refused by its decoder',
      );
      return undefined;
    }
  }

  private run(subscription: Subscription, payload: unknown): void {
    const failed = (err: unknown) =>
      this.logger.warn({ err, topic: subscription.route.name }, 'bus subscriber failed');
    try {
      const result = subscription.handler(payload);
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      // One subscriber's bug must not starve the others (nor the transport's event loop).
      failed(err);
    }
  }
}

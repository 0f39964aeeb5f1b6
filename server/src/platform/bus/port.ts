/**
 * The bus: publish/subscribe of domain events between features and between processes
 * (ARCHITECTURE.md, "Wave 2": `session.scored` feeds leaderboards and analytics, a live
 * game's phase changes reach every process's sockets).
 *
 * Delivery semantics — the same for every adapter unless it says otherwise:
 *  * **In-process (`memory`): always.** Every subscriber of the topic at the time the event
 *    is delivered receives it, once.
 *  * **Across processes (`redis`): at most once.** Redis pub/sub keeps nothing: a process
 *    whose subscriber connection is reconnecting, or that subscribes later, misses what was
 *    published meanwhile. The publishing process hears its own events through Redis as well,
 *    so every process sees one channel's events in the same order. Anything that must not be
 *    lost travels in the durable log or is rebuilt from PostgreSQL; a subscriber must be
 *    idempotent and treat an event as "worth looking again", not as the truth.
 *  * **Asynchronous, in publish order.** A publisher never runs subscriber code inside its
 *    own call stack (so a handler cannot re-enter the service that published), and the
 *    events of one publisher on one topic arrive in the order they were published.
 *  * **Isolated.** A subscriber that throws (or whose promise rejects) is logged and the
 *    others still get the event; so is a message that fails to parse or to decode, which is
 *    dropped. Handlers are not awaited: a slow one does not hold back the next event.
 *  * **`close()`** stops delivery at once and unsubscribes everything; publishing after
 *    it is a no-op (a shutting-down process has nobody left to tell).
 *
 * Payloads are JSON values: they cross processes, so what a subscriber gets is what
 * `JSON.parse(JSON.stringify(payload))` gives — on the `memory` adapter too, so a feature
 * tested in one process behaves the same on Redis. Subscribers of one process share the
 * parsed object: do not mutate it.
 */
export interface Bus {
  /** Resolves once the event is handed on (Redis has it); rejects if it cannot be encoded or sent. */
  publish<T>(topic: Topic<T>, payload: NoInfer<T>): Promise<void>;
  /** An infrastructure channel carries a bare string, on the wire exactly as given. */
  publish(channel: InfraChannel, message: string): Promise<void>;
  subscribe<T>(topic: Topic<T>, handler: Handler<NoInfer<T>>): Unsubscribe;
  subscribe(channel: InfraChannel, handler: Handler<string>): Unsubscribe;
  close(): Promise<void>;
}

export type Handler<T> = (payload: T) => void | Promise<void>;
export type Unsubscribe = () => void;

/**
 * The platform's own cross-process channels (exam cache invalidation, "persisted" and "wake"
 * for the durable log's writers): bare strings, the same wire as before the bus existed.
 */
export type InfraChannel = 'exams' | 'persisted' | 'wake';

/** A value JSON carries unchanged. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * `T` itself, mapped member by member, when every part of it survives a JSON round trip;
 * `never` in the parts that would not (functions, Dates, Maps, bigint, undefined-valued
 * required fields). Unlike `JsonValue` it accepts interfaces, which have no index signature.
 */
export type JsonSafe<T> = T extends string | number | boolean | null
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends object
      ? { [K in keyof T]: JsonSafe<T[K]> }
      : never;

/**
 * A typed topic, declared by the feature that owns the event — platform/ cannot import
 * features, so the type travels with the topic:
 *
 *     export const SessionScored = topic<SessionScoredEvent>('session.scored');
 *     bus.publish(SessionScored, { examId, studentId, score, maxScore, submittedAt });
 *     const stop = bus.subscribe(SessionScored, (event) => leaderboard.record(event));
 */
export interface Topic<T> {
  /** `owner.event`, e.g. `session.scored`; also the channel on Redis (under the app's prefix) */
  readonly name: string;
  /** checks what arrives from outside this process; throw to refuse it (it is logged and dropped) */
  readonly decode: ((value: JsonValue) => T) | undefined;
}

/** The name's type, as the compiler's way of saying no to a payload type JSON cannot carry. */
type JsonChecked<T> = [T] extends [JsonSafe<T>]
  ? string
  : 'the payload type of this topic does not survive JSON';

const TOPIC_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/**
 * Declares a topic. `decode` is for events whose subscribers must not trust their shape
 * (another process, another version of the code during a rolling deploy): pass a function
 * that returns the checked value or throws, e.g. around an Ajv validator.
 */
export function topic<T>(name: JsonChecked<T>, decode?: (value: JsonValue) => T): Topic<T> {
  // The dot keeps domain topics apart from infrastructure channels at a glance, and the
  // narrow alphabet keeps channel names free of Redis hash-tag braces and whitespace.
  if (!TOPIC_NAME.test(name))
    throw new Error(`A bus topic is named owner.event in lower case: ${name}`);
  return Object.freeze({ name, decode });
}

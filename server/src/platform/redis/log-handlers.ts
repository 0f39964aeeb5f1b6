/**
 * The durable log's typed entries. A stream entry is `t <type> <field> <value> …`; the
 * feature that appends a type registers the handler that decodes it and writes a batch of
 * them to its own tables. A new feature adds entry types and a handler, never a second queue.
 */
export interface LogEntryHandler<E = unknown> {
  /** the entry types (`t` values) this handler owns, e.g. `answers`, `live.answer` */
  readonly types: readonly string[];
  /** stream fields → entry; throws on a shape no writer of this type produces (dead-lettered) */
  decode(fields: string[]): E;
  /**
   * Writes a batch (log order) to PostgreSQL. Must be idempotent: a batch applied partly or
   * redelivered after a crash is applied again. PostgreSQL refusing the data itself (SQLSTATE
   * class 22/23) isolates the bad entries; any other error is an outage to retry.
   */
  apply(entries: E[]): Promise<void>;
}

export class LogHandlers {
  private readonly byType = new Map<string, LogEntryHandler>();

  register<E>(handler: LogEntryHandler<E>): void {
    for (const type of handler.types) {
      if (this.byType.has(type)) throw new Error(`log entry type ${type} has a handler already`);
      this.byType.set(type, handler as LogEntryHandler);
    }
  }

  handlerFor(type: string): LogEntryHandler | undefined {
    return this.byType.get(type);
  }
}

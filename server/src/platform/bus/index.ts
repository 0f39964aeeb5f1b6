/**
 * The bus port (port.ts has the delivery semantics). Features declare their topics with
 * `topic()` and take a `Bus`; only the process's wiring picks an adapter.
 */
export {
  topic,
  type Bus,
  type Handler,
  type InfraChannel,
  type JsonSafe,
  type JsonValue,
  type Topic,
  type Unsubscribe,
} from './port.js';
export type { BusLogger } from './core.js';
export { createMemoryBus } from './memory.js';

import { randomBytes } from 'node:crypto';
import type { BusLogger } from './core.js';

// What the bus contract (contract.ts) and the adapters' own tests listen with.

/** A logger that keeps what the bus reported, for assertions. */
export function recordingLogger(): BusLogger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_details, message) => void messages.push(message) };
}

/** A topic no other case uses, so cases never hear each other. */
export const freshTopicName = () => `contract.c${randomBytes(5).toString('hex')}`;

export function recorder<T>() {
  const got: T[] = [];
  return { got, handler: (payload: T) => void got.push(payload) };
}

/** Polls until `check` holds; fails the test naming `what`. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Long enough for a message that was going to arrive to have arrived (negative checks). */
export const settle = () => new Promise((r) => setTimeout(r, 100));

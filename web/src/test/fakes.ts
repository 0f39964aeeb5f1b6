import type { NetworkStatus } from '../lib/network';
import type { SocketLike } from '../lib/socket-channel';
import type { KeyValueStorage } from '../features/student/runner/pending-store';

/**
 * Stand-ins for the browser in the web unit tests (which run in Node): a WebSocket class the
 * test plays the server for, a network that goes on- and offline on command, and storage.
 */

export interface FakeSocket extends SocketLike {
  readonly url: string;
  /** what the client sent, parsed */
  readonly sent: Record<string, unknown>[];
  /** set once the client closed it */
  closedWith: { code?: number; reason?: string } | null;
  /** the server accepts the upgrade */
  accept(): void;
  /** the server sends a message */
  deliver(message: unknown): void;
  /** the server (or the network) closes it */
  hangUp(code?: number): void;
}

/** A WebSocket class to hand a SocketChannel, keeping every socket it made. */
export function fakeWebSockets() {
  const sockets: FakeSocket[] = [];
  class FakeWebSocket implements FakeSocket {
    onopen: ((event: Event) => void) | null = null;
    onmessage: ((event: MessageEvent) => void) | null = null;
    onclose: ((event: CloseEvent) => void) | null = null;
    readonly sent: Record<string, unknown>[] = [];
    closedWith: { code?: number; reason?: string } | null = null;

    constructor(readonly url: string) {
      sockets.push(this);
    }

    send(data: string): void {
      if (this.closedWith) throw new Error('send on a closed socket');
      this.sent.push(JSON.parse(data) as Record<string, unknown>);
    }

    close(code?: number, reason?: string): void {
      this.closedWith = { code, reason };
    }

    accept(): void {
      this.onopen?.({ type: 'open' } as Event);
    }

    deliver(message: unknown): void {
      this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
    }

    hangUp(code = 1006): void {
      this.onclose?.({ code, reason: '', wasClean: false } as CloseEvent);
    }
  }
  return {
    WebSocket: FakeWebSocket,
    sockets,
    /** the socket made last */
    last(): FakeSocket {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}

export function fakeNetwork(online = true): NetworkStatus & { set(online: boolean): void } {
  let state = online;
  const listeners = new Set<(online: boolean) => void>();
  return {
    isOnline: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      state = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}

export function memoryStorage(): KeyValueStorage & { readonly data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

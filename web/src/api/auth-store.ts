import type { AuthUser, TokenPair } from './types';

/**
 * The signed-in user and their token pair, kept in localStorage so a reload (or a crashed
 * browser) comes back signed in. Components subscribe through useSyncExternalStore.
 */
export interface StoredAuth {
  accessToken: string;
  refreshToken: string;
  /** epoch ms when the access token expires (client clock) */
  expiresAt: number;
  user: AuthUser;
}

/** Why the app signed someone out, so the right screen can explain it. */
export type SignOutReason = 'logout' | 'expired' | 'replaced';

const KEY = 'examhall.auth';
let current: StoredAuth | null = read();
let lastSignOut: SignOutReason | null = null;
const listeners = new Set<() => void>();

function read(): StoredAuth | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredAuth;
    return parsed.accessToken && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

export const authStore = {
  get(): StoredAuth | null {
    return current;
  },
  lastSignOut(): SignOutReason | null {
    return lastSignOut;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  setPair(pair: TokenPair): void {
    current = {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt: Date.now() + pair.expiresIn * 1000,
      user: pair.user,
    };
    lastSignOut = null;
    localStorage.setItem(KEY, JSON.stringify(current));
    emit();
  },
  clear(reason: SignOutReason): void {
    current = null;
    lastSignOut = reason;
    localStorage.removeItem(KEY);
    emit();
  },
};

// Another tab signing in or out changes this one too.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  current = read();
  emit();
});

import { useSyncExternalStore } from 'react';
import { authStore, type StoredAuth } from './auth-store';

export function useAuth(): StoredAuth | null {
  return useSyncExternalStore(authStore.subscribe, authStore.get);
}

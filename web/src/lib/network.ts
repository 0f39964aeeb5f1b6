/** Whether the device thinks it is online, and word when that changes. */
export interface NetworkStatus {
  isOnline(): boolean;
  /** returns the unsubscribe */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's `navigator.onLine` with its `online` / `offline` events. */
export const browserNetwork: NetworkStatus = {
  isOnline: () => navigator.onLine,
  subscribe(listener) {
    const online = () => listener(true);
    const offline = () => listener(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
};

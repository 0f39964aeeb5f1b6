import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useT } from '../i18n/i18n';

type Tone = 'info' | 'success' | 'warning' | 'danger';
interface ToastItem {
  id: number;
  tone: Tone;
  text: string;
}

interface ToastApi {
  show: (text: string, tone?: Tone, ms?: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const t = useT();

  const dismiss = useCallback(
    (id: number) => setItems((all) => all.filter((item) => item.id !== id)),
    [],
  );
  const show = useCallback(
    (text: string, tone: Tone = 'info', ms = tone === 'success' ? 3_000 : 5_000) => {
      const id = next.current++;
      setItems((all) => [...all.slice(-1), { id, tone, text }]);
      window.setTimeout(() => dismiss(id), ms);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite" aria-relevant="additions">
        {items.map((item) => (
          <div
            key={item.id}
            className={`toast toast--${item.tone}`}
            role={item.tone === 'danger' || item.tone === 'warning' ? 'alert' : 'status'}
          >
            <span>{item.text}</span>
            <button
              type="button"
              className="icon-btn icon-btn--sm"
              aria-label={t('common.dismiss')}
              onClick={() => dismiss(item.id)}
            >
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path
                  d="M6 6l12 12M18 6L6 18"
                  stroke="currentColor"
                  strokeWidth="2"
                  strokeLinecap="round"
                />
              </svg>
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast outside ToastProvider');
  return ctx;
}

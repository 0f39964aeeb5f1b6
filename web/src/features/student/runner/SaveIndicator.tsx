import { useI18n } from '../../../i18n/i18n';
import type { SyncState } from './answer-sync';

export function SaveIndicator({ state }: { state: SyncState }) {
  const { t } = useI18n();
  const text =
    state.mode === 'offline'
      ? state.pendingCount > 0
        ? t('save.offlinePending', { n: state.pendingCount })
        : t('save.offline')
      : state.mode === 'saving'
        ? t('save.saving', { n: state.pendingCount })
        : t('save.saved');
  return (
    <div
      className={`save-indicator save-indicator--${state.mode}`}
      role="status"
      aria-live="polite"
      data-testid="save-status"
      data-mode={state.mode}
    >
      <span className="save-indicator__icon" aria-hidden="true">
        {state.mode === 'saved' && (
          <svg viewBox="0 0 24 24" width="16" height="16">
            <path
              d="M5 12.5l4.2 4.2L19 7"
              fill="none"
              stroke="currentColor"
              strokeWidth="2.4"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        )}
        {state.mode === 'saving' && <span className="spinner spinner--sm" />}
        {state.mode === 'offline' && (
          <svg viewBox="0 0 24 24" width="16" height="16">
            <path
              d="M3 3l18 18M8.5 16.5a5 5 0 017 0M5 12.9a10 10 0 015-2.7M19 12.9a10 10 0 00-2.2-1.6M1.5 9a15 15 0 014.4-2.7M22.5 9A15 15 0 0011 5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
            />
            <circle cx="12" cy="20" r="1.3" fill="currentColor" />
          </svg>
        )}
      </span>
      <span className="save-indicator__text">{text}</span>
    </div>
  );
}

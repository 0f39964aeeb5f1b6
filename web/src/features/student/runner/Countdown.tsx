import { useT } from '../../../i18n/i18n';
import { formatCountdown } from '../../../lib/time';

export const WARN_MS = 10 * 60_000;
export const CRITICAL_MS = 5 * 60_000;

export function Countdown({ remainingMs }: { remainingMs: number }) {
  const t = useT();
  const level = remainingMs <= CRITICAL_MS ? 'critical' : remainingMs <= WARN_MS ? 'warn' : 'ok';
  return (
    <div
      className={`countdown countdown--${level}`}
      role="timer"
      aria-label={t('runner.timeLeft')}
      data-testid="countdown"
    >
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <circle cx="12" cy="13" r="8" fill="none" stroke="currentColor" strokeWidth="2" />
        <path
          d="M12 9v4l2.5 2M9.5 2.5h5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
        />
      </svg>
      <span className="countdown__value">{formatCountdown(remainingMs)}</span>
    </div>
  );
}

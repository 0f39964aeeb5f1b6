import type { ReactNode } from 'react';
import { ApiError } from '../api/api-error';
import { useT } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';

export function Brand({ to = '/', small = false }: { to?: string; small?: boolean }) {
  return (
    <a href={to} className={`brand${small ? ' brand--small' : ''}`} aria-label="Examhall">
      <svg className="brand__mark" viewBox="0 0 64 64" aria-hidden="true">
        <rect width="64" height="64" rx="14" fill="currentColor" />
        <path d="M18 20h28v5H24v5h18v5H24v5h22v5H18z" fill="#fff" />
      </svg>
      <span className="brand__name">Examhall</span>
    </a>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

/** Known error codes get a translated sentence; the rest show the server's message. */
export function errorText(t: (key: MessageKey) => string, err: unknown): string {
  if (err instanceof ApiError) {
    const key = `error.${err.code}` as MessageKey;
    const translated = t(key);
    if (translated !== key) return translated;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  if (!error) return null;
  return (
    <div className="note note--danger" role="alert">
      <span>{errorText(t, error)}</span>
      {onRetry && (
        <button type="button" className="btn btn--ghost btn--sm" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" className="empty__icon">
        <rect
          x="8"
          y="6"
          width="32"
          height="36"
          rx="4"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.5"
        />
        <path
          d="M16 16h16M16 24h16M16 32h9"
          stroke="currentColor"
          strokeWidth="2.5"
          strokeLinecap="round"
        />
      </svg>
      <p className="empty__title">{title}</p>
      {children}
    </div>
  );
}

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent';
export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}

const statusTone: Record<string, Tone> = {
  NOT_STARTED: 'neutral',
  IN_PROGRESS: 'info',
  SUBMITTED: 'accent',
  SCORED: 'success',
  PENDING_REVIEW: 'warning',
  DRAFT: 'neutral',
  PUBLISHED: 'success',
  CLOSED: 'danger',
};

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  const key = `status.${status}` as MessageKey;
  const label = t(key);
  return <Badge tone={statusTone[status] ?? 'neutral'}>{label === key ? status : label}</Badge>;
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1 className="page-title">{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

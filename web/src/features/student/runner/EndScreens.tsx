import { Link } from 'react-router-dom';
import { useT } from '../../../i18n/i18n';
import { Brand } from '../../../components/ui';

function EndScreen({
  icon,
  tone,
  title,
  children,
}: {
  icon: 'clock' | 'devices';
  tone: 'warning' | 'danger';
  title: string;
  children: React.ReactNode;
}) {
  return (
    <div className="end-screen">
      <header className="end-screen__top">
        <Brand small />
      </header>
      <main className="end-screen__card" role="alert" aria-labelledby="end-title">
        <div className={`end-screen__icon end-screen__icon--${tone}`} aria-hidden="true">
          {icon === 'clock' ? (
            <svg viewBox="0 0 48 48" width="44" height="44">
              <circle cx="24" cy="26" r="16" fill="none" stroke="currentColor" strokeWidth="3.5" />
              <path
                d="M24 17v9l6 4M18 4h12"
                fill="none"
                stroke="currentColor"
                strokeWidth="3.5"
                strokeLinecap="round"
              />
            </svg>
          ) : (
            <svg viewBox="0 0 48 48" width="44" height="44">
              <rect
                x="4"
                y="10"
                width="28"
                height="20"
                rx="3"
                fill="none"
                stroke="currentColor"
                strokeWidth="3.5"
              />
              <path
                d="M12 38h12M18 30v8"
                stroke="currentColor"
                strokeWidth="3.5"
                strokeLinecap="round"
              />
              <rect
                x="34"
                y="16"
                width="11"
                height="22"
                rx="2.5"
                fill="none"
                stroke="currentColor"
                strokeWidth="3.5"
              />
            </svg>
          )}
        </div>
        <h1 id="end-title" className="end-screen__title">
          {title}
        </h1>
        {children}
      </main>
    </div>
  );
}

export function TimeUpScreen({ submitted, sessionId }: { submitted: boolean; sessionId: string }) {
  const t = useT();
  return (
    <EndScreen icon="clock" tone="warning" title={t('timeup.title')}>
      <p className="end-screen__text">
        {submitted ? t('timeup.submitted') : t('timeup.submitting')}
      </p>
      {submitted ? (
        <Link className="btn btn--primary btn--lg" to={`/session/${sessionId}/result`} replace>
          {t('timeup.seeResult')}
        </Link>
      ) : (
        <span className="spinner" role="progressbar" aria-label={t('timeup.submitting')} />
      )}
    </EndScreen>
  );
}

export function KickedScreen({ onSignInAgain }: { onSignInAgain: () => void }) {
  const t = useT();
  return (
    <EndScreen icon="devices" tone="danger" title={t('kicked.title')}>
      <p className="end-screen__text">{t('kicked.text')}</p>
      <p className="end-screen__text muted">{t('kicked.safe')}</p>
      <button type="button" className="btn btn--primary btn--lg" onClick={onSignInAgain}>
        {t('kicked.signInAgain')}
      </button>
    </EndScreen>
  );
}

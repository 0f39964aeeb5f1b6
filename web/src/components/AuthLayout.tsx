import type { ReactNode } from 'react';
import { LanguageSwitcher, useT } from '../i18n/i18n';
import { Brand } from './ui';

export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: string;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className="auth">
      <header className="auth__top">
        <Brand />
        <LanguageSwitcher />
      </header>
      <main className="auth__main">
        <section className="auth-card" aria-labelledby="auth-title">
          <h1 id="auth-title" className="auth-card__title">
            {title}
          </h1>
          <p className="auth-card__subtitle">{subtitle}</p>
          {children}
        </section>
        <aside className="auth__aside" aria-hidden="true">
          <div className="auth__art">
            <div className="auth__art-card">
              <span className="auth__art-dot auth__art-dot--ok" />
              <span className="auth__art-line" />
              <span className="auth__art-line auth__art-line--short" />
            </div>
            <div className="auth__art-card auth__art-card--2">
              <span className="auth__art-dot" />
              <span className="auth__art-line" />
              <span className="auth__art-line auth__art-line--short" />
            </div>
            <p className="auth__tagline">{t('login.tagline')}</p>
          </div>
        </aside>
      </main>
      <footer className="auth__footer">© Examhall · {t('login.footer')}</footer>
    </div>
  );
}

import { Link } from 'react-router-dom';
import { useT } from '../i18n/i18n';
import { Brand } from './ui';

export function NotFound() {
  const t = useT();
  return (
    <div className="end-screen">
      <header className="end-screen__top">
        <Brand small />
      </header>
      <main className="end-screen__card">
        <p className="end-screen__code" aria-hidden="true">
          404
        </p>
        <h1 className="end-screen__title">{t('notFound.title')}</h1>
        <p className="end-screen__text">{t('notFound.text')}</p>
        <Link className="btn btn--primary" to="/">
          {t('notFound.home')}
        </Link>
      </main>
    </div>
  );
}

import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { logout } from '../../api/student';
import { useAuth } from '../../api/use-auth';
import { Brand } from '../../components/ui';
import { LanguageSwitcher, useT } from '../../i18n/i18n';

export function StudentShell() {
  const t = useT();
  const auth = useAuth();
  const navigate = useNavigate();
  return (
    <div className="shell shell--student">
      <header className="topbar">
        <div className="topbar__inner">
          <Brand to="/exams" />
          <nav className="topnav" aria-label={t('nav.main')}>
            <NavLink to="/exams" end className="topnav__link">
              {t('exams.title')}
            </NavLink>
            <NavLink to="/series" className="topnav__link">
              {t('series.title')}
            </NavLink>
          </nav>
          <div className="topbar__right">
            <LanguageSwitcher compact />
            <span className="topbar__user" title={auth?.user.nisn}>
              <span className="avatar" aria-hidden="true">
                {(auth?.user.name ?? '?').slice(0, 1)}
              </span>
              <span className="topbar__name">{auth?.user.name}</span>
            </span>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={async () => {
                await logout();
                navigate('/login', { replace: true });
              }}
            >
              {t('common.signOut')}
            </button>
          </div>
        </div>
      </header>
      <main className="container" id="main">
        <Outlet />
      </main>
    </div>
  );
}

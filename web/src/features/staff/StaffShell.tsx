import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { logout } from '../../api/student';
import { useAuth } from '../../api/use-auth';
import { Brand } from '../../components/ui';
import { LanguageSwitcher, useT } from '../../i18n/i18n';

const icons = {
  exams: 'M7 3h10a2 2 0 012 2v14a2 2 0 01-2 2H7a2 2 0 01-2-2V5a2 2 0 012-2zm2 5h6M9 12h6M9 16h4',
  questions: 'M9.1 9a3 3 0 015.8 1c0 2-3 2.5-3 4.5M12 18h.01M12 22a10 10 0 100-20 10 10 0 000 20z',
  classes: 'M3 10l9-5 9 5-9 5-9-5zm4 2.5V17c3 2 7 2 10 0v-4.5',
  students: 'M16 11a4 4 0 10-8 0 4 4 0 008 0zM4 21c1-4 4.5-6 8-6s7 2 8 6',
  series: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
};

function NavIcon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.9"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function StaffShell() {
  const t = useT();
  const auth = useAuth();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const links = [
    { to: '/admin/exams', label: t('nav.exams'), icon: icons.exams },
    { to: '/admin/questions', label: t('nav.questions'), icon: icons.questions },
    { to: '/admin/classes', label: t('nav.classes'), icon: icons.classes },
    { to: '/admin/students', label: t('nav.students'), icon: icons.students },
    { to: '/admin/series', label: t('nav.series'), icon: icons.series },
  ];
  return (
    <div className="shell shell--staff">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <aside className={`sidebar${menuOpen ? ' is-open' : ''}`}>
        <div className="sidebar__brand">
          <Brand to="/admin" />
          <span className="sidebar__tag">{t('nav.console')}</span>
        </div>
        <nav aria-label={t('nav.main')} className="sidebar__nav">
          {links.map((link) => (
            <NavLink
              key={link.to}
              to={link.to}
              className="sidebar__link"
              onClick={() => setMenuOpen(false)}
            >
              <NavIcon d={link.icon} />
              <span>{link.label}</span>
            </NavLink>
          ))}
        </nav>
        <div className="sidebar__foot">
          <LanguageSwitcher />
        </div>
      </aside>
      <div className="shell__content">
        <header className="topbar topbar--staff">
          <button
            type="button"
            className="icon-btn menu-btn"
            aria-label={t('nav.menu')}
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((open) => !open)}
          >
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path
                d="M4 7h16M4 12h16M4 17h16"
                stroke="currentColor"
                strokeWidth="2"
                strokeLinecap="round"
              />
            </svg>
          </button>
          <div className="topbar__right">
            <span className="topbar__user">
              <span className="avatar" aria-hidden="true">
                {(auth?.user.name ?? '?').slice(0, 1)}
              </span>
              <span className="topbar__name">
                {auth?.user.name}
                <small>{auth?.user.role ?? (auth?.user.superAdmin ? 'Super admin' : '')}</small>
              </span>
            </span>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={async () => {
                await logout();
                navigate('/staff/login', { replace: true });
              }}
            >
              {t('common.signOut')}
            </button>
          </div>
        </header>
        <main className="container container--wide" id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
      {menuOpen && <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />}
    </div>
  );
}

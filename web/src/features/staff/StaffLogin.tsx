import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { loginStaff } from '../../api/student';
import { AuthLayout } from '../../components/AuthLayout';
import { ErrorNote } from '../../components/ui';
import { useT } from '../../i18n/i18n';

export function StaffLogin() {
  const t = useT();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await loginStaff(email.trim().toLowerCase(), password);
      navigate('/admin', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout title={t('login.staffTitle')} subtitle={t('login.staffSubtitle')}>
      <form className="stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="email">{t('login.email')}</label>
          <input id="email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="staff-password">{t('login.password')}</label>
          <input
            id="staff-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="btn btn--primary btn--block btn--lg" disabled={busy || !email || !password}>
          {busy ? t('login.signingIn') : t('login.signIn')}
        </button>
      </form>
      <p className="auth-card__switch">
        {t('login.areYouStudent')} <Link to="/login">{t('login.studentLink')}</Link>
      </p>
    </AuthLayout>
  );
}

import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { authStore } from '../../api/auth-store';
import { loginStudent } from '../../api/student';
import { ErrorNote } from '../../components/ui';
import { AuthLayout } from '../../components/AuthLayout';
import { useT } from '../../i18n/i18n';

export function StudentLogin() {
  const t = useT();
  const navigate = useNavigate();
  const [nisn, setNisn] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const expired = authStore.lastSignOut() === 'expired';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await loginStudent(nisn.trim(), password);
      navigate('/exams', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout title={t('login.studentTitle')} subtitle={t('login.studentSubtitle')}>
      {expired && <div className="note note--info" role="status">{t('login.expired')}</div>}
      <form className="stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="nisn">{t('login.nisn')}</label>
          <input
            id="nisn"
            name="nisn"
            inputMode="numeric"
            autoComplete="username"
            required
            autoFocus
            value={nisn}
            onChange={(e) => setNisn(e.target.value)}
            placeholder="0012345601"
          />
        </div>
        <div className="field">
          <label htmlFor="password">{t('login.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="btn btn--primary btn--block btn--lg" disabled={busy || !nisn || !password}>
          {busy ? t('login.signingIn') : t('login.signIn')}
        </button>
      </form>
      <p className="auth-card__switch">
        {t('login.areYouStaff')} <Link to="/staff/login">{t('login.staffLink')}</Link>
      </p>
    </AuthLayout>
  );
}

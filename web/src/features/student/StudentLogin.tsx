import { Link, useNavigate } from 'react-router-dom';
import { authStore } from '../../api/auth-store';
import { loginStudent } from '../../api/student';
import { AuthLayout } from '../../components/AuthLayout';
import { LoginForm } from '../../components/LoginForm';
import { useT } from '../../i18n/i18n';

export function StudentLogin() {
  const t = useT();
  const navigate = useNavigate();
  const expired = authStore.lastSignOut() === 'expired';

  return (
    <AuthLayout title={t('login.studentTitle')} subtitle={t('login.studentSubtitle')}>
      {expired && (
        <div className="note note--info" role="status">
          {t('login.expired')}
        </div>
      )}
      <LoginForm
        identity={{
          id: 'nisn',
          name: 'nisn',
          label: t('login.nisn'),
          inputMode: 'numeric',
          placeholder: '0012345601',
        }}
        password={{ id: 'password', name: 'password' }}
        signIn={(nisn, password) => loginStudent(nisn.trim(), password)}
        onSignedIn={() => navigate('/exams', { replace: true })}
      />
      <p className="auth-card__switch">
        {t('login.areYouStaff')} <Link to="/staff/login">{t('login.staffLink')}</Link>
      </p>
    </AuthLayout>
  );
}

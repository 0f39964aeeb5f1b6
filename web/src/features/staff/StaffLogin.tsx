import { Link, useNavigate } from 'react-router-dom';
import { loginStaff } from '../../api/student';
import { AuthLayout } from '../../components/AuthLayout';
import { LoginForm } from '../../components/LoginForm';
import { useT } from '../../i18n/i18n';

export function StaffLogin() {
  const t = useT();
  const navigate = useNavigate();

  return (
    <AuthLayout title={t('login.staffTitle')} subtitle={t('login.staffSubtitle')}>
      <LoginForm
        identity={{ id: 'email', label: t('login.email'), type: 'email' }}
        password={{ id: 'staff-password' }}
        signIn={(email, password) => loginStaff(email.trim().toLowerCase(), password)}
        onSignedIn={() => navigate('/admin', { replace: true })}
      />
      <p className="auth-card__switch">
        {t('login.areYouStudent')} <Link to="/login">{t('login.studentLink')}</Link>
      </p>
    </AuthLayout>
  );
}

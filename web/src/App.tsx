import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useNavigate } from 'react-router-dom';
import { authStore } from './api/auth-store';
import { useAuth } from './api/use-auth';
import { ToastProvider } from './components/Toast';
import { I18nProvider } from './i18n/i18n';
import { StaffLogin } from './features/staff/StaffLogin';
import { MyExams } from './features/student/MyExams';
import { LeaderboardPage } from './features/student/LeaderboardPage';
import { ResultPage } from './features/student/ResultPage';
import { SeriesBoardPage, SeriesListPage } from './features/student/SeriesPages';
import { StudentLogin } from './features/student/StudentLogin';
import { StudentShell } from './features/student/StudentShell';
import { KickedScreen } from './features/student/runner/EndScreens';
import { ExamRunnerPage } from './features/student/runner/ExamRunnerPage';
import { NotFound } from './components/NotFound';
import { Loading } from './components/ui';

const StaffRoutes = lazy(() => import('./features/staff/StaffRoutes'));

function RequireUser({ kind, children }: { kind: 'student' | 'staff'; children: ReactNode }) {
  const auth = useAuth();
  if (!auth) {
    if (kind === 'student' && authStore.lastSignOut() === 'replaced')
      return <Navigate to="/elsewhere" replace />;
    return <Navigate to={kind === 'student' ? '/login' : '/staff/login'} replace />;
  }
  if (auth.user.kind !== kind)
    return <Navigate to={auth.user.kind === 'student' ? '/exams' : '/admin'} replace />;
  return <>{children}</>;
}

function Home() {
  const auth = useAuth();
  if (!auth) return <Navigate to="/login" replace />;
  return <Navigate to={auth.user.kind === 'student' ? '/exams' : '/admin/exams'} replace />;
}

function GuestOnly({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (auth)
    return <Navigate to={auth.user.kind === 'student' ? '/exams' : '/admin/exams'} replace />;
  return <>{children}</>;
}

function Elsewhere() {
  const navigate = useNavigate();
  return (
    <KickedScreen
      onSignInAgain={() => {
        authStore.clear('logout');
        navigate('/login', { replace: true });
      }}
    />
  );
}

export function App() {
  return (
    <I18nProvider>
      <ToastProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route
              path="/login"
              element={
                <GuestOnly>
                  <StudentLogin />
                </GuestOnly>
              }
            />
            <Route
              path="/staff/login"
              element={
                <GuestOnly>
                  <StaffLogin />
                </GuestOnly>
              }
            />
            <Route path="/elsewhere" element={<Elsewhere />} />
            <Route
              path="/session/:sessionId"
              element={
                <RequireUser kind="student">
                  <ExamRunnerPage />
                </RequireUser>
              }
            />
            <Route
              element={
                <RequireUser kind="student">
                  <StudentShell />
                </RequireUser>
              }
            >
              <Route path="/exams" element={<MyExams />} />
              <Route path="/session/:sessionId/result" element={<ResultPage />} />
              <Route path="/exams/:examId/leaderboard" element={<LeaderboardPage />} />
              <Route path="/series" element={<SeriesListPage />} />
              <Route path="/series/:seriesId" element={<SeriesBoardPage />} />
            </Route>
            <Route
              path="/admin/*"
              element={
                <RequireUser kind="staff">
                  <Suspense fallback={<Loading />}>
                    <StaffRoutes />
                  </Suspense>
                </RequireUser>
              }
            />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </BrowserRouter>
      </ToastProvider>
    </I18nProvider>
  );
}

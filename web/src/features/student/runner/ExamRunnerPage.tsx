import { useEffect, useState } from 'react';
import { Navigate, useParams } from 'react-router-dom';
import { ApiError } from '../../../api/api-error';
import { studentApi } from '../../../api/student';
import { ErrorNote, Loading } from '../../../components/ui';
import { useT } from '../../../i18n/i18n';
import { Runner } from './Runner';
import { takeSessionView, type ReceivedView } from './session-cache';

/** Loads the session view (or takes it from "start") and hands it to the runner. */
export function ExamRunnerPage() {
  const { sessionId = '' } = useParams();
  const t = useT();
  const [received, setReceived] = useState<ReceivedView | null>(() => takeSessionView(sessionId));
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (received) return;
    let alive = true;
    setError(null);
    studentApi
      .session(sessionId)
      .then((view) => alive && setReceived({ view, receivedAt: Date.now() }))
      .catch((err: unknown) => alive && setError(err));
    return () => {
      alive = false;
    };
  }, [sessionId, received, attempt]);

  if (error instanceof ApiError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN'))
    return <Navigate to="/exams" replace />;
  if (error) {
    return (
      <div className="runner-error">
        <ErrorNote error={error} onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    );
  }
  if (!received) return <Loading label={t('runner.loading')} />;
  if (received.view.status !== 'IN_PROGRESS')
    return <Navigate to={`/session/${sessionId}/result`} replace />;
  return <Runner key={received.view.sessionId} received={received} />;
}

import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { itemsOf } from '../../api/http';
import { studentApi } from '../../api/student';
import type { MyExam } from '../../api/types';
import { useAuth } from '../../api/use-auth';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorNote, Loading, PageHeader, StatusBadge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { stashSessionView } from './runner/session-cache';

export function MyExams() {
  const { t, formatDateTime } = useI18n();
  const auth = useAuth();
  const navigate = useNavigate();
  const exams = useAsync(async () => itemsOf(await studentApi.myExams()), []);
  const [starting, setStarting] = useState<MyExam | null>(null);

  const firstName = auth?.user.name.split(' ')[0] ?? '';
  const list = exams.data ?? [];
  const now = Date.now();

  function open(exam: MyExam) {
    if (exam.myStatus === 'IN_PROGRESS' && exam.sessionId) navigate(`/session/${exam.sessionId}`);
    else if (exam.myStatus !== 'NOT_STARTED' && exam.sessionId)
      navigate(`/session/${exam.sessionId}/result`);
    else setStarting(exam);
  }

  return (
    <>
      <PageHeader title={t('exams.title')} subtitle={t('exams.greeting', { name: firstName })} />
      {exams.loading && !exams.data && <Loading />}
      <ErrorNote error={exams.error} onRetry={exams.reload} />
      {exams.data && list.length === 0 && (
        <EmptyState title={t('exams.none')}>{t('exams.noneHint')}</EmptyState>
      )}
      <ul className="exam-cards" aria-label={t('exams.title')}>
        {list.map((exam) => {
          const notYet = Date.parse(exam.scheduledStart) > now;
          const over = Date.parse(exam.scheduledEnd) < now;
          const action =
            exam.myStatus === 'IN_PROGRESS'
              ? t('exams.continue')
              : exam.myStatus === 'NOT_STARTED'
                ? t('exams.start')
                : t('exams.viewResult');
          const disabled = exam.myStatus === 'NOT_STARTED' && (notYet || over);
          return (
            <li key={exam.id} className="exam-card">
              <div className="exam-card__head">
                <h2 className="exam-card__title">{exam.title}</h2>
                <StatusBadge status={exam.myStatus} />
              </div>
              <dl className="exam-card__meta">
                <div>
                  <dt>{t('exams.opens')}</dt>
                  <dd>{formatDateTime(exam.scheduledStart)}</dd>
                </div>
                <div>
                  <dt>{t('exams.closes')}</dt>
                  <dd>{formatDateTime(exam.scheduledEnd)}</dd>
                </div>
                <div>
                  <dt>{t('exams.duration')}</dt>
                  <dd>{t('exams.minutes', { n: exam.durationMinutes })}</dd>
                </div>
                <div>
                  <dt>{t('exams.questions')}</dt>
                  <dd>{exam.questionCount}</dd>
                </div>
              </dl>
              <div className="exam-card__foot">
                {exam.leaderboard && (
                  <Link
                    className="btn btn--ghost"
                    to={`/exams/${exam.id}/leaderboard`}
                    aria-label={t('board.openBoardNamed', { title: exam.title })}
                  >
                    {t('board.title')}
                  </Link>
                )}
                {disabled && (
                  <span className="muted">
                    {notYet ? t('exams.notOpenYet') : t('exams.closed')}
                  </span>
                )}
                <button
                  type="button"
                  className={`btn ${exam.myStatus === 'NOT_STARTED' || exam.myStatus === 'IN_PROGRESS' ? 'btn--primary' : 'btn--secondary'}`}
                  disabled={disabled}
                  aria-label={`${action}: ${exam.title}`}
                  onClick={() => open(exam)}
                >
                  {action}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {starting && (
        <TokenDialog
          exam={starting}
          onClose={() => setStarting(null)}
          onStarted={(sessionId) => navigate(`/session/${sessionId}`)}
        />
      )}
    </>
  );
}

function TokenDialog({
  exam,
  onClose,
  onStarted,
}: {
  exam: MyExam;
  onClose: () => void;
  onStarted: (sessionId: string) => void;
}) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function start(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const view = await studentApi.start(exam.id, token.trim().toUpperCase());
      stashSessionView(view);
      onStarted(view.sessionId);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('token.title')} onClose={onClose} size="sm">
      <form className="stack" onSubmit={start}>
        <p className="muted">{t('token.hint', { title: exam.title })}</p>
        <ul className="checklist">
          <li>{t('token.rule1', { n: exam.durationMinutes })}</li>
          <li>{t('token.rule2')}</li>
          <li>{t('token.rule3')}</li>
        </ul>
        <div className="field">
          <label htmlFor="entry-token">{t('token.label')}</label>
          <input
            id="entry-token"
            className="input--token"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={12}
            autoFocus
            value={token}
            onChange={(e) => {
              setToken(e.target.value.toUpperCase());
              setError(null);
            }}
          />
        </div>
        <ErrorNote error={error} />
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy || token.trim().length === 0}
          >
            {busy ? t('token.starting') : t('token.start')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

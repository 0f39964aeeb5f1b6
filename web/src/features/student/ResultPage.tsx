import { Link, useParams } from 'react-router-dom';
import { studentApi } from '../../api/student';
import type { SessionResult } from '../../api/types';
import { ErrorNote, Loading, StatusBadge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { takeResult } from './runner/session-cache';

export function ResultPage() {
  const { sessionId = '' } = useParams();
  const { t, formatDateTime, formatNumber } = useI18n();
  const result = useAsync<SessionResult>(async () => takeResult(sessionId) ?? (await studentApi.result(sessionId)), [sessionId]);
  const r = result.data;
  const hasScore = r?.score !== undefined && r?.score !== null;
  const pct = r?.percentage ?? (hasScore && r?.maxScore ? ((r.score ?? 0) / r.maxScore) * 100 : null);

  return (
    <div className="result">
      {result.loading && !r && <Loading />}
      <ErrorNote error={result.error} onRetry={result.reload} />
      {r && (
        <section className="result-card" aria-labelledby="result-title">
          <div className="result-card__check" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="30" height="30">
              <path d="M5 12.5l4.2 4.2L19 7" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </div>
          <h1 id="result-title" className="result-card__title">
            {t('result.title')}
          </h1>
          <p className="muted">
            {t('result.submittedAt', { at: formatDateTime(r.submittedAt) })} · <StatusBadge status={r.status} />
          </p>

          {hasScore ? (
            <>
              <div className="score" role="group" aria-label={t('result.score')}>
                <div className="score__ring" style={{ ['--pct' as string]: `${Math.max(0, Math.min(100, pct ?? 0))}` }}>
                  <span className="score__pct">{pct !== null ? `${formatNumber(pct, 1)}%` : '—'}</span>
                </div>
                <dl className="score__facts">
                  <div>
                    <dt>{t('result.score')}</dt>
                    <dd data-testid="result-score">
                      {formatNumber(r.score ?? 0, 2)} / {formatNumber(r.maxScore ?? 0, 2)}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('result.graded')}</dt>
                    <dd>{r.gradedCount ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>{t('result.pending')}</dt>
                    <dd>{r.pendingCount ?? 0}</dd>
                  </div>
                </dl>
              </div>
              {(r.pendingCount ?? 0) > 0 && <p className="note note--info">{t('result.pendingNote')}</p>}
              {r.breakdown && r.breakdown.length > 0 && (
                <section aria-labelledby="breakdown-title" className="breakdown">
                  <h2 id="breakdown-title" className="section-title">
                    {t('result.breakdown')}
                  </h2>
                  <ol className="breakdown__list">
                    {r.breakdown.map((item, i) => (
                      <li
                        key={item.questionId}
                        className={`breakdown__item breakdown__item--${item.correct === null ? 'pending' : item.correct ? 'ok' : 'bad'}`}
                      >
                        <span className="breakdown__n">{i + 1}</span>
                        <span className="breakdown__verdict">
                          {item.correct === null ? t('result.awaiting') : item.correct ? t('result.correct') : t('result.incorrect')}
                        </span>
                        <span className="breakdown__points">{t('runner.points', { n: formatNumber(item.points ?? 0, 2) })}</span>
                      </li>
                    ))}
                  </ol>
                </section>
              )}
            </>
          ) : (
            <p className="note note--info">
              {r.resultAvailableAt ? t('result.later', { at: formatDateTime(r.resultAvailableAt) }) : t('result.laterTeacher')}
            </p>
          )}
          <Link className="btn btn--secondary" to="/exams">
            {t('result.back')}
          </Link>
        </section>
      )}
    </div>
  );
}

import { Link, useParams } from 'react-router-dom';
import { studentApi } from '../../api/student';
import type { BreakdownItem, SessionResult } from '../../api/types';
import { ErrorNote, Loading, StatusBadge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { stripHtml } from '../../lib/time';
import { useAsync } from '../../lib/use-async';
import { RankPanel } from '../leaderboards/RankPanel';
import { takeResult } from './runner/session-cache';

export function ResultPage() {
  const { sessionId = '' } = useParams();
  const { t, formatDateTime, formatNumber } = useI18n();
  const result = useAsync<SessionResult>(
    async () => takeResult(sessionId) ?? (await studentApi.result(sessionId)),
    [sessionId],
  );
  // The session view gives the breakdown the student's own question order and a reminder of each question.
  const view = useAsync(() => studentApi.session(sessionId).catch(() => null), [sessionId]);
  const r = result.data;
  const breakdown: (BreakdownItem & { n: number; excerpt: string })[] = (() => {
    const items = r?.breakdown ?? [];
    const order = view.data?.questions ?? [];
    const position = new Map(order.map((q, i) => [q.id, i]));
    return items
      .map((item, i) => {
        const at = position.get(item.questionId);
        const q = at === undefined ? undefined : order[at];
        return {
          ...item,
          n: at === undefined ? i + 1 : at + 1,
          excerpt: q ? stripHtml(q.text) : '',
        };
      })
      .sort((a, b) => a.n - b.n);
  })();
  const hasScore = r?.score !== undefined && r?.score !== null;
  const pct =
    r?.percentage ?? (hasScore && r?.maxScore ? ((r.score ?? 0) / r.maxScore) * 100 : null);

  return (
    <div className="result">
      {result.loading && !r && <Loading />}
      <ErrorNote error={result.error} onRetry={result.reload} />
      {r && (
        <section className="result-card" aria-labelledby="result-title">
          <div className="result-card__check" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="30" height="30">
              <path
                d="M5 12.5l4.2 4.2L19 7"
                fill="none"
                stroke="currentColor"
                strokeWidth="2.6"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
          </div>
          <h1 id="result-title" className="result-card__title">
            {t('result.title')}
          </h1>
          <p className="muted">
            {t('result.submittedAt', { at: formatDateTime(r.submittedAt) })} ·{' '}
            <StatusBadge status={r.status} />
          </p>

          {hasScore ? (
            <>
              <div className="score" role="group" aria-label={t('result.score')}>
                <div
                  className="score__ring"
                  style={{ ['--pct' as string]: `${Math.max(0, Math.min(100, pct ?? 0))}` }}
                >
                  <span className="score__pct">
                    {pct !== null ? `${formatNumber(pct, 1)}%` : '—'}
                  </span>
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
              {r.rank !== undefined && r.rankTotal !== undefined && (
                <RankPanel
                  rank={r.rank}
                  total={r.rankTotal}
                  percentile={r.percentile}
                  examId={view.data?.examId}
                />
              )}
              {(r.pendingCount ?? 0) > 0 && (
                <p className="note note--info">{t('result.pendingNote')}</p>
              )}
              {breakdown.length > 0 && (
                <section aria-labelledby="breakdown-title" className="breakdown">
                  <h2 id="breakdown-title" className="section-title">
                    {t('result.breakdown')}
                  </h2>
                  <ol className="breakdown__list">
                    {breakdown.map((item) => (
                      <li
                        key={item.questionId}
                        className={`breakdown__item breakdown__item--${item.correct === null ? 'pending' : item.correct ? 'ok' : 'bad'}`}
                      >
                        <span
                          className="breakdown__n"
                          aria-label={t('submit.questionN', { n: item.n })}
                        >
                          {item.n}
                        </span>
                        <span className="breakdown__body">
                          <span className="breakdown__verdict">
                            {item.correct === null
                              ? t('result.awaiting')
                              : item.correct
                                ? t('result.correct')
                                : t('result.incorrect')}
                          </span>
                          {item.excerpt && (
                            <span className="breakdown__excerpt">{item.excerpt}</span>
                          )}
                        </span>
                        <span className="breakdown__points">
                          {item.pending ? '—' : formatNumber(item.points ?? 0, 2)}
                          {item.maxPoints !== undefined
                            ? ` / ${formatNumber(item.maxPoints, 2)}`
                            : ''}
                        </span>
                      </li>
                    ))}
                  </ol>
                </section>
              )}
            </>
          ) : (
            <p className="note note--info">
              {r.resultAvailableAt
                ? t('result.later', { at: formatDateTime(r.resultAvailableAt) })
                : t('result.laterTeacher')}
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

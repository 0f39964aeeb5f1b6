import { Link } from 'react-router-dom';
import { useI18n } from '../../i18n/i18n';
import { rankLine } from './board';

/** "Your rank" on a result: the live rank among the exam's ranked results, and the way to the board. */
export function RankPanel({
  rank,
  total,
  percentile,
  examId,
}: {
  rank: number;
  total: number;
  percentile: number | undefined;
  /** known once the session view has loaded; the link waits for it */
  examId: string | undefined;
}) {
  const { t, lang } = useI18n();
  const line = rankLine({ rank, total, percentile: percentile ?? 0 }, lang);
  return (
    <section className="rank-panel" aria-labelledby="rank-title">
      <div>
        <h2 id="rank-title" className="rank-panel__title">
          {t('rank.title')}
        </h2>
        <p className="rank-panel__line" data-testid="result-rank">
          {t(line.key, line.vars)}
        </p>
      </div>
      {examId && (
        <Link className="btn btn--secondary btn--sm" to={`/exams/${examId}/leaderboard`}>
          {t('rank.seeBoard')}
        </Link>
      )}
    </section>
  );
}

import { Link, useParams } from 'react-router-dom';
import { itemsOf } from '../../api/http';
import { leaderboardApi } from '../../api/leaderboards';
import { EmptyState, ErrorNote, Loading, PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { parseCohort, studentCohortParam } from '../leaderboards/board';
import { BoardView, CohortSwitcher } from '../leaderboards/BoardView';
import { useCohortParam } from '../leaderboards/use-cohort-param';
import { useLiveBoard } from '../leaderboards/use-live-board';
import { BOARD_AROUND, BOARD_TOP } from './LeaderboardPage';

/** The series a student is part of: try-out seasons and test bundles over several exams. */
export function SeriesListPage() {
  const { t } = useI18n();
  const series = useAsync(async () => itemsOf(await leaderboardApi.mySeries()), []);
  const list = series.data ?? [];
  return (
    <>
      <PageHeader title={t('series.title')} subtitle={t('series.subtitle')} />
      {series.loading && !series.data && <Loading />}
      <ErrorNote error={series.error} onRetry={series.reload} />
      {series.data && list.length === 0 && <EmptyState title={t('series.none')} />}
      <ul className="exam-cards" aria-label={t('series.title')}>
        {list.map((s) => (
          <li key={s.id} className="exam-card">
            <div className="exam-card__head">
              <h2 className="exam-card__title">{s.title}</h2>
            </div>
            <p className="muted small">{t('series.examCount', { n: s.exams.length })}</p>
            <ul className="series-exams">
              {s.exams.map((exam) => (
                <li key={exam.id}>{exam.title}</li>
              ))}
            </ul>
            <div className="exam-card__foot">
              <Link
                className="btn btn--secondary"
                to={`/series/${s.id}`}
                aria-label={t('series.viewBoardNamed', { title: s.title })}
              >
                {t('series.viewBoard')}
              </Link>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A series' board: each student's percentages summed over its exams (no socket: it changes slowly). */
export function SeriesBoardPage() {
  const { seriesId = '' } = useParams();
  const { t } = useI18n();
  const [cohort, choose] = useCohortParam(parseCohort, studentCohortParam);
  const state = useLiveBoard({
    key: `${seriesId}|${cohort}`,
    load: () => leaderboardApi.series(seriesId, { top: BOARD_TOP, around: BOARD_AROUND, cohort }),
    watch: null,
  });

  return (
    <>
      <PageHeader
        title={state.board?.title ?? t('series.title')}
        subtitle={<Link to="/series">← {t('series.title')}</Link>}
        actions={
          <button type="button" className="btn btn--ghost btn--sm" onClick={state.reload}>
            {t('board.refresh')}
          </button>
        }
      />
      <div className="stack">
        <p className="muted">{t('series.scoreNote')}</p>
        <CohortSwitcher value={cohort} onChange={choose} series />
        <BoardView state={state} series notFound="series.notFound" />
      </div>
    </>
  );
}

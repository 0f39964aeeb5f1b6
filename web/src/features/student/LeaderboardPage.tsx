import { Link, useParams } from 'react-router-dom';
import { leaderboardApi } from '../../api/leaderboards';
import { PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { parseCohort, studentCohortParam } from '../leaderboards/board';
import { BoardView, CohortSwitcher, LiveStatus } from '../leaderboards/BoardView';
import { useCohortParam } from '../leaderboards/use-cohort-param';
import { useLiveBoard } from '../leaderboards/use-live-board';

export const BOARD_TOP = 100;
export const BOARD_AROUND = 5;

/** One exam's board for a student: live while the page is open, in the cohort they choose. */
export function LeaderboardPage() {
  const { examId = '' } = useParams();
  const { t } = useI18n();
  const [cohort, choose] = useCohortParam(parseCohort, studentCohortParam);
  const state = useLiveBoard({
    key: `${examId}|${cohort}`,
    load: () => leaderboardApi.exam(examId, { top: BOARD_TOP, around: BOARD_AROUND, cohort }),
    watch: { examId, cohort },
  });

  return (
    <>
      <PageHeader
        title={state.board ? t('board.titleOf', { title: state.board.title }) : t('board.title')}
        subtitle={<Link to="/exams">← {t('result.back')}</Link>}
        actions={
          <>
            {state.board && <LiveStatus live={state.live} board={state.board} />}
            <button type="button" className="btn btn--ghost btn--sm" onClick={state.reload}>
              {t('board.refresh')}
            </button>
          </>
        }
      />
      <div className="stack">
        <CohortSwitcher value={cohort} onChange={choose} />
        <BoardView state={state} />
      </div>
    </>
  );
}

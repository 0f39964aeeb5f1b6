import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import { staffLeaderboardApi, type StaffFilter } from '../../api/leaderboards';
import type { LeaderboardVisibility } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { FilterSelect, Toolbar } from '../../components/DataTable';
import { useToast } from '../../components/Toast';
import { PageHeader, StatusBadge, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/en';
import { useAsync } from '../../lib/use-async';
import { filterChoices, filterValue, parseFilter } from '../leaderboards/board';
import { BoardView, LiveStatus } from '../leaderboards/BoardView';
import { useCohortParam } from '../leaderboards/use-cohort-param';
import { useLiveBoard } from '../leaderboards/use-live-board';

const TOP = 100;

const visibilityKey: Record<LeaderboardVisibility, MessageKey> = {
  staff: 'builder.leaderboardStaff',
  students: 'builder.leaderboardStudents',
  anonymous: 'builder.leaderboardAnonymous',
};

/** The cohort a staff board ranks, kept in the URL (`?cohort=class:<id>`) so it survives a reload. */
function useStaffFilter(): [StaffFilter, (filter: StaffFilter) => void] {
  return useCohortParam(parseFilter, filterValue);
}

/** Whole exam, one class, one grade or one major: the classes list says which there are. */
function CohortFilter({
  value,
  onChange,
  series = false,
}: {
  value: StaffFilter;
  onChange: (filter: StaffFilter) => void;
  series?: boolean;
}) {
  const { t } = useI18n();
  const classes = useAsync(async () => itemsOf(await adminApi.classes.list()), []);
  const choices = filterChoices(classes.data ?? []);
  return (
    <FilterSelect
      id="board-cohort"
      label={t('staffBoard.filter')}
      value={filterValue(value)}
      onChange={(v) => onChange(parseFilter(v))}
    >
      <option value="">{series ? t('staffBoard.wholeSeries') : t('staffBoard.wholeExam')}</option>
      {choices.classes.length > 0 && (
        <optgroup label={t('staffBoard.classes')}>
          {choices.classes.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </optgroup>
      )}
      {choices.grades.length > 0 && (
        <optgroup label={t('staffBoard.grades')}>
          {choices.grades.map((g) => (
            <option key={g.value} value={g.value}>
              {t('builder.gradeN', { n: g.grade })}
            </option>
          ))}
        </optgroup>
      )}
      {choices.majors.length > 0 && (
        <optgroup label={t('staffBoard.majors')}>
          {choices.majors.map((m) => (
            <option key={m.value} value={m.value}>
              {t('staffBoard.majorX', { major: m.major })}
            </option>
          ))}
        </optgroup>
      )}
    </FilterSelect>
  );
}

/** An exam's board for staff: names always shown, live, narrowed to a cohort, rebuildable. */
export function ExamBoardPage() {
  const { examId = '' } = useParams();
  const { t } = useI18n();
  const toast = useToast();
  const [confirm, confirmElement] = useConfirm();
  const [filter, setFilter] = useStaffFilter();
  const [rebuilding, setRebuilding] = useState(false);
  const exam = useAsync(() => adminApi.exams.get(examId), [examId]);
  const state = useLiveBoard({
    key: `${examId}|${filterValue(filter)}`,
    load: () => staffLeaderboardApi.exam(examId, filter, TOP),
    // the socket carries the whole exam's board; a narrower one is fetched again on each change
    watch: { examId },
    reloadOnFrame: filter.kind !== 'exam',
  });

  async function rebuild() {
    const ok = await confirm({
      title: t('staffBoard.rebuildTitle'),
      body: <p>{t('staffBoard.rebuildBody')}</p>,
      confirmLabel: t('staffBoard.rebuild'),
    });
    if (!ok) return;
    setRebuilding(true);
    try {
      const done = await staffLeaderboardApi.rebuild(examId);
      toast.show(t('staffBoard.rebuilt', { n: done.ranked, ms: done.tookMs }), 'success');
      state.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    } finally {
      setRebuilding(false);
    }
  }

  const setting = exam.data?.leaderboard;
  return (
    <>
      <PageHeader
        title={t('board.title')}
        subtitle={
          <span className="row">
            <Link to={`/admin/exams/${examId}`}>← {exam.data?.title ?? t('examsAdmin.title')}</Link>
            {exam.data && <StatusBadge status={exam.data.status} />}
            {setting?.enabled && (
              <span className="muted">
                {t('staffBoard.visibility', { v: t(visibilityKey[setting.visibility]) })}
              </span>
            )}
          </span>
        }
        actions={
          <>
            {state.board && <LiveStatus live={state.live} board={state.board} />}
            <Link className="btn btn--secondary btn--sm" to={`/admin/exams/${examId}/results`}>
              {t('examsAdmin.results')}
            </Link>
            <button
              type="button"
              className="btn btn--secondary btn--sm"
              disabled={rebuilding}
              onClick={() => void rebuild()}
            >
              {rebuilding ? t('staffBoard.rebuilding') : t('staffBoard.rebuild')}
            </button>
          </>
        }
      />
      {confirmElement}
      {setting && !setting.enabled && <p className="note note--info">{t('staffBoard.off')}</p>}
      <Toolbar>
        <CohortFilter value={filter} onChange={setFilter} />
      </Toolbar>
      <BoardView state={state} staff />
    </>
  );
}

/** A series' board for staff: the sum of each student's percentages over its exams. */
export function SeriesBoardPage() {
  const { seriesId = '' } = useParams();
  const { t } = useI18n();
  const [filter, setFilter] = useStaffFilter();
  const series = useAsync(() => staffLeaderboardApi.series.get(seriesId), [seriesId]);
  const state = useLiveBoard({
    key: `${seriesId}|${filterValue(filter)}`,
    load: () => staffLeaderboardApi.series.board(seriesId, filter, TOP),
    watch: null,
  });
  return (
    <>
      <PageHeader
        title={series.data?.title ?? state.board?.title ?? t('seriesAdmin.title')}
        subtitle={<Link to="/admin/series">← {t('seriesAdmin.title')}</Link>}
        actions={
          <button type="button" className="btn btn--secondary btn--sm" onClick={state.reload}>
            {t('board.refresh')}
          </button>
        }
      />
      <div className="stack-sm board-notes">
        {series.data && (
          <p className="muted" data-testid="series-exams">
            {t('seriesAdmin.exams')}: {series.data.exams.map((exam) => exam.title).join(' · ')}
          </p>
        )}
        <p className="muted small">{t('series.scoreNote')}</p>
      </div>
      <Toolbar>
        <CohortFilter value={filter} onChange={setFilter} series />
      </Toolbar>
      <BoardView state={state} series staff />
    </>
  );
}

import { ApiError } from '../../api/api-error';
import type { BoardRow, Cohort, Leaderboard } from '../../api/types';
import { DataTable, type Column } from '../../components/DataTable';
import { Badge, EmptyState, ErrorNote, Loading } from '../../components/ui';
import { useI18n, type Translate } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/en';
import { boardSections, COHORTS, rankLine } from './board';
import type { LiveBoardHook } from './use-live-board';

/**
 * A leaderboard as students and staff both see it: who is ranked, the top list, the rows
 * around the student's own (highlighted), and whether it is live.
 */

/** A board's failure in the reader's words: 403 and 404 say what they mean for a board. */
export function boardErrorText(
  t: Translate,
  err: unknown,
  notFound: MessageKey = 'board.notFound',
): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 403 || err.code === 'FORBIDDEN') return t('board.forbidden');
  if (err.status === 404 || err.code === 'NOT_FOUND') return t(notFound);
  return null;
}

export function BoardError({
  error,
  notFound,
  staff = false,
  onRetry,
}: {
  error: unknown;
  notFound?: MessageKey;
  /** staff read the server's own words: the student sentences do not fit them */
  staff?: boolean;
  onRetry?: () => void;
}) {
  const { t } = useI18n();
  if (!error) return null;
  const text = staff ? null : boardErrorText(t, error, notFound);
  if (!text) return <ErrorNote error={error} onRetry={onRetry} />;
  return (
    <div className="note note--info" role="alert" data-testid="board-error">
      <span>{text}</span>
    </div>
  );
}

export function CohortSwitcher({
  value,
  onChange,
  series = false,
}: {
  value: Cohort;
  onChange: (cohort: Cohort) => void;
  /** on a series board, "everyone" is the whole series */
  series?: boolean;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="segmented board-cohorts">
      <legend className="field__label">{t('board.cohort')}</legend>
      {COHORTS.map((cohort) => (
        <label key={cohort} className={`segmented__item${value === cohort ? ' is-on' : ''}`}>
          <input
            type="radio"
            name="cohort"
            value={cohort}
            checked={value === cohort}
            onChange={() => onChange(cohort)}
          />
          {series && cohort === 'exam' ? t('board.cohort.series') : t(`board.cohort.${cohort}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** "Live" while the socket carries the board; otherwise when it was last fetched. */
export function LiveStatus({ live, board }: { live: boolean; board: Leaderboard | null }) {
  const { t, formatDateTime } = useI18n();
  return (
    <span className="live-dot-wrap muted small" data-testid="board-live">
      <span className={`live-dot${live ? '' : ' live-dot--paused'}`} aria-hidden="true" />
      {live ? t('board.live') : t('board.notLive')}
      {board?.updatedAt && <> · {t('board.updated', { at: formatDateTime(board.updatedAt) })}</>}
    </span>
  );
}

function rowKey(row: BoardRow, index: number) {
  return `${row.rank}-${index}-${row.me ? 'me' : ''}`;
}

function BoardTable({
  caption,
  rows,
  series,
  testId,
}: {
  caption: string;
  rows: BoardRow[];
  series: boolean;
  testId: string;
}) {
  const { t, formatNumber } = useI18n();
  // rows carry no id, and ranks repeat on ties: the position keys them
  const keyed = rows.map((row, index) => ({ row, key: rowKey(row, index) }));
  const columns: Column<{ row: BoardRow; key: string }>[] = [
    {
      key: 'rank',
      header: t('board.rank'),
      className: 'board__rank',
      testId: 'board-rank',
      cell: ({ row }) => row.rank,
    },
    {
      key: 'name',
      header: t('board.name'),
      rowHeader: true,
      testId: 'board-name',
      cell: ({ row }) => (
        <>
          {row.name ?? <span className="muted">{t('board.anonymous')}</span>}
          {row.me && (
            <>
              {' '}
              <Badge tone="accent">{t('board.you')}</Badge>
            </>
          )}
        </>
      ),
    },
    {
      key: 'score',
      header: series ? t('board.seriesScore') : t('board.score'),
      className: 'nowrap',
      testId: 'board-score',
      cell: ({ row }) => formatNumber(row.score, series ? 1 : 2),
    },
  ];
  if (!series)
    columns.push({
      key: 'pct',
      header: t('board.percentage'),
      className: 'nowrap',
      cell: ({ row }) => (
        <span className="pct">
          <span
            className="pct__bar"
            style={{ width: `${Math.max(0, Math.min(100, row.percentage))}%` }}
            aria-hidden="true"
          />
          {formatNumber(row.percentage, 1)}%
        </span>
      ),
    });
  return (
    <DataTable
      caption={caption}
      className="table--board"
      rows={keyed}
      rowKey={(line) => line.key}
      rowTestId={testId}
      rowClassName={({ row }) => (row.me ? 'board-row--me' : undefined)}
      columns={columns}
    />
  );
}

/** The student's own place: rank, total and percentile, or why they are not on it. */
function MyPlace({ board }: { board: Leaderboard }) {
  const { t, lang, formatNumber } = useI18n();
  if (board.me === undefined) return null;
  if (board.me === null) return <p className="note note--info">{t('board.notRanked')}</p>;
  const line = rankLine(
    { rank: board.me.rank, total: board.me.total, percentile: board.me.percentile },
    lang,
  );
  return (
    <section className="card board-me" aria-labelledby="board-me-title">
      <h2 id="board-me-title" className="card__title">
        {t('board.yourPosition')}
      </h2>
      <p className="board-me__line" data-testid="board-me">
        {t(line.key, line.vars)}
      </p>
      <p className="muted small">
        {t('board.myScore', {
          score: formatNumber(board.me.score, 2),
          pct: formatNumber(board.me.percentage, 1),
        })}
      </p>
    </section>
  );
}

export function BoardView({
  state,
  series = false,
  staff = false,
  notFound,
}: {
  state: LiveBoardHook;
  series?: boolean;
  staff?: boolean;
  notFound?: MessageKey;
}) {
  const { t } = useI18n();
  const { board, error, loading } = state;
  if (!board) {
    return (
      <>
        {loading && <Loading />}
        <BoardError error={error} notFound={notFound} staff={staff} onRetry={state.reload} />
      </>
    );
  }
  const sections = boardSections(board);
  return (
    <div className="stack board" data-testid="board">
      <BoardError error={error} notFound={notFound} staff={staff} onRetry={state.reload} />
      <p className="muted" data-testid="board-total">
        {board.cohortLabel
          ? t('board.totalIn', { n: board.total, label: board.cohortLabel })
          : t('board.total', { n: board.total })}
      </p>
      <MyPlace board={board} />
      {board.top.length === 0 ? (
        <EmptyState title={t('board.empty')}>{t('board.emptyHint')}</EmptyState>
      ) : (
        <section aria-labelledby="board-top-title" className="stack-sm">
          <h2 id="board-top-title" className="section-title">
            {t('board.top', { n: board.top.length })}
          </h2>
          <BoardTable
            caption={t('board.topCaption', { title: board.title })}
            rows={sections.top}
            series={series}
            testId="board-top-row"
          />
        </section>
      )}
      {sections.around && (
        <section aria-labelledby="board-around-title" className="stack-sm">
          <h2 id="board-around-title" className="section-title">
            {t('board.around')}
          </h2>
          <BoardTable
            caption={t('board.aroundCaption', { title: board.title })}
            rows={sections.around}
            series={series}
            testId="board-around-row"
          />
        </section>
      )}
    </div>
  );
}

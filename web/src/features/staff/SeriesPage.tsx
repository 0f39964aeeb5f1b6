import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import { staffLeaderboardApi } from '../../api/leaderboards';
import type { Series } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { DataTable, SearchField } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import {
  EmptyState,
  ErrorNote,
  Loading,
  PageHeader,
  StatusBadge,
  errorText,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { SERIES_MAX_TITLE, seriesProblems } from '../leaderboards/board';

/** Series: several exams ranked together (a try-out season, a mock-test bundle). */
export function SeriesPage() {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const [confirm, confirmElement] = useConfirm();
  const [creating, setCreating] = useState(false);
  const series = useAsync(async () => itemsOf(await staffLeaderboardApi.series.list()), []);
  const list = [...(series.data ?? [])].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );

  async function remove(s: Series) {
    const ok = await confirm({
      title: t('seriesAdmin.deleteTitle', { title: s.title }),
      body: <p>{t('seriesAdmin.deleteBody')}</p>,
      confirmLabel: t('common.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await staffLeaderboardApi.series.remove(s.id);
      toast.show(t('seriesAdmin.deleted', { title: s.title }), 'success');
      series.setData((prev) => (prev ?? []).filter((item) => item.id !== s.id));
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  return (
    <>
      <PageHeader
        title={t('seriesAdmin.title')}
        subtitle={t('seriesAdmin.subtitle')}
        actions={
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            {t('seriesAdmin.new')}
          </button>
        }
      />
      {confirmElement}
      <DataTable
        caption={t('seriesAdmin.title')}
        rows={series.data && list}
        rowKey={(s) => s.id}
        loading={series.loading && !series.data}
        error={series.error}
        onRetry={series.reload}
        empty={t('seriesAdmin.none')}
        columns={[
          {
            key: 'title',
            header: t('seriesAdmin.name'),
            rowHeader: true,
            cell: (s) => <Link to={`/admin/series/${s.id}`}>{s.title}</Link>,
          },
          {
            key: 'exams',
            header: t('seriesAdmin.exams'),
            cell: (s) => (
              <>
                <span className="cell-main">{t('series.examCount', { n: s.exams.length })}</span>
                <span className="cell-sub">{s.exams.map((exam) => exam.title).join(' · ')}</span>
              </>
            ),
          },
          {
            key: 'created',
            header: t('seriesAdmin.createdAt'),
            className: 'small nowrap',
            cell: (s) => formatDateTime(s.createdAt),
          },
        ]}
        actions={(s) => (
          <>
            <Link
              className="btn btn--ghost btn--sm"
              to={`/admin/series/${s.id}`}
              aria-label={t('series.viewBoardNamed', { title: s.title })}
            >
              {t('series.viewBoard')}
            </Link>
            <button
              type="button"
              className="btn btn--ghost btn--sm btn--danger-text"
              aria-label={t('seriesAdmin.deleteNamed', { title: s.title })}
              onClick={() => void remove(s)}
            >
              {t('common.delete')}
            </button>
          </>
        )}
      />
      {creating && (
        <CreateSeriesDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            toast.show(t('seriesAdmin.created', { title: created.title }), 'success');
            series.setData((prev) => [created, ...(prev ?? []).filter((s) => s.id !== created.id)]);
          }}
        />
      )}
    </>
  );
}

function CreateSeriesDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (series: Series) => void;
}) {
  const { t } = useI18n();
  const exams = useAsync(async () => itemsOf(await adminApi.exams.list()), []);
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [needle, setNeedle] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problems = seriesProblems({ title, examIds: chosen });
  const all = [...(exams.data ?? [])].sort(
    (a, b) => Date.parse(b.scheduledStart) - Date.parse(a.scheduledStart),
  );
  const shown = all.filter((exam) =>
    exam.title.toLowerCase().includes(needle.trim().toLowerCase()),
  );

  function toggle(examId: string, on: boolean) {
    setChosen((prev) => (on ? [...prev, examId] : prev.filter((id) => id !== examId)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (problems.length > 0) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(await staffLeaderboardApi.series.create({ title: title.trim(), examIds: chosen }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('seriesAdmin.new')} onClose={onClose} size="md">
      <form className="stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="series-title">{t('seriesAdmin.name')}</label>
          <input
            id="series-title"
            value={title}
            maxLength={SERIES_MAX_TITLE + 1}
            placeholder={t('seriesAdmin.titlePlaceholder')}
            aria-invalid={tried && problems.some((p) => p === 'needTitle' || p === 'titleTooLong')}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <fieldset className="stack-sm series-picker">
          <legend className="field__label">
            {t('seriesAdmin.chooseExams')}{' '}
            <span className="muted small">({t('seriesAdmin.selected', { n: chosen.length })})</span>
          </legend>
          {exams.loading && !exams.data && <Loading />}
          <ErrorNote error={exams.error} onRetry={exams.reload} />
          {exams.data && all.length === 0 && <EmptyState title={t('seriesAdmin.noExams')} />}
          {all.length > 0 && (
            <>
              <SearchField
                id="series-filter"
                label={t('seriesAdmin.filterExams')}
                value={needle}
                onChange={setNeedle}
              />
              <ul className="series-picker__list">
                {shown.map((exam) => (
                  <li key={exam.id}>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={chosen.includes(exam.id)}
                        onChange={(e) => toggle(exam.id, e.target.checked)}
                      />
                      <span>{exam.title}</span> <StatusBadge status={exam.status} />
                    </label>
                  </li>
                ))}
              </ul>
              {shown.length === 0 && <p className="muted small">{t('seriesAdmin.noMatch')}</p>}
            </>
          )}
        </fieldset>
        {tried && problems.length > 0 && (
          <ul className="problems" role="alert" aria-label={t('seriesAdmin.problems')}>
            {problems.map((p) => (
              <li key={p}>{t(`seriesAdmin.${p}`)}</li>
            ))}
          </ul>
        )}
        <ErrorNote error={error} />
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? t('seriesAdmin.creating') : t('seriesAdmin.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

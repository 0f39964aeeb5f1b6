import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { MonitorRow } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { DataTable } from '../../components/DataTable';
import { useToast } from '../../components/Toast';
import { PageHeader, StatusBadge, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { downloadFile } from '../../api/download';
import { useAsync } from '../../lib/use-async';
import { PaperDialog } from './PaperDialog';
import { StudentCell, rowSession, rowStudent } from './MonitorPage';

export function ResultsPage() {
  const { examId = '' } = useParams();
  const { t, formatNumber, formatDateTime } = useI18n();
  const toast = useToast();
  const exam = useAsync(() => adminApi.exams.get(examId), [examId]);
  const rows = useAsync(async () => itemsOf(await adminApi.exams.sessions(examId)), [examId]);
  const [busy, setBusy] = useState<string | null>(null);
  const [paper, setPaper] = useState<MonitorRow | null>(null);
  const [confirm, confirmElement] = useConfirm();

  async function release() {
    const ok = await confirm({
      title: t('results.releaseTitle'),
      body: <p>{t('results.releaseBody')}</p>,
      confirmLabel: t('results.release'),
    });
    if (!ok) return;
    try {
      await adminApi.exams.releaseResults(examId);
      toast.show(t('results.released'), 'success');
      exam.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  const pctOf = (r: MonitorRow) =>
    r.score !== null && r.maxScore ? (r.score / r.maxScore) * 100 : null;
  const list = [...(rows.data ?? [])].sort((a, b) => (pctOf(b) ?? -1) - (pctOf(a) ?? -1));
  // final scores only: a paper awaiting review has a partial score
  const scored = list.filter((r) => r.status === 'SCORED' && pctOf(r) !== null);
  const pcts = scored.map((r) => pctOf(r)!);
  const avg = pcts.length ? pcts.reduce((a, b) => a + b, 0) / pcts.length : null;
  const fileBase = (exam.data?.title ?? 'results').replace(/[^\w-]+/g, '_');

  async function get(format: 'csv' | 'xlsx') {
    setBusy(format);
    try {
      await downloadFile(adminApi.exams.resultsUrl(examId, format), `${fileBase}.${format}`);
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageHeader
        title={t('results.title')}
        subtitle={
          <span className="row">
            <Link to={`/admin/exams/${examId}`}>← {exam.data?.title ?? t('examsAdmin.title')}</Link>
            {exam.data && <StatusBadge status={exam.data.status} />}
          </span>
        }
        actions={
          <>
            <Link className="btn btn--secondary" to={`/admin/exams/${examId}/monitor`}>
              {t('examsAdmin.monitor')}
            </Link>
            {exam.data?.leaderboard.enabled && (
              <Link className="btn btn--secondary" to={`/admin/exams/${examId}/leaderboard`}>
                {t('examsAdmin.leaderboard')}
              </Link>
            )}
            {exam.data?.resultPolicy === 'manual' && (
              <button type="button" className="btn btn--secondary" onClick={() => void release()}>
                {t('results.release')}
              </button>
            )}
            <button
              type="button"
              className="btn btn--secondary"
              disabled={busy !== null}
              onClick={() => void get('csv')}
            >
              {busy === 'csv' ? t('results.preparing') : t('results.csv')}
            </button>
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy !== null}
              onClick={() => void get('xlsx')}
            >
              {busy === 'xlsx' ? t('results.preparing') : t('results.xlsx')}
            </button>
          </>
        }
      />
      <div className="stats">
        <div className="stat-card">
          <span className="stat-card__value">{list.length}</span>
          <span className="stat-card__label">{t('monitor.statTargeted')}</span>
        </div>
        <div className="stat-card stat-card--success">
          <span className="stat-card__value">{scored.length}</span>
          <span className="stat-card__label">{t('results.scored')}</span>
        </div>
        <div className="stat-card">
          <span className="stat-card__value">
            {avg === null ? '—' : `${formatNumber(avg, 1)}%`}
          </span>
          <span className="stat-card__label">{t('monitor.statAverage')}</span>
        </div>
        <div className="stat-card">
          <span className="stat-card__value">
            {pcts.length ? `${formatNumber(Math.max(...pcts), 1)}%` : '—'}
          </span>
          <span className="stat-card__label">{t('results.highest')}</span>
        </div>
      </div>
      {confirmElement}
      <DataTable
        caption={t('results.title')}
        rows={rows.data && list}
        rowKey={(row) => rowSession(row) || row.studentId}
        loading={rows.loading && !rows.data}
        error={rows.error}
        onRetry={rows.reload}
        empty={t('monitor.none')}
        columns={[
          { key: 'rank', header: '#', className: 'muted', cell: (_row, i) => i + 1 },
          {
            key: 'student',
            header: t('monitor.student'),
            rowHeader: true,
            cell: (row) => <StudentCell row={row} />,
          },
          {
            key: 'status',
            header: t('examsAdmin.status'),
            cell: (row) => <StatusBadge status={row.status} />,
          },
          {
            key: 'score',
            header: t('result.score'),
            className: 'nowrap',
            testId: 'results-score',
            cell: (row) =>
              row.score === null
                ? '—'
                : `${formatNumber(row.score, 2)}${row.maxScore ? ` / ${formatNumber(row.maxScore, 2)}` : ''}`,
          },
          {
            key: 'pct',
            header: '%',
            cell: (row) => {
              const pct = pctOf(row);
              if (pct === null) return '—';
              return (
                <span className="pct">
                  <span className="pct__bar" style={{ width: `${pct}%` }} aria-hidden="true" />
                  {formatNumber(pct, 1)}%
                </span>
              );
            },
          },
          {
            key: 'submitted',
            header: t('results.submittedAt'),
            className: 'small',
            cell: (row) => formatDateTime(row.submittedAt),
          },
        ]}
        actions={(row) =>
          row.sessionId &&
          row.status !== 'NOT_STARTED' && (
            <button
              type="button"
              className={`btn btn--sm ${row.status === 'PENDING_REVIEW' ? 'btn--secondary' : 'btn--ghost'}`}
              aria-label={t('monitor.viewPaperNamed', { name: row.studentName })}
              onClick={() => setPaper(row)}
            >
              {t('monitor.viewPaper')}
            </button>
          )
        }
      />
      {paper && (
        <PaperDialog
          sessionId={rowSession(paper)}
          studentName={rowStudent(paper).name}
          onClose={() => setPaper(null)}
          onGraded={rows.reload}
        />
      )}
    </>
  );
}

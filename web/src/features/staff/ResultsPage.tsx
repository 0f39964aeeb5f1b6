import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { MonitorRow } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { useToast } from '../../components/Toast';
import { EmptyState, ErrorNote, Loading, PageHeader, StatusBadge, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { downloadFile } from '../../lib/download';
import { useAsync } from '../../lib/use-async';
import { PaperDialog } from './PaperDialog';
import { rowSession, rowStudent } from './MonitorPage';


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
    const ok = await confirm({ title: t('results.releaseTitle'), body: <p>{t('results.releaseBody')}</p>, confirmLabel: t('results.release') });
    if (!ok) return;
    try {
      await adminApi.exams.releaseResults(examId);
      toast.show(t('results.released'), 'success');
      exam.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  const pctOf = (r: MonitorRow) => (r.score !== null && r.maxScore ? (r.score / r.maxScore) * 100 : null);
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
            {exam.data?.resultPolicy === 'manual' && (
              <button type="button" className="btn btn--secondary" onClick={() => void release()}>
                {t('results.release')}
              </button>
            )}
            <button type="button" className="btn btn--secondary" disabled={busy !== null} onClick={() => void get('csv')}>
              {busy === 'csv' ? t('results.preparing') : t('results.csv')}
            </button>
            <button type="button" className="btn btn--primary" disabled={busy !== null} onClick={() => void get('xlsx')}>
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
          <span className="stat-card__value">{avg === null ? '—' : `${formatNumber(avg, 1)}%`}</span>
          <span className="stat-card__label">{t('monitor.statAverage')}</span>
        </div>
        <div className="stat-card">
          <span className="stat-card__value">{pcts.length ? `${formatNumber(Math.max(...pcts), 1)}%` : '—'}</span>
          <span className="stat-card__label">{t('results.highest')}</span>
        </div>
      </div>
      {confirmElement}
      {rows.loading && !rows.data && <Loading />}
      <ErrorNote error={rows.error} onRetry={rows.reload} />
      {rows.data && list.length === 0 && <EmptyState title={t('monitor.none')} />}
      {list.length > 0 && (
        <div className="card card--flush">
          <div className="table-scroll">
            <table className="table">
              <caption className="sr-only">{t('results.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('monitor.student')}</th>
                  <th scope="col">{t('examsAdmin.status')}</th>
                  <th scope="col">{t('result.score')}</th>
                  <th scope="col">%</th>
                  <th scope="col">{t('results.submittedAt')}</th>
                  <th scope="col" className="table__actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((row, i) => {
                  const s = rowStudent(row);
                  const pct = pctOf(row);
                  return (
                    <tr key={rowSession(row) || s.id}>
                      <td className="muted">{i + 1}</td>
                      <th scope="row">
                        <span className="cell-main">{s.name}</span>
                        <span className="cell-sub">
                          <span className="mono">{s.nisn}</span>
                          {s.className ? ` · ${s.className}` : ''}
                        </span>
                      </th>
                      <td>
                        <StatusBadge status={row.status} />
                      </td>
                      <td className="nowrap" data-testid="results-score">
                        {row.score === null ? '—' : `${formatNumber(row.score, 2)}${row.maxScore ? ` / ${formatNumber(row.maxScore, 2)}` : ''}`}
                      </td>
                      <td>
                        {pct === null ? (
                          '—'
                        ) : (
                          <span className="pct">
                            <span className="pct__bar" style={{ width: `${pct}%` }} aria-hidden="true" />
                            {formatNumber(pct, 1)}%
                          </span>
                        )}
                      </td>
                      <td className="small">{formatDateTime(row.submittedAt)}</td>
                      <td className="table__actions">
                        {row.sessionId && row.status !== 'NOT_STARTED' && (
                          <button
                            type="button"
                            className={`btn btn--sm ${row.status === 'PENDING_REVIEW' ? 'btn--secondary' : 'btn--ghost'}`}
                            aria-label={t('monitor.viewPaperNamed', { name: s.name })}
                            onClick={() => setPaper(row)}
                          >
                            {t('monitor.viewPaper')}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {paper && <PaperDialog sessionId={rowSession(paper)} studentName={rowStudent(paper).name} onClose={() => setPaper(null)} onGraded={rows.reload} />}
    </>
  );
}

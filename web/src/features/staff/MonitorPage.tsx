import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import type { ExamMonitor, MonitorRow } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { DataTable, FilterSelect, SearchField, Toolbar } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import {
  Badge,
  EmptyState,
  ErrorNote,
  PageHeader,
  StatusBadge,
  errorText,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { formatCountdown, relativeSeconds } from '../../lib/time';
import { useAsync } from '../../lib/use-async';
import { PaperDialog } from './PaperDialog';

const REFRESH_MS = 5_000;

export function rowStudent(row: MonitorRow) {
  return { id: row.studentId, name: row.studentName, nisn: row.nisn, className: row.className };
}
export const rowSession = (row: MonitorRow) => row.sessionId ?? '';

/** The student a row is about: the name, then NISN and class. */
export function StudentCell({ row }: { row: MonitorRow }) {
  const s = rowStudent(row);
  return (
    <>
      <span className="cell-main">{s.name}</span>
      <span className="cell-sub">
        <span className="mono">{s.nisn}</span>
        {s.className ? ` · ${s.className}` : ''}
      </span>
    </>
  );
}

export function MonitorPage() {
  const { examId = '' } = useParams();
  const { t, formatNumber, formatTime } = useI18n();
  const toast = useToast();
  const [confirm, confirmElement] = useConfirm();
  const exam = useAsync(() => adminApi.exams.get(examId), [examId]);
  const [monitor, setMonitor] = useState<ExamMonitor | null>(null);
  // serverNow − clientNow, so "time left" matches what the student sees
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const [statusFilter, setStatusFilter] = useState('');
  const [extending, setExtending] = useState<MonitorRow | null>(null);
  const [paper, setPaper] = useState<MonitorRow | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const load = async () => {
      try {
        const data = await adminApi.exams.sessions(examId);
        if (!alive) return;
        setMonitor(data);
        if (data.serverNow) setOffset(Date.parse(data.serverNow) - Date.now());
        setError(null);
        setUpdatedAt(Date.now());
      } catch (err) {
        if (alive) setError(err);
      }
      if (alive && !paused) timer = window.setTimeout(load, REFRESH_MS);
    };
    void load();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [examId, paused, tick]);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);

  const rows = monitor?.items ?? null;
  const questionCount = monitor?.questionCount ?? exam.data?.questions?.length ?? 0;
  const counts = useMemo(() => {
    const c: Record<string, number> = {
      total: 0,
      IN_PROGRESS: 0,
      SUBMITTED: 0,
      SCORED: 0,
      PENDING_REVIEW: 0,
      NOT_STARTED: 0,
    };
    // final scores only: a paper awaiting review has a partial score
    let pctSum = 0;
    let scored = 0;
    for (const r of monitor?.items ?? []) {
      c.total = (c.total ?? 0) + 1;
      c[r.status] = (c[r.status] ?? 0) + 1;
      if (r.status === 'SCORED' && r.score !== null && r.maxScore) {
        pctSum += (r.score / r.maxScore) * 100;
        scored += 1;
      }
    }
    return { n: (k: string) => c[k] ?? 0, avg: scored ? pctSum / scored : null };
  }, [monitor]);

  const visible = (rows ?? [])
    .filter((r) => !statusFilter || r.status === statusFilter)
    .filter((r) => {
      const s = rowStudent(r);
      const needle = search.trim().toLowerCase();
      return !needle || s.name.toLowerCase().includes(needle) || s.nisn.includes(needle);
    })
    .sort((a, b) => rowStudent(a).name.localeCompare(rowStudent(b).name));
  // the clock as each row shows it, worked out once per render
  const lines = visible.map((row) => ({
    row,
    pct: questionCount ? Math.round((row.answeredCount / questionCount) * 100) : 0,
    idle: relativeSeconds(row.lastActivityAt, now + offset),
    left:
      row.endsAt && row.status === 'IN_PROGRESS' ? Date.parse(row.endsAt) - (now + offset) : null,
    signals: row.signalCount ?? 0,
  }));

  async function resetLogin(row: MonitorRow) {
    const s = rowStudent(row);
    const ok = await confirm({
      title: t('students.resetTitle', { name: s.name }),
      body: <p>{t('students.resetBody')}</p>,
      confirmLabel: t('students.reset'),
    });
    if (!ok) return;
    try {
      await adminApi.students.resetLogin(s.id);
      toast.show(t('students.resetDone', { name: s.name }), 'success');
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  return (
    <>
      <PageHeader
        title={t('monitor.title')}
        subtitle={
          <span className="row">
            <Link to={`/admin/exams/${examId}`}>← {exam.data?.title ?? t('examsAdmin.title')}</Link>
            {exam.data && <StatusBadge status={exam.data.status} />}
            {exam.data && (
              <span className="muted">
                {t('builder.token')}: <strong className="mono">{exam.data.entryToken}</strong>
              </span>
            )}
          </span>
        }
        actions={
          <>
            <span className="live-dot-wrap muted small" role="status" aria-live="off">
              <span className={`live-dot${paused ? ' live-dot--paused' : ''}`} aria-hidden="true" />
              {paused
                ? t('monitor.paused')
                : updatedAt
                  ? t('monitor.updated', {
                      n: relativeSeconds(new Date(updatedAt).toISOString(), now) ?? 0,
                    })
                  : t('common.loading')}
            </span>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              aria-pressed={paused}
              onClick={() => setPaused((p) => !p)}
            >
              {paused ? t('monitor.resume') : t('monitor.pause')}
            </button>
            <button
              type="button"
              className="btn btn--secondary btn--sm"
              onClick={() => setTick((n) => n + 1)}
            >
              {t('monitor.refresh')}
            </button>
            <Link className="btn btn--secondary btn--sm" to={`/admin/exams/${examId}/results`}>
              {t('examsAdmin.results')}
            </Link>
          </>
        }
      />
      {confirmElement}

      <div className="stats" aria-label={t('monitor.summary')} role="group">
        <Stat label={t('monitor.statTargeted')} value={counts.n('total')} />
        <Stat label={t('status.NOT_STARTED')} value={counts.n('NOT_STARTED')} />
        <Stat label={t('status.IN_PROGRESS')} value={counts.n('IN_PROGRESS')} tone="info" />
        <Stat
          label={t('monitor.statSubmitted')}
          value={counts.n('SUBMITTED') + counts.n('SCORED') + counts.n('PENDING_REVIEW')}
          tone="success"
        />
        <Stat
          label={t('status.PENDING_REVIEW')}
          value={counts.n('PENDING_REVIEW')}
          tone="warning"
        />
        <Stat
          label={t('monitor.statAverage')}
          value={counts.avg === null ? '—' : `${formatNumber(counts.avg, 1)}%`}
        />
      </div>

      <Toolbar>
        <SearchField
          id="m-search"
          label={t('common.search')}
          value={search}
          onChange={setSearch}
          placeholder={t('students.searchHint')}
        />
        <FilterSelect
          id="m-status"
          label={t('examsAdmin.status')}
          value={statusFilter}
          onChange={setStatusFilter}
        >
          <option value="">{t('monitor.allStatuses')}</option>
          {['NOT_STARTED', 'IN_PROGRESS', 'SUBMITTED', 'SCORED', 'PENDING_REVIEW'].map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}` as 'status.SCORED')}
            </option>
          ))}
        </FilterSelect>
      </Toolbar>

      <DataTable
        caption={t('monitor.title')}
        className="table--monitor"
        rows={rows && lines}
        rowKey={({ row }) => rowSession(row) || row.studentId}
        rowTestId="monitor-row"
        loading={!rows && !error}
        error={error}
        onRetry={() => setTick((n) => n + 1)}
        // a filter that matches nobody shows no table; "no students" is for an exam without any
        empty={
          rows?.length === 0 && (
            <EmptyState title={t('monitor.none')}>{t('monitor.noneHint')}</EmptyState>
          )
        }
        columns={[
          {
            key: 'student',
            header: t('monitor.student'),
            rowHeader: true,
            cell: ({ row }) => <StudentCell row={row} />,
          },
          {
            key: 'status',
            header: t('examsAdmin.status'),
            cell: ({ row }) => <StatusBadge status={row.status} />,
          },
          {
            key: 'progress',
            header: t('monitor.progress'),
            cell: ({ row, pct }) => (
              <>
                <div
                  className="mini-progress"
                  role="progressbar"
                  aria-label={t('monitor.progressOf', { name: row.studentName })}
                  aria-valuemin={0}
                  aria-valuemax={questionCount || 1}
                  aria-valuenow={row.answeredCount}
                >
                  <span className="mini-progress__bar" style={{ width: `${pct}%` }} />
                </div>
                <span className="cell-sub">
                  {row.answeredCount}/{questionCount || '?'}
                </span>
              </>
            ),
          },
          {
            key: 'activity',
            header: t('monitor.lastActivity'),
            className: ({ row, idle }) =>
              row.submittedAt
                ? 'nowrap'
                : idle !== null && idle > 120 && row.status === 'IN_PROGRESS'
                  ? 'text-warn'
                  : undefined,
            cell: ({ row, idle }) =>
              row.submittedAt ? (
                t('monitor.submittedAt', { at: formatTime(row.submittedAt) })
              ) : (
                <>
                  {idle === null
                    ? '—'
                    : idle < 60
                      ? t('monitor.secondsAgo', { n: idle })
                      : t('monitor.minutesAgo', { n: Math.floor(idle / 60) })}
                  <span className="cell-sub">{formatTime(row.lastActivityAt)}</span>
                </>
              ),
          },
          {
            key: 'left',
            header: t('monitor.timeLeft'),
            className: ({ left }) =>
              left !== null && left < 5 * 60_000 ? 'text-danger mono' : 'mono',
            cell: ({ left }) => (left === null ? '—' : formatCountdown(left)),
          },
          {
            key: 'score',
            header: t('result.score'),
            className: 'nowrap',
            testId: 'monitor-score',
            cell: ({ row }) =>
              row.score === null
                ? '—'
                : `${formatNumber(row.score, 2)}${row.maxScore ? ` / ${formatNumber(row.maxScore, 2)}` : ''}`,
          },
          {
            key: 'signals',
            header: t('monitor.signals'),
            cell: ({ signals }) =>
              signals > 0 ? (
                <Badge tone="warning">{signals}</Badge>
              ) : (
                <span className="muted">0</span>
              ),
          },
        ]}
        actions={({ row }) => (
          <>
            {row.sessionId && row.status === 'IN_PROGRESS' && (
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                aria-label={t('monitor.extendNamed', { name: row.studentName })}
                onClick={() => setExtending(row)}
              >
                {t('monitor.extend')}
              </button>
            )}
            {row.sessionId && row.status !== 'NOT_STARTED' && (
              <button
                type="button"
                className={`btn btn--sm ${row.status === 'PENDING_REVIEW' ? 'btn--secondary' : 'btn--ghost'}`}
                aria-label={t('monitor.viewPaperNamed', { name: row.studentName })}
                onClick={() => setPaper(row)}
              >
                {t('monitor.viewPaper')}
              </button>
            )}
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              aria-label={t('students.resetNamed', { name: row.studentName })}
              onClick={() => void resetLogin(row)}
            >
              {t('students.reset')}
            </button>
          </>
        )}
      />
      {extending && (
        <ExtendDialog
          row={extending}
          onClose={() => setExtending(null)}
          onDone={() => {
            setExtending(null);
            setTick((n) => n + 1);
          }}
        />
      )}
      {paper && (
        <PaperDialog
          sessionId={rowSession(paper)}
          studentName={rowStudent(paper).name}
          onClose={() => setPaper(null)}
          onGraded={() => setTick((n) => n + 1)}
        />
      )}
    </>
  );
}

function Stat({
  label,
  value,
  tone,
}: {
  label: string;
  value: number | string;
  tone?: 'info' | 'success' | 'warning';
}) {
  return (
    <div className={`stat-card${tone ? ` stat-card--${tone}` : ''}`}>
      <span className="stat-card__value">{value}</span>
      <span className="stat-card__label">{label}</span>
    </div>
  );
}

function ExtendDialog({
  row,
  onClose,
  onDone,
}: {
  row: MonitorRow;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [minutes, setMinutes] = useState(5);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = rowStudent(row).name;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await adminApi.sessions.extend(rowSession(row), minutes);
      toast.show(t('monitor.extended', { name, n: minutes }), 'success');
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('monitor.extendTitle', { name })} onClose={onClose} size="sm">
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="extend-minutes">{t('monitor.extraMinutes')}</label>
          <input
            id="extend-minutes"
            type="number"
            min={1}
            max={600}
            required
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
          />
        </div>
        <div className="row">
          {[5, 10, 15, 30].map((n) => (
            <button
              key={n}
              type="button"
              className={`chip${minutes === n ? ' chip--on' : ''}`}
              onClick={() => setMinutes(n)}
            >
              +{n}
            </button>
          ))}
        </div>
        <ErrorNote error={error} />
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !(minutes > 0)}>
            {t('monitor.extend')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

import { Link, useNavigate } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import { DataTable } from '../../components/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';

export function ExamsPage() {
  const { t, formatDateTime } = useI18n();
  const navigate = useNavigate();
  const exams = useAsync(async () => itemsOf(await adminApi.exams.list()), []);
  const list = [...(exams.data ?? [])].sort(
    (a, b) => Date.parse(b.scheduledStart) - Date.parse(a.scheduledStart),
  );

  return (
    <>
      <PageHeader
        title={t('examsAdmin.title')}
        subtitle={t('examsAdmin.subtitle')}
        actions={
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => navigate('/admin/exams/new')}
          >
            {t('examsAdmin.new')}
          </button>
        }
      />
      <DataTable
        caption={t('examsAdmin.title')}
        rows={exams.data && list}
        rowKey={(exam) => exam.id}
        loading={exams.loading && !exams.data}
        error={exams.error}
        onRetry={exams.reload}
        empty={
          <EmptyState title={t('examsAdmin.none')}>
            <Link className="btn btn--primary" to="/admin/exams/new">
              {t('examsAdmin.new')}
            </Link>
          </EmptyState>
        }
        columns={[
          {
            key: 'title',
            header: t('builder.examTitle'),
            rowHeader: true,
            cell: (exam) => <Link to={`/admin/exams/${exam.id}`}>{exam.title}</Link>,
          },
          {
            key: 'status',
            header: t('examsAdmin.status'),
            cell: (exam) => <StatusBadge status={exam.status} />,
          },
          {
            key: 'window',
            header: t('examsAdmin.window'),
            className: 'nowrap small',
            cell: (exam) => (
              <>
                {formatDateTime(exam.scheduledStart)}
                <br />
                <span className="muted">→ {formatDateTime(exam.scheduledEnd)}</span>
              </>
            ),
          },
          {
            key: 'duration',
            header: t('exams.duration'),
            cell: (exam) => t('exams.minutes', { n: exam.durationMinutes }),
          },
          { key: 'questions', header: t('exams.questions'), cell: (exam) => exam.questionCount },
          {
            key: 'token',
            header: t('builder.token'),
            className: 'mono',
            cell: (exam) => exam.entryToken,
          },
        ]}
        actions={(exam) => (
          <>
            <Link
              className="btn btn--ghost btn--sm"
              to={`/admin/exams/${exam.id}`}
              aria-label={t('examsAdmin.editNamed', { title: exam.title })}
            >
              {t('common.edit')}
            </Link>
            {exam.status !== 'DRAFT' && (
              <>
                <Link
                  className="btn btn--ghost btn--sm"
                  to={`/admin/exams/${exam.id}/monitor`}
                  aria-label={t('examsAdmin.monitorNamed', { title: exam.title })}
                >
                  {t('examsAdmin.monitor')}
                </Link>
                <Link
                  className="btn btn--ghost btn--sm"
                  to={`/admin/exams/${exam.id}/results`}
                  aria-label={t('examsAdmin.resultsNamed', { title: exam.title })}
                >
                  {t('examsAdmin.results')}
                </Link>
                {exam.leaderboard.enabled && (
                  <Link
                    className="btn btn--ghost btn--sm"
                    to={`/admin/exams/${exam.id}/leaderboard`}
                    aria-label={t('examsAdmin.leaderboardNamed', { title: exam.title })}
                  >
                    {t('examsAdmin.leaderboard')}
                  </Link>
                )}
              </>
            )}
          </>
        )}
      />
    </>
  );
}

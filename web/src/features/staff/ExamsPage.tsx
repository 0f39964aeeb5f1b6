import { Link, useNavigate } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import { EmptyState, ErrorNote, Loading, PageHeader, StatusBadge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';

export function ExamsPage() {
  const { t, formatDateTime } = useI18n();
  const navigate = useNavigate();
  const exams = useAsync(async () => itemsOf(await adminApi.exams.list()), []);
  const list = [...(exams.data ?? [])].sort((a, b) => Date.parse(b.scheduledStart) - Date.parse(a.scheduledStart));

  return (
    <>
      <PageHeader
        title={t('examsAdmin.title')}
        subtitle={t('examsAdmin.subtitle')}
        actions={
          <button type="button" className="btn btn--primary" onClick={() => navigate('/admin/exams/new')}>
            {t('examsAdmin.new')}
          </button>
        }
      />
      {exams.loading && !exams.data && <Loading />}
      <ErrorNote error={exams.error} onRetry={exams.reload} />
      {exams.data && list.length === 0 && (
        <EmptyState title={t('examsAdmin.none')}>
          <Link className="btn btn--primary" to="/admin/exams/new">
            {t('examsAdmin.new')}
          </Link>
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="card card--flush">
          <div className="table-scroll">
            <table className="table">
              <caption className="sr-only">{t('examsAdmin.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('builder.examTitle')}</th>
                  <th scope="col">{t('examsAdmin.status')}</th>
                  <th scope="col">{t('examsAdmin.window')}</th>
                  <th scope="col">{t('exams.duration')}</th>
                  <th scope="col">{t('exams.questions')}</th>
                  <th scope="col">{t('builder.token')}</th>
                  <th scope="col" className="table__actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((exam) => (
                  <tr key={exam.id}>
                    <th scope="row">
                      <Link to={`/admin/exams/${exam.id}`}>{exam.title}</Link>
                    </th>
                    <td>
                      <StatusBadge status={exam.status} />
                    </td>
                    <td className="nowrap small">
                      {formatDateTime(exam.scheduledStart)}
                      <br />
                      <span className="muted">→ {formatDateTime(exam.scheduledEnd)}</span>
                    </td>
                    <td>{t('exams.minutes', { n: exam.durationMinutes })}</td>
                    <td>{exam.questionCount}</td>
                    <td className="mono">{exam.entryToken}</td>
                    <td className="table__actions">
                      <Link className="btn btn--ghost btn--sm" to={`/admin/exams/${exam.id}`} aria-label={t('examsAdmin.editNamed', { title: exam.title })}>
                        {t('common.edit')}
                      </Link>
                      {exam.status !== 'DRAFT' && (
                        <>
                          <Link className="btn btn--ghost btn--sm" to={`/admin/exams/${exam.id}/monitor`} aria-label={t('examsAdmin.monitorNamed', { title: exam.title })}>
                            {t('examsAdmin.monitor')}
                          </Link>
                          <Link className="btn btn--ghost btn--sm" to={`/admin/exams/${exam.id}/results`} aria-label={t('examsAdmin.resultsNamed', { title: exam.title })}>
                            {t('examsAdmin.results')}
                          </Link>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </>
  );
}

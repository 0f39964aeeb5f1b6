import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { BankQuestion } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { FilterSelect, SearchField, Toolbar } from '../../components/DataTable';
import { ImportDialog } from '../../components/ImportDialog';
import { useToast } from '../../components/Toast';
import { Badge, EmptyState, ErrorNote, Loading, PageHeader, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { stripHtml } from '../../lib/time';
import { downloadFile } from '../../api/download';
import { useAsync } from '../../lib/use-async';

export function kindLabel(t: ReturnType<typeof useI18n>['t'], kind: BankQuestion['kind']): string {
  return kind === 'single'
    ? t('questions.kindSingle')
    : kind === 'multi'
      ? t('questions.kindMulti')
      : t('questions.kindText');
}

export function QuestionsPage() {
  const { t, formatNumber } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const questions = useAsync(async () => itemsOf(await adminApi.questions.list()), []);
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState('');
  const [importing, setImporting] = useState(false);
  const [confirm, confirmElement] = useConfirm();

  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (questions.data ?? [])
      .map((q) => ({ q, plain: stripHtml(q.text) }))
      .filter(
        ({ q, plain }) =>
          (!kind || q.kind === kind) &&
          (!needle ||
            plain.toLowerCase().includes(needle) ||
            q.tags.some((tag) => tag.toLowerCase().includes(needle))),
      );
  }, [questions.data, search, kind]);

  async function exportBank(format: 'csv' | 'xlsx') {
    try {
      await downloadFile(adminApi.questions.exportUrl(format), `question-bank.${format}`);
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  async function remove(q: BankQuestion, plain: string) {
    const ok = await confirm({
      title: t('questions.confirmDelete'),
      body: <p className="muted">{plain.slice(0, 140)}</p>,
      confirmLabel: t('common.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await adminApi.questions.remove(q.id);
      questions.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  return (
    <>
      <PageHeader
        title={t('questions.title')}
        subtitle={questions.data ? t('questions.count', { n: questions.data.length }) : undefined}
        actions={
          <>
            <button type="button" className="btn btn--ghost" onClick={() => void exportBank('csv')}>
              {t('questions.exportCsv')}
            </button>
            <button
              type="button"
              className="btn btn--ghost"
              onClick={() => void exportBank('xlsx')}
            >
              {t('questions.exportXlsx')}
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => setImporting(true)}>
              {t('questions.import')}
            </button>
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => navigate('/admin/questions/new')}
            >
              {t('questions.new')}
            </button>
          </>
        }
      />
      <Toolbar>
        <SearchField
          id="q-search"
          label={t('common.search')}
          value={search}
          onChange={setSearch}
          placeholder={t('questions.searchHint')}
        />
        <FilterSelect id="q-kind" label={t('questions.kind')} value={kind} onChange={setKind}>
          <option value="">{t('questions.allKinds')}</option>
          <option value="single">{t('questions.kindSingle')}</option>
          <option value="multi">{t('questions.kindMulti')}</option>
          <option value="text">{t('questions.kindText')}</option>
        </FilterSelect>
      </Toolbar>
      {questions.loading && !questions.data && <Loading />}
      <ErrorNote error={questions.error} onRetry={questions.reload} />
      {questions.data && filtered.length === 0 && (
        <EmptyState title={t('questions.none')}>
          <Link className="btn btn--primary" to="/admin/questions/new">
            {t('questions.new')}
          </Link>
        </EmptyState>
      )}
      {filtered.length > 0 && (
        <ul className="q-list" aria-label={t('questions.title')}>
          {filtered.map(({ q, plain }) => (
            <li key={q.id} className="q-item">
              <div className="q-item__body">
                <Link to={`/admin/questions/${q.id}`} className="q-item__text">
                  {plain || t('questions.imageOnly')}
                </Link>
                <div className="q-item__meta">
                  <Badge
                    tone={q.kind === 'text' ? 'warning' : q.kind === 'multi' ? 'accent' : 'info'}
                  >
                    {kindLabel(t, q.kind)}
                  </Badge>
                  <span>{t('runner.points', { n: formatNumber(q.points, 2) })}</span>
                  {q.kind !== 'text' && (
                    <span>{t('questions.optionsCount', { n: q.options.length })}</span>
                  )}
                  {q.tags.map((tag) => (
                    <span key={tag} className="tag">
                      #{tag}
                    </span>
                  ))}
                </div>
              </div>
              <div className="q-item__actions">
                <Link
                  className="btn btn--ghost btn--sm"
                  to={`/admin/questions/${q.id}`}
                  aria-label={t('questions.editNamed', { text: plain.slice(0, 40) })}
                >
                  {t('common.edit')}
                </Link>
                <button
                  type="button"
                  className="btn btn--ghost btn--sm btn--danger-text"
                  aria-label={t('questions.deleteNamed', { text: plain.slice(0, 40) })}
                  onClick={() => void remove(q, plain)}
                >
                  {t('common.delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {confirmElement}
      {importing && (
        <ImportDialog
          title={t('questions.importTitle')}
          template={{ url: adminApi.questions.templateUrl, fileName: 'questions-template.csv' }}
          help={
            <>
              {t('questions.importHelp')}{' '}
              <code>kind, text, option_a … option_f, correct, points, explanation, tags</code>
            </>
          }
          onClose={() => setImporting(false)}
          onImport={(file) => adminApi.questions.import(file)}
          onDone={() => questions.reload()}
        />
      )}
    </>
  );
}

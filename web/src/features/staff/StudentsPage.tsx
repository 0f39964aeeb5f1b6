import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { Page, Student } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { DataTable, FilterSelect, SearchField, Toolbar } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { ImportDialog } from '../../components/ImportDialog';
import { useToast } from '../../components/Toast';
import { ErrorNote, PageHeader, errorText } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';

const PAGE_SIZE = 50;

export function StudentsPage() {
  const t = useT();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const classId = params.get('classId') ?? '';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(search);
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<'import' | 'new' | Student | null>(null);
  const [confirm, confirmElement] = useConfirm();

  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(search.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [search]);
  useEffect(() => setPage(1), [query, classId]);

  const classes = useAsync(async () => itemsOf(await adminApi.classes.list()), []);
  const students = useAsync(async () => {
    const res = await adminApi.students.list({
      classId: classId || undefined,
      search: query || undefined,
      page,
      pageSize: PAGE_SIZE,
    });
    return Array.isArray(res)
      ? { items: res, total: res.length, page: 1, pageSize: res.length }
      : (res as Page<Student>);
  }, [classId, query, page]);
  const classById = new Map((classes.data ?? []).map((c) => [c.id, c]));
  const data = students.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / (data.pageSize || PAGE_SIZE))) : 1;

  async function resetLogin(s: Student) {
    const ok = await confirm({
      title: t('students.resetTitle', { name: s.name }),
      body: t('students.resetBody'),
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

  async function remove(s: Student) {
    const ok = await confirm({
      title: t('students.deleteTitle', { name: s.name }),
      confirmLabel: t('common.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await adminApi.students.remove(s.id);
      students.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  return (
    <>
      <PageHeader
        title={t('students.title')}
        subtitle={data ? t('students.count', { n: data.total }) : undefined}
        actions={
          <>
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => setDialog('import')}
            >
              {t('students.import')}
            </button>
            <button type="button" className="btn btn--primary" onClick={() => setDialog('new')}>
              {t('students.new')}
            </button>
          </>
        }
      />
      <Toolbar>
        <FilterSelect
          id="student-class"
          label={t('students.class')}
          value={classId}
          onChange={(value) => {
            const next = new URLSearchParams(params);
            if (value) next.set('classId', value);
            else next.delete('classId');
            setParams(next, { replace: true });
          }}
        >
          <option value="">{t('students.allClasses')}</option>
          {(classes.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </FilterSelect>
        <SearchField
          id="student-search"
          label={t('common.search')}
          value={search}
          onChange={setSearch}
          placeholder={t('students.searchHint')}
        />
      </Toolbar>
      <DataTable
        caption={t('students.title')}
        rows={data?.items}
        rowKey={(s) => s.id}
        loading={students.loading && !data}
        error={students.error}
        onRetry={students.reload}
        empty={t('students.none')}
        pagination={{ page, pages, onPage: setPage }}
        columns={[
          { key: 'nisn', header: t('students.nisn'), className: 'mono', cell: (s) => s.nisn },
          { key: 'name', header: t('students.name'), rowHeader: true, cell: (s) => s.name },
          {
            key: 'class',
            header: t('students.class'),
            cell: (s) => s.className ?? (s.classId ? classById.get(s.classId)?.name : '—') ?? '—',
          },
        ]}
        actions={(s) => (
          <>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              aria-label={t('common.editNamed', { name: s.name })}
              onClick={() => setDialog(s)}
            >
              {t('common.edit')}
            </button>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              aria-label={t('students.resetNamed', { name: s.name })}
              onClick={() => void resetLogin(s)}
            >
              {t('students.reset')}
            </button>
            <button
              type="button"
              className="btn btn--ghost btn--sm btn--danger-text"
              aria-label={t('common.deleteNamed', { name: s.name })}
              onClick={() => void remove(s)}
            >
              {t('common.delete')}
            </button>
          </>
        )}
      />
      {confirmElement}
      {dialog === 'import' && (
        <ImportDialog
          title={t('students.importTitle')}
          template={{ url: adminApi.students.templateUrl, fileName: 'students-template.csv' }}
          help={
            <>
              {t('students.importHelp')} <code>nisn, name, password, class</code>
            </>
          }
          onClose={() => setDialog(null)}
          onImport={(file) => adminApi.students.import(file)}
          onDone={() => students.reload()}
        />
      )}
      {(dialog === 'new' || (dialog && typeof dialog === 'object')) && (
        <StudentDialog
          initial={dialog === 'new' ? null : dialog}
          defaultClassId={classId}
          classes={classes.data ?? []}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            students.reload();
          }}
        />
      )}
    </>
  );
}

function StudentDialog({
  initial,
  defaultClassId,
  classes,
  onClose,
  onSaved,
}: {
  initial: Student | null;
  defaultClassId: string;
  classes: { id: string; name: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const [nisn, setNisn] = useState(initial?.nisn ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [classId, setClassId] = useState(initial?.classId ?? defaultClassId);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (initial) {
        await adminApi.students.update(initial.id, {
          nisn,
          name,
          classId: classId || null,
          ...(password ? { password } : {}),
        });
      } else {
        await adminApi.students.create({ nisn, name, classId: classId || null, password });
      }
      onSaved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      title={initial ? t('students.edit') : t('students.new')}
      onClose={onClose}
      size="sm"
    >
      <form className="stack" onSubmit={save}>
        <div className="field">
          <label htmlFor="s-nisn">{t('students.nisn')}</label>
          <input
            id="s-nisn"
            required
            inputMode="numeric"
            value={nisn}
            onChange={(e) => setNisn(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="s-name">{t('students.name')}</label>
          <input id="s-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="s-class">{t('students.class')}</label>
          <select id="s-class" value={classId} onChange={(e) => setClassId(e.target.value)}>
            <option value="">{t('students.noClass')}</option>
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="s-password">
            {initial ? t('students.newPassword') : t('login.password')}
          </label>
          <input
            id="s-password"
            type="password"
            autoComplete="new-password"
            required={!initial}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorNote error={error} />
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy || !nisn || !name || (!initial && !password)}
          >
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { SchoolClass } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import { ErrorNote, PageHeader, errorText } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';

const ROMAN: Record<number, string> = {
  7: 'VII',
  8: 'VIII',
  9: 'IX',
  10: 'X',
  11: 'XI',
  12: 'XII',
  13: 'XIII',
};
export function suggestClassName(grade: number, major: string, group: number): string {
  return [ROMAN[grade] ?? String(grade), major.trim().toUpperCase(), group]
    .filter(Boolean)
    .join(' ');
}

export function ClassesPage() {
  const t = useT();
  const toast = useToast();
  const classes = useAsync(async () => itemsOf(await adminApi.classes.list()), []);
  const [editing, setEditing] = useState<SchoolClass | 'new' | null>(null);
  const [confirm, confirmElement] = useConfirm();

  async function remove(c: SchoolClass) {
    const ok = await confirm({
      title: t('classes.confirmDelete', { name: c.name }),
      confirmLabel: t('common.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await adminApi.classes.remove(c.id);
      toast.show(t('classes.deleted', { name: c.name }), 'success');
      classes.reload();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    }
  }

  const list = [...(classes.data ?? [])].sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  return (
    <>
      <PageHeader
        title={t('classes.title')}
        subtitle={t('classes.subtitle')}
        actions={
          <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
            {t('classes.new')}
          </button>
        }
      />
      <DataTable
        caption={t('classes.title')}
        rows={classes.data && list}
        rowKey={(c) => c.id}
        loading={classes.loading && !classes.data}
        error={classes.error}
        onRetry={classes.reload}
        empty={t('classes.none')}
        scroll={false}
        columns={[
          {
            key: 'name',
            header: t('classes.name'),
            rowHeader: true,
            cell: (c) => <Link to={`/admin/students?classId=${c.id}`}>{c.name}</Link>,
          },
          { key: 'grade', header: t('classes.grade'), cell: (c) => c.gradeLevel },
          { key: 'major', header: t('classes.major'), cell: (c) => c.majorCode },
          { key: 'group', header: t('classes.group'), cell: (c) => c.groupNumber },
        ]}
        actions={(c) => (
          <>
            <Link
              className="btn btn--ghost btn--sm"
              to={`/admin/students?classId=${c.id}`}
              aria-label={t('classes.studentsOf', { name: c.name })}
            >
              {t('nav.students')}
            </Link>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              aria-label={t('common.editNamed', { name: c.name })}
              onClick={() => setEditing(c)}
            >
              {t('common.edit')}
            </button>
            <button
              type="button"
              className="btn btn--ghost btn--sm btn--danger-text"
              aria-label={t('common.deleteNamed', { name: c.name })}
              onClick={() => void remove(c)}
            >
              {t('common.delete')}
            </button>
          </>
        )}
      />
      {confirmElement}
      {editing && (
        <ClassDialog
          initial={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(c) => {
            setEditing(null);
            toast.show(t('classes.saved', { name: c.name }), 'success');
            classes.reload();
          }}
        />
      )}
    </>
  );
}

function ClassDialog({
  initial,
  onClose,
  onSaved,
}: {
  initial: SchoolClass | null;
  onClose: () => void;
  onSaved: (c: SchoolClass) => void;
}) {
  const t = useT();
  const [grade, setGrade] = useState(initial?.gradeLevel ?? 10);
  const [major, setMajor] = useState(initial?.majorCode ?? '');
  const [group, setGroup] = useState(initial?.groupNumber ?? 1);
  const [name, setName] = useState(initial?.name ?? '');
  const [nameTouched, setNameTouched] = useState(Boolean(initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const shownName = nameTouched ? name : suggestClassName(grade, major, group);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      gradeLevel: grade,
      majorCode: major.trim().toUpperCase(),
      groupNumber: group,
      name: shownName.trim(),
    };
    try {
      const saved = initial
        ? await adminApi.classes.update(initial.id, body)
        : await adminApi.classes.create(body);
      onSaved(saved ?? { ...body, id: initial?.id ?? '' });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog open title={initial ? t('classes.edit') : t('classes.new')} onClose={onClose} size="sm">
      <form className="stack" onSubmit={save}>
        <div className="grid-3">
          <div className="field">
            <label htmlFor="class-grade">{t('classes.grade')}</label>
            <input
              id="class-grade"
              type="number"
              min={1}
              max={13}
              required
              value={grade}
              onChange={(e) => setGrade(Number(e.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor="class-major">{t('classes.major')}</label>
            <input
              id="class-major"
              required
              maxLength={32}
              value={major}
              onChange={(e) => setMajor(e.target.value)}
              placeholder="IPA"
            />
          </div>
          <div className="field">
            <label htmlFor="class-group">{t('classes.group')}</label>
            <input
              id="class-group"
              type="number"
              min={1}
              required
              value={group}
              onChange={(e) => setGroup(Number(e.target.value))}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="class-name">{t('classes.name')}</label>
          <input
            id="class-name"
            required
            value={shownName}
            onChange={(e) => {
              setNameTouched(true);
              setName(e.target.value);
            }}
          />
          <span className="field__hint">{t('classes.nameHint')}</span>
        </div>
        <ErrorNote error={error} />
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy || !major.trim() || !shownName.trim()}
          >
            {busy ? t('common.saving') : t('classes.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

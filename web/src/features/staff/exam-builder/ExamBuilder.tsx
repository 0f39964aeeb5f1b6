import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { adminApi } from '../../../api/admin';
import { itemsOf } from '../../../api/http';
import type { Exam, ExamDraft } from '../../../api/types';
import { useConfirm } from '../../../components/Confirm';
import { useToast } from '../../../components/Toast';
import { ErrorNote, Loading, PageHeader, StatusBadge, errorText } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import { useAsync } from '../../../lib/use-async';
import { DetailsCard, RulesCard, SummaryCard, TokenCard } from './BuilderCards';
import { draftOf, draftProblems, newExamDraft, totalPoints } from './exam-draft';
import { QuestionPicker } from './QuestionPicker';
import { TargetsEditor } from './TargetsEditor';

export function ExamBuilder() {
  const { examId } = useParams();
  const isNew = !examId || examId === 'new';
  const { t } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const [confirm, confirmElement] = useConfirm();

  const exam = useAsync(async () => (isNew ? null : await adminApi.exams.get(examId)), [examId]);
  const bank = useAsync(async () => itemsOf(await adminApi.questions.list()), []);
  const classes = useAsync(async () => itemsOf(await adminApi.classes.list()), []);
  const [draft, setDraft] = useState<ExamDraft>(newExamDraft);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (exam.data) {
      setDraft(draftOf(exam.data));
      setDirty(false);
    }
  }, [exam.data]);

  const update = (patch: Partial<ExamDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
  };
  const status = exam.data?.status ?? 'DRAFT';
  const locked = status !== 'DRAFT';
  const bankById = useMemo(() => new Map((bank.data ?? []).map((q) => [q.id, q])), [bank.data]);
  const problems = draftProblems(draft);

  async function save(event?: FormEvent): Promise<Exam | null> {
    event?.preventDefault();
    if (problems.length) return null;
    setBusy('save');
    setError(null);
    try {
      const body: ExamDraft = { ...draft, title: draft.title.trim() };
      const saved = isNew
        ? await adminApi.exams.create(body)
        : await adminApi.exams.update(examId, body);
      setDirty(false);
      toast.show(t('builder.saved'), 'success');
      if (isNew) navigate(`/admin/exams/${saved.id}`, { replace: true });
      else exam.setData(saved);
      return saved;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setBusy(null);
    }
  }

  async function act(kind: 'publish' | 'close' | 'rotate' | 'delete') {
    if (isNew || !exam.data) return;
    const titles = {
      publish: t('builder.confirmPublish'),
      close: t('builder.confirmClose'),
      rotate: t('builder.confirmRotate'),
      delete: t('builder.confirmDelete'),
    };
    const bodies = {
      publish: t('builder.publishBody'),
      close: t('builder.closeBody'),
      rotate: t('builder.rotateBody'),
      delete: t('builder.deleteBody'),
    };
    const labels = {
      publish: t('builder.publish'),
      close: t('builder.close'),
      rotate: t('builder.rotate'),
      delete: t('common.delete'),
    };
    const ok = await confirm({
      title: titles[kind],
      body: <p>{bodies[kind]}</p>,
      confirmLabel: labels[kind],
      danger: kind === 'delete' || kind === 'close',
    });
    if (!ok) return;
    setBusy(kind);
    setError(null);
    try {
      if (dirty && kind === 'publish' && !(await save())) return;
      if (kind === 'publish') {
        const res = await adminApi.exams.publish(examId);
        toast.show(t('builder.published'), 'success');
        if (res && typeof res === 'object' && 'status' in res)
          exam.setData({ ...exam.data, ...res });
        exam.reload();
      } else if (kind === 'close') {
        await adminApi.exams.close(examId);
        toast.show(t('builder.closed'), 'success');
        exam.reload();
      } else if (kind === 'rotate') {
        const res = await adminApi.exams.rotateToken(examId);
        exam.setData((prev) => ({ ...(prev as Exam), entryToken: res.entryToken }));
        toast.show(t('builder.rotated', { token: res.entryToken }), 'success');
      } else {
        await adminApi.exams.remove(examId);
        navigate('/admin/exams', { replace: true });
      }
    } catch (err) {
      toast.show(errorText(t, err), 'danger', 7_000);
    } finally {
      setBusy(null);
    }
  }

  if (!isNew && exam.loading && !exam.data) return <Loading />;
  if (!isNew && exam.error && !exam.data)
    return <ErrorNote error={exam.error} onRetry={exam.reload} />;

  return (
    <>
      <PageHeader
        title={isNew ? t('builder.newTitle') : draft.title || t('builder.editTitle')}
        subtitle={
          <span className="row">
            <Link to="/admin/exams">← {t('examsAdmin.title')}</Link>
            {!isNew && <StatusBadge status={status} />}
          </span>
        }
        actions={
          !isNew && (
            <>
              {status !== 'DRAFT' && (
                <>
                  <Link className="btn btn--secondary" to={`/admin/exams/${examId}/monitor`}>
                    {t('examsAdmin.monitor')}
                  </Link>
                  <Link className="btn btn--secondary" to={`/admin/exams/${examId}/results`}>
                    {t('examsAdmin.results')}
                  </Link>
                </>
              )}
              {status === 'DRAFT' && (
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={
                    busy !== null ||
                    draft.questions.length === 0 ||
                    draft.targets.length === 0 ||
                    problems.length > 0
                  }
                  onClick={() => void act('publish')}
                >
                  {t('builder.publish')}
                </button>
              )}
              {status === 'PUBLISHED' && (
                <button
                  type="button"
                  className="btn btn--danger"
                  disabled={busy !== null}
                  onClick={() => void act('close')}
                >
                  {t('builder.close')}
                </button>
              )}
            </>
          )
        }
      />
      {confirmElement}
      <form className="builder" onSubmit={(e) => void save(e)}>
        <div className="builder__main stack">
          <DetailsCard draft={draft} onChange={update} />

          <TargetsEditor
            targets={draft.targets}
            classes={classes.data ?? []}
            onChange={(targets) => update({ targets })}
          />

          <QuestionPicker
            bank={bank.data ?? []}
            loading={bank.loading}
            selected={draft.questions}
            locked={locked}
            onChange={(questions) => update({ questions })}
          />
        </div>

        <aside className="builder__side stack">
          {!isNew && exam.data && (
            <TokenCard
              token={exam.data.entryToken}
              busy={busy !== null}
              closed={status === 'CLOSED'}
              onRotate={() => void act('rotate')}
            />
          )}
          <RulesCard draft={draft} closed={status === 'CLOSED'} onChange={update} />
          <SummaryCard
            draft={draft}
            points={totalPoints(draft, bankById)}
            problems={problems}
            publishNeeds={
              status === 'DRAFT' &&
              !isNew &&
              (draft.questions.length === 0 || draft.targets.length === 0)
            }
            error={error}
            save={{
              label:
                busy === 'save'
                  ? t('common.saving')
                  : isNew
                    ? t('builder.create')
                    : dirty
                      ? t('builder.saveChanges')
                      : t('builder.allSaved'),
              disabled: busy !== null || problems.length > 0 || (!dirty && !isNew),
            }}
            onDelete={!isNew && status === 'DRAFT' ? () => void act('delete') : undefined}
          />
        </aside>
      </form>
    </>
  );
}

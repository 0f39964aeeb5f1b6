import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import { itemsOf } from '../../api/http';
import type { BankQuestion, Exam, ExamDraft, ExamTarget, ResultPolicy, SchoolClass, TargetType } from '../../api/types';
import { useConfirm } from '../../components/Confirm';
import { useToast } from '../../components/Toast';
import { Badge, ErrorNote, Loading, PageHeader, StatusBadge, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fromLocalInput, stripHtml, toLocalInput } from '../../lib/time';
import { useAsync } from '../../lib/use-async';
import { kindLabel } from './QuestionsPage';

function defaults(): ExamDraft {
  const start = new Date();
  start.setSeconds(0, 0);
  const end = new Date(start.getTime() + 3 * 3600_000);
  return {
    title: '',
    description: '',
    scheduledStart: start.toISOString(),
    scheduledEnd: end.toISOString(),
    durationMinutes: 60,
    targets: [],
    questions: [],
    shuffleQuestions: true,
    shuffleOptions: false,
    partialCredit: false,
    resultPolicy: 'immediate',
  };
}

function toDraft(exam: Exam): ExamDraft {
  return {
    title: exam.title,
    description: exam.description ?? '',
    scheduledStart: exam.scheduledStart,
    scheduledEnd: exam.scheduledEnd,
    durationMinutes: exam.durationMinutes,
    targets: exam.targets ?? [],
    questions: (exam.questions ?? []).map((q) => ({ questionId: q.questionId, ...(q.points != null ? { points: Number(q.points) } : {}) })),
    shuffleQuestions: exam.shuffleQuestions,
    shuffleOptions: exam.shuffleOptions,
    partialCredit: exam.partialCredit ?? false,
    resultPolicy: exam.resultPolicy,
  };
}

export function ExamBuilder() {
  const { examId } = useParams();
  const isNew = !examId || examId === 'new';
  const { t, formatNumber } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const [confirm, confirmElement] = useConfirm();

  const exam = useAsync(async () => (isNew ? null : await adminApi.exams.get(examId)), [examId]);
  const bank = useAsync(async () => itemsOf(await adminApi.questions.list()), []);
  const classes = useAsync(async () => itemsOf(await adminApi.classes.list()), []);
  const [draft, setDraft] = useState<ExamDraft>(defaults);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (exam.data) {
      setDraft(toDraft(exam.data));
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
  const totalPoints = draft.questions.reduce((sum, q) => sum + Number(q.points ?? bankById.get(q.questionId)?.points ?? 0), 0);

  const problems: string[] = [];
  if (!draft.title.trim()) problems.push(t('builder.needTitle'));
  if (Date.parse(draft.scheduledEnd) <= Date.parse(draft.scheduledStart)) problems.push(t('builder.needWindow'));
  if (!(draft.durationMinutes > 0)) problems.push(t('builder.needDuration'));

  async function save(event?: FormEvent): Promise<Exam | null> {
    event?.preventDefault();
    if (problems.length) return null;
    setBusy('save');
    setError(null);
    try {
      const body: ExamDraft = { ...draft, title: draft.title.trim() };
      const saved = isNew ? await adminApi.exams.create(body) : await adminApi.exams.update(examId, body);
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
    const labels = { publish: t('builder.publish'), close: t('builder.close'), rotate: t('builder.rotate'), delete: t('common.delete') };
    const ok = await confirm({ title: titles[kind], body: <p>{bodies[kind]}</p>, confirmLabel: labels[kind], danger: kind === 'delete' || kind === 'close' });
    if (!ok) return;
    setBusy(kind);
    setError(null);
    try {
      if (dirty && kind === 'publish' && !(await save())) return;
      if (kind === 'publish') {
        const res = await adminApi.exams.publish(examId);
        toast.show(t('builder.published'), 'success');
        if (res && typeof res === 'object' && 'status' in res) exam.setData({ ...exam.data, ...res });
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
  if (!isNew && exam.error && !exam.data) return <ErrorNote error={exam.error} onRetry={exam.reload} />;

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
                  disabled={busy !== null || draft.questions.length === 0 || draft.targets.length === 0 || problems.length > 0}
                  onClick={() => void act('publish')}
                >
                  {t('builder.publish')}
                </button>
              )}
              {status === 'PUBLISHED' && (
                <button type="button" className="btn btn--danger" disabled={busy !== null} onClick={() => void act('close')}>
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
          <section className="card stack" aria-labelledby="b-details">
            <h2 id="b-details" className="card__title">
              {t('builder.details')}
            </h2>
            <div className="field">
              <label htmlFor="b-title">{t('builder.examTitle')}</label>
              <input id="b-title" required value={draft.title} onChange={(e) => update({ title: e.target.value })} placeholder={t('builder.titlePlaceholder')} />
            </div>
            <div className="field">
              <label htmlFor="b-desc">{t('builder.description')}</label>
              <textarea id="b-desc" rows={2} value={draft.description} onChange={(e) => update({ description: e.target.value })} />
            </div>
            <div className="grid-3">
              <div className="field">
                <label htmlFor="b-start">{t('builder.opens')}</label>
                <input
                  id="b-start"
                  type="datetime-local"
                  required
                  value={toLocalInput(draft.scheduledStart)}
                  onChange={(e) => e.target.value && update({ scheduledStart: fromLocalInput(e.target.value) })}
                />
              </div>
              <div className="field">
                <label htmlFor="b-end">{t('builder.closes')}</label>
                <input
                  id="b-end"
                  type="datetime-local"
                  required
                  value={toLocalInput(draft.scheduledEnd)}
                  onChange={(e) => e.target.value && update({ scheduledEnd: fromLocalInput(e.target.value) })}
                />
              </div>
              <div className="field">
                <label htmlFor="b-duration">{t('builder.duration')}</label>
                <input
                  id="b-duration"
                  type="number"
                  min={1}
                  max={1440}
                  required
                  value={draft.durationMinutes}
                  onChange={(e) => update({ durationMinutes: Number(e.target.value) })}
                />
              </div>
            </div>
          </section>

          <TargetsEditor targets={draft.targets} classes={classes.data ?? []} onChange={(targets) => update({ targets })} />

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
            <section className="card stack token-card" aria-labelledby="b-token">
              <h2 id="b-token" className="card__title">
                {t('builder.token')}
              </h2>
              <div className="token-display" data-testid="entry-token" aria-label={t('builder.token')}>
                {exam.data.entryToken}
              </div>
              <p className="field__hint">{t('builder.tokenHint')}</p>
              <div className="row">
                <button type="button" className="btn btn--secondary btn--sm" disabled={busy !== null || status === 'CLOSED'} onClick={() => void act('rotate')}>
                  {t('builder.rotate')}
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--sm"
                  onClick={() => {
                    void navigator.clipboard?.writeText(exam.data?.entryToken ?? '').then(
                      () => toast.show(t('builder.copied'), 'success'),
                      () => undefined,
                    );
                  }}
                >
                  {t('builder.copy')}
                </button>
              </div>
            </section>
          )}

          <section className="card stack" aria-labelledby="b-rules">
            <h2 id="b-rules" className="card__title">
              {t('builder.rules')}
            </h2>
            <label className="check">
              <input type="checkbox" checked={draft.shuffleQuestions} onChange={(e) => update({ shuffleQuestions: e.target.checked })} />
              <span>{t('builder.shuffleQuestions')}</span>
            </label>
            <label className="check">
              <input type="checkbox" checked={draft.shuffleOptions} onChange={(e) => update({ shuffleOptions: e.target.checked })} />
              <span>{t('builder.shuffleOptions')}</span>
            </label>
            <label className="check">
              <input type="checkbox" checked={draft.partialCredit} onChange={(e) => update({ partialCredit: e.target.checked })} />
              <span>{t('builder.partialCredit')}</span>
            </label>
            <div className="field">
              <label htmlFor="b-policy">{t('builder.policy')}</label>
              <select id="b-policy" value={draft.resultPolicy} onChange={(e) => update({ resultPolicy: e.target.value as ResultPolicy })}>
                <option value="immediate">{t('builder.policyImmediate')}</option>
                <option value="after_close">{t('builder.policyAfterClose')}</option>
                <option value="manual">{t('builder.policyManual')}</option>
              </select>
            </div>
          </section>

          <section className="card stack summary-card" aria-labelledby="b-summary">
            <h2 id="b-summary" className="card__title">
              {t('builder.summary')}
            </h2>
            <dl className="facts">
              <div>
                <dt>{t('exams.questions')}</dt>
                <dd>{draft.questions.length}</dd>
              </div>
              <div>
                <dt>{t('builder.totalPoints')}</dt>
                <dd>{formatNumber(totalPoints, 2)}</dd>
              </div>
              <div>
                <dt>{t('builder.targetsShort')}</dt>
                <dd>{draft.targets.length}</dd>
              </div>
            </dl>
            {problems.length > 0 && (
              <ul className="problems" aria-label={t('qedit.problems')}>
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
            {status === 'DRAFT' && !isNew && (draft.questions.length === 0 || draft.targets.length === 0) && (
              <p className="field__hint">{t('builder.publishNeeds')}</p>
            )}
            <ErrorNote error={error} />
            <button type="submit" className="btn btn--primary btn--block" disabled={busy !== null || problems.length > 0 || (!dirty && !isNew)}>
              {busy === 'save' ? t('common.saving') : isNew ? t('builder.create') : dirty ? t('builder.saveChanges') : t('builder.allSaved')}
            </button>
            {!isNew && status === 'DRAFT' && (
              <button type="button" className="btn btn--ghost btn--danger-text btn--block" onClick={() => void act('delete')}>
                {t('builder.delete')}
              </button>
            )}
          </section>
        </aside>
      </form>
    </>
  );
}

// ── targets ─────────────────────────────────────────────────────────────────────────

function TargetsEditor({ targets, classes, onChange }: { targets: ExamTarget[]; classes: SchoolClass[]; onChange: (t: ExamTarget[]) => void }) {
  const { t } = useI18n();
  const [type, setType] = useState<TargetType>('CLASS');
  const [value, setValue] = useState('');
  const [lookupError, setLookupError] = useState<string | null>(null);
  const classById = new Map(classes.map((c) => [c.id, c]));
  const grades = [...new Set(classes.map((c) => c.gradeLevel))].sort((a, b) => a - b);
  const majors = [...new Set(classes.map((c) => c.majorCode))].sort();
  const [studentNames, setStudentNames] = useState<Record<string, string>>({});

  const describe = (target: ExamTarget) => {
    switch (target.type) {
      case 'CLASS':
        return classById.get(target.value)?.name ?? target.value;
      case 'GRADE':
        return t('builder.gradeN', { n: target.value });
      case 'MAJOR':
        return target.value;
      default:
        return studentNames[target.value] ?? target.value.slice(0, 8);
    }
  };

  async function add() {
    setLookupError(null);
    let v = value.trim();
    if (!v) return;
    if (type === 'STUDENT') {
      const found = itemsOf(await adminApi.students.list({ search: v, pageSize: 5 })).find((s) => s.nisn === v || s.id === v);
      if (!found) {
        setLookupError(t('builder.noSuchStudent', { nisn: v }));
        return;
      }
      setStudentNames((names) => ({ ...names, [found.id]: `${found.name} (${found.nisn})` }));
      v = found.id;
    }
    if (!targets.some((x) => x.type === type && x.value === v)) onChange([...targets, { type, value: v }]);
    setValue('');
  }

  const typeLabel: Record<TargetType, string> = {
    CLASS: t('builder.targetClass'),
    GRADE: t('builder.targetGrade'),
    MAJOR: t('builder.targetMajor'),
    STUDENT: t('builder.targetStudent'),
  };

  return (
    <section className="card stack" aria-labelledby="b-targets">
      <div className="card__head">
        <h2 id="b-targets" className="card__title">
          {t('builder.targets')}
        </h2>
        <span className="muted small">{t('builder.targetsHint')}</span>
      </div>
      {targets.length > 0 ? (
        <ul className="chip-list" aria-label={t('builder.targets')}>
          {targets.map((target) => (
            <li key={`${target.type}:${target.value}`} className="chip chip--static">
              <span className="chip__type">{typeLabel[target.type]}</span>
              <span>{describe(target)}</span>
              <button
                type="button"
                className="chip__remove"
                aria-label={t('builder.removeTarget', { name: describe(target) })}
                onClick={() => onChange(targets.filter((x) => x !== target))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('builder.noTargets')}</p>
      )}
      <div className="target-add">
        <div className="field">
          <label htmlFor="b-target-type">{t('builder.targetType')}</label>
          <select
            id="b-target-type"
            value={type}
            onChange={(e) => {
              setType(e.target.value as TargetType);
              setValue('');
            }}
          >
            {(Object.keys(typeLabel) as TargetType[]).map((k) => (
              <option key={k} value={k}>
                {typeLabel[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--grow">
          <label htmlFor="b-target-value">{typeLabel[type]}</label>
          {type === 'CLASS' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseClass')}</option>
              {classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          ) : type === 'GRADE' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseGrade')}</option>
              {grades.map((g) => (
                <option key={g} value={String(g)}>
                  {t('builder.gradeN', { n: g })}
                </option>
              ))}
            </select>
          ) : type === 'MAJOR' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseMajor')}</option>
              {majors.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          ) : (
            <input id="b-target-value" inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} placeholder={t('builder.studentNisn')} />
          )}
        </div>
        <button type="button" className="btn btn--secondary align-end" disabled={!value.trim()} onClick={() => void add()}>
          {t('builder.addTarget')}
        </button>
      </div>
      {lookupError && (
        <p className="note note--danger" role="alert">
          {lookupError}
        </p>
      )}
    </section>
  );
}

// ── questions ───────────────────────────────────────────────────────────────────────

interface PickerProps {
  bank: BankQuestion[];
  loading: boolean;
  selected: ExamDraft['questions'];
  locked: boolean;
  onChange: (q: ExamDraft['questions']) => void;
}

function QuestionPicker({ bank, loading, selected, locked, onChange }: PickerProps) {
  const { t, formatNumber } = useI18n();
  const [search, setSearch] = useState('');
  const byId = new Map(bank.map((q) => [q.id, q]));
  const chosen = new Set(selected.map((q) => q.questionId));
  const needle = search.trim().toLowerCase();
  const available = bank
    .filter((q) => !chosen.has(q.id))
    .map((q) => ({ q, plain: stripHtml(q.text) }))
    .filter(({ q, plain }) => !needle || plain.toLowerCase().includes(needle) || q.tags.some((tag) => tag.toLowerCase().includes(needle)));

  const move = (index: number, delta: number) => {
    const next = [...selected];
    const [item] = next.splice(index, 1);
    next.splice(index + delta, 0, item!);
    onChange(next);
  };

  return (
    <section className="card stack" aria-labelledby="b-questions">
      <div className="card__head">
        <h2 id="b-questions" className="card__title">
          {t('builder.questions')}
        </h2>
        {locked && <Badge tone="warning">{t('builder.lockedQuestions')}</Badge>}
      </div>
      <div className="picker">
        <div className="picker__col">
          <h3 className="section-title">{t('builder.inExam', { n: selected.length })}</h3>
          {selected.length === 0 && <p className="muted">{t('builder.noQuestions')}</p>}
          <ol className="picked" aria-label={t('builder.inExamList')}>
            {selected.map((item, i) => {
              const q = byId.get(item.questionId);
              const plain = q ? stripHtml(q.text) : item.questionId;
              return (
                <li key={item.questionId} className="picked__item">
                  <span className="picked__n">{i + 1}</span>
                  <div className="picked__body">
                    <span className="picked__text">{plain}</span>
                    {q && <span className="muted small">{kindLabel(t, q.kind)}</span>}
                  </div>
                  <label className="picked__points">
                    <span className="sr-only">{t('builder.pointsFor', { n: i + 1 })}</span>
                    <input
                      type="number"
                      min={0}
                      step={0.5}
                      disabled={locked}
                      value={item.points ?? q?.points ?? ''}
                      onChange={(e) => onChange(selected.map((x, j) => (j === i ? { ...x, points: e.target.value === '' ? undefined : Number(e.target.value) } : x)))}
                    />
                    <span aria-hidden="true" className="muted small">
                      {t('builder.pts')}
                    </span>
                  </label>
                  <div className="picked__actions">
                    <button type="button" className="icon-btn icon-btn--sm" aria-label={t('builder.moveUp', { n: i + 1 })} disabled={locked || i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className="icon-btn icon-btn--sm"
                      aria-label={t('builder.moveDown', { n: i + 1 })}
                      disabled={locked || i === selected.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="icon-btn icon-btn--sm"
                      aria-label={t('builder.removeQuestion', { n: i + 1 })}
                      disabled={locked}
                      onClick={() => onChange(selected.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </div>
                </li>
              );
            })}
          </ol>
        </div>
        <div className="picker__col picker__col--bank">
          <div className="row row--between">
            <h3 className="section-title">{t('builder.bank')}</h3>
            {!locked && available.length > 0 && (
              <button
                type="button"
                className="btn btn--link btn--sm"
                onClick={() => onChange([...selected, ...available.map(({ q }) => ({ questionId: q.id }))])}
              >
                {t('builder.addAll', { n: available.length })}
              </button>
            )}
          </div>
          <div className="field">
            <label htmlFor="b-bank-search" className="sr-only">
              {t('builder.searchBank')}
            </label>
            <input id="b-bank-search" type="search" placeholder={t('builder.searchBank')} value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          {loading && bank.length === 0 && <Loading />}
          {!loading && bank.length === 0 && (
            <p className="muted">
              {t('builder.bankEmpty')} <Link to="/admin/questions/new">{t('questions.new')}</Link>
            </p>
          )}
          <ul className="bank-list">
            {available.map(({ q, plain }) => (
              <li key={q.id} className="bank-list__item">
                <div className="picked__body">
                  <span className="picked__text">{plain || t('questions.imageOnly')}</span>
                  <span className="muted small">
                    {kindLabel(t, q.kind)} · {t('runner.points', { n: formatNumber(q.points, 2) })}
                  </span>
                </div>
                <button
                  type="button"
                  className="btn btn--secondary btn--sm"
                  disabled={locked}
                  aria-label={t('builder.addQuestion', { text: plain.slice(0, 60) })}
                  onClick={() => onChange([...selected, { questionId: q.id }])}
                >
                  {t('builder.add')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { adminApi } from '../../api/admin';
import type { QuestionDraft, QuestionKind, QuestionOption } from '../../api/types';
import { useToast } from '../../components/Toast';
import { ErrorNote, Loading, PageHeader } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { RichTextEditor } from './RichTextEditor';

const LETTERS = 'ABCDEFGHIJ';
const blank = (): QuestionDraft => ({
  kind: 'single',
  text: '',
  options: ['A', 'B', 'C', 'D'].map((id) => ({ id, text: '' })),
  correct: [],
  points: 1,
  explanation: '',
  tags: [],
});

export function QuestionEditor() {
  const { questionId } = useParams();
  const isNew = !questionId || questionId === 'new';
  const t = useT();
  const toast = useToast();
  const navigate = useNavigate();
  const existing = useAsync(
    async () => (isNew ? null : await adminApi.questions.get(questionId)),
    [questionId],
  );
  const [draft, setDraft] = useState<QuestionDraft>(blank);
  const [tagsText, setTagsText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const q = existing.data;
    if (!q) return;
    setDraft({
      kind: q.kind,
      text: q.text,
      options: q.options,
      correct: q.correct,
      points: Number(q.points),
      explanation: q.explanation ?? '',
      tags: q.tags ?? [],
    });
    setTagsText((q.tags ?? []).join(', '));
  }, [existing.data]);

  const update = (patch: Partial<QuestionDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setKind = (kind: QuestionKind) =>
    update({
      kind,
      correct: kind === 'single' ? draft.correct.slice(0, 1) : kind === 'text' ? [] : draft.correct,
      options: kind === 'text' ? [] : draft.options.length ? draft.options : blank().options,
    });
  const setOption = (index: number, patch: Partial<QuestionOption>) =>
    update({ options: draft.options.map((o, i) => (i === index ? { ...o, ...patch } : o)) });
  const addOption = () =>
    update({
      options: [
        ...draft.options,
        { id: LETTERS[draft.options.length] ?? String(draft.options.length + 1), text: '' },
      ],
    });
  const removeOption = (index: number) => {
    // keep ids as consecutive letters so "correct" stays meaningful
    const kept = draft.options.filter((_, i) => i !== index);
    const remap = new Map(kept.map((o, i) => [o.id, LETTERS[i] ?? String(i + 1)]));
    update({
      options: kept.map((o) => ({ ...o, id: remap.get(o.id)! })),
      correct: draft.correct.filter((id) => remap.has(id)).map((id) => remap.get(id)!),
    });
  };
  const toggleCorrect = (id: string) => {
    if (draft.kind === 'single') update({ correct: [id] });
    else
      update({
        correct: draft.correct.includes(id)
          ? draft.correct.filter((c) => c !== id)
          : [...draft.correct, id].sort(),
      });
  };

  const problems: string[] = [];
  if (!draft.text.trim()) problems.push(t('qedit.needText'));
  if (draft.kind !== 'text') {
    if (draft.options.length < 2) problems.push(t('qedit.needOptions'));
    if (draft.options.some((o) => !o.text.trim())) problems.push(t('qedit.emptyOption'));
    if (draft.correct.length === 0) problems.push(t('qedit.needCorrect'));
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (problems.length) return;
    setBusy(true);
    setError(null);
    const body: QuestionDraft = {
      ...draft,
      options:
        draft.kind === 'text' ? [] : draft.options.map((o) => ({ id: o.id, text: o.text.trim() })),
      tags: tagsText
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    try {
      if (isNew) await adminApi.questions.create(body);
      else await adminApi.questions.update(questionId, body);
      toast.show(t('qedit.saved'), 'success');
      navigate('/admin/questions');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (!isNew && existing.loading && !existing.data) return <Loading />;
  return (
    <>
      <PageHeader
        title={isNew ? t('qedit.newTitle') : t('qedit.editTitle')}
        subtitle={<Link to="/admin/questions">← {t('questions.title')}</Link>}
      />
      <ErrorNote error={existing.error} onRetry={existing.reload} />
      <form className="editor-layout" onSubmit={save}>
        <div className="card stack">
          <fieldset className="segmented" aria-label={t('questions.kind')}>
            <legend className="field__label">{t('questions.kind')}</legend>
            {(['single', 'multi', 'text'] as const).map((kind) => (
              <label key={kind} className={`segmented__item${draft.kind === kind ? ' is-on' : ''}`}>
                <input
                  type="radio"
                  name="kind"
                  value={kind}
                  checked={draft.kind === kind}
                  onChange={() => setKind(kind)}
                />
                {kind === 'single'
                  ? t('questions.kindSingle')
                  : kind === 'multi'
                    ? t('questions.kindMulti')
                    : t('questions.kindText')}
              </label>
            ))}
          </fieldset>

          <div className="field">
            <span className="field__label" id="q-text-label">
              {t('qedit.text')}
            </span>
            <RichTextEditor
              id="q-text"
              label={t('qedit.text')}
              value={draft.text}
              onChange={(text) => update({ text })}
            />
          </div>

          {draft.kind !== 'text' && (
            <fieldset className="stack-sm options-editor">
              <legend className="field__label">
                {draft.kind === 'single' ? t('qedit.optionsSingle') : t('qedit.optionsMulti')}
              </legend>
              {draft.options.map((option, index) => (
                <div
                  key={index}
                  className={`option-row${draft.correct.includes(option.id) ? ' is-correct' : ''}`}
                >
                  <label className="option-row__correct">
                    <input
                      type={draft.kind === 'single' ? 'radio' : 'checkbox'}
                      name="correct"
                      checked={draft.correct.includes(option.id)}
                      onChange={() => toggleCorrect(option.id)}
                      aria-label={t('qedit.markCorrect', { id: option.id })}
                    />
                    <span className="option-row__key" aria-hidden="true">
                      {option.id}
                    </span>
                  </label>
                  <input
                    className="option-row__text"
                    aria-label={t('qedit.optionText', { id: option.id })}
                    value={option.text}
                    onChange={(e) => setOption(index, { text: e.target.value })}
                    placeholder={t('qedit.optionPlaceholder', { id: option.id })}
                  />
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('qedit.removeOption', { id: option.id })}
                    disabled={draft.options.length <= 2}
                    onClick={() => removeOption(index)}
                  >
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                      <path
                        d="M6 6l12 12M18 6L6 18"
                        stroke="currentColor"
                        strokeWidth="2"
                        strokeLinecap="round"
                      />
                    </svg>
                  </button>
                </div>
              ))}
              {draft.options.length < LETTERS.length && (
                <button
                  type="button"
                  className="btn btn--ghost btn--sm align-start"
                  onClick={addOption}
                >
                  + {t('qedit.addOption')}
                </button>
              )}
            </fieldset>
          )}
        </div>

        <div className="card stack editor-side">
          <div className="field">
            <label htmlFor="q-points">{t('qedit.points')}</label>
            <input
              id="q-points"
              type="number"
              min={0}
              step={0.5}
              value={draft.points}
              onChange={(e) => update({ points: Number(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="q-tags">{t('qedit.tags')}</label>
            <input
              id="q-tags"
              value={tagsText}
              onChange={(e) => setTagsText(e.target.value)}
              placeholder="algebra, kelas-10"
            />
            <span className="field__hint">{t('qedit.tagsHint')}</span>
          </div>
          <div className="field">
            <label htmlFor="q-explanation">{t('qedit.explanation')}</label>
            <textarea
              id="q-explanation"
              rows={4}
              value={draft.explanation}
              onChange={(e) => update({ explanation: e.target.value })}
            />
            <span className="field__hint">{t('qedit.explanationHint')}</span>
          </div>
          {problems.length > 0 && (
            <ul className="problems" aria-label={t('qedit.problems')}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <ErrorNote error={error} />
          <div className="row row--end">
            <Link className="btn btn--ghost" to="/admin/questions">
              {t('common.cancel')}
            </Link>
            <button
              type="submit"
              className="btn btn--primary"
              disabled={busy || problems.length > 0}
            >
              {busy ? t('common.saving') : t('qedit.save')}
            </button>
          </div>
        </div>
      </form>
    </>
  );
}

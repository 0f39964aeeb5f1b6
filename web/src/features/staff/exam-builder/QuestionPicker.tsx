import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { BankQuestion, ExamDraft } from '../../../api/types';
import { Badge, Loading } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import { stripHtml } from '../../../lib/time';
import { kindLabel } from '../QuestionsPage';

interface PickerProps {
  bank: BankQuestion[];
  loading: boolean;
  selected: ExamDraft['questions'];
  locked: boolean;
  onChange: (q: ExamDraft['questions']) => void;
}

/**
 * The exam's questions in order (each with its points, movable by buttons so the keyboard can
 * reorder them) beside the bank they are picked from. A published exam's list is locked.
 */
export function QuestionPicker({ bank, loading, selected, locked, onChange }: PickerProps) {
  const { t, formatNumber } = useI18n();
  const [search, setSearch] = useState('');
  const byId = new Map(bank.map((q) => [q.id, q]));
  const chosen = new Set(selected.map((q) => q.questionId));
  const needle = search.trim().toLowerCase();
  const available = bank
    .filter((q) => !chosen.has(q.id))
    .map((q) => ({ q, plain: stripHtml(q.text) }))
    .filter(
      ({ q, plain }) =>
        !needle ||
        plain.toLowerCase().includes(needle) ||
        q.tags.some((tag) => tag.toLowerCase().includes(needle)),
    );

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
                      onChange={(e) =>
                        onChange(
                          selected.map((x, j) =>
                            j === i
                              ? {
                                  ...x,
                                  points:
                                    e.target.value === '' ? undefined : Number(e.target.value),
                                }
                              : x,
                          ),
                        )
                      }
                    />
                    <span aria-hidden="true" className="muted small">
                      {t('builder.pts')}
                    </span>
                  </label>
                  <div className="picked__actions">
                    <button
                      type="button"
                      className="icon-btn icon-btn--sm"
                      aria-label={t('builder.moveUp', { n: i + 1 })}
                      disabled={locked || i === 0}
                      onClick={() => move(i, -1)}
                    >
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
                onClick={() =>
                  onChange([...selected, ...available.map(({ q }) => ({ questionId: q.id }))])
                }
              >
                {t('builder.addAll', { n: available.length })}
              </button>
            )}
          </div>
          <div className="field">
            <label htmlFor="b-bank-search" className="sr-only">
              {t('builder.searchBank')}
            </label>
            <input
              id="b-bank-search"
              type="search"
              placeholder={t('builder.searchBank')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
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

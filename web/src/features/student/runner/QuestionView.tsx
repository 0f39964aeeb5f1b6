import type { Answer, SessionQuestion } from '../../../api/types';
import { useI18n } from '../../../i18n/i18n';

interface QuestionViewProps {
  question: SessionQuestion;
  index: number;
  total: number;
  answer: Answer | undefined;
  flagged: boolean;
  disabled: boolean;
  onAnswer: (answer: Answer) => void;
  onToggleFlag: () => void;
}

export function QuestionView({
  question,
  index,
  total,
  answer,
  flagged,
  disabled,
  onAnswer,
  onToggleFlag,
}: QuestionViewProps) {
  const { t, formatNumber } = useI18n();
  const headingId = `q-heading-${question.id}`;
  const selected = Array.isArray(answer) ? answer : typeof answer === 'string' ? [answer] : [];

  return (
    <article className="question" aria-labelledby={headingId}>
      <header className="question__head">
        <div>
          <h2 id={headingId} className="question__number">
            {t('runner.questionOf', { n: index + 1, total })}
          </h2>
          <span className="question__meta">
            {question.kind === 'single'
              ? t('runner.kindSingle')
              : question.kind === 'multi'
                ? t('runner.kindMulti')
                : t('runner.kindText')}
            {' · '}
            {t('runner.points', { n: formatNumber(question.points, 2) })}
          </span>
        </div>
        <button
          type="button"
          className={`btn btn--flag${flagged ? ' is-on' : ''}`}
          aria-pressed={flagged}
          onClick={onToggleFlag}
        >
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <path
              d="M5 21V4m0 0h11l-2 4 2 4H5"
              fill={flagged ? 'currentColor' : 'none'}
              stroke="currentColor"
              strokeWidth="2"
              strokeLinejoin="round"
            />
          </svg>
          {flagged ? t('runner.flagged') : t('runner.flag')}
        </button>
      </header>

      {/* The server sanitizes question HTML on write. */}
      <div className="question__text rich" dangerouslySetInnerHTML={{ __html: question.text }} />

      {question.kind === 'text' ? (
        <div className="field">
          <label htmlFor={`answer-${question.id}`}>{t('runner.yourAnswer')}</label>
          <textarea
            id={`answer-${question.id}`}
            className="answer-text"
            rows={8}
            disabled={disabled}
            value={typeof answer === 'string' ? answer : ''}
            onChange={(e) => onAnswer(e.target.value === '' ? null : e.target.value)}
            placeholder={t('runner.textPlaceholder')}
          />
        </div>
      ) : (
        <fieldset className="options" disabled={disabled}>
          <legend className="options__legend">
            {question.kind === 'multi' ? t('runner.chooseAll') : t('runner.chooseOne')}
          </legend>
          {question.options.map((option, position) => {
            const checked = selected.includes(option.id);
            return (
              <label key={option.id} className={`option${checked ? ' option--checked' : ''}`}>
                <input
                  type={question.kind === 'multi' ? 'checkbox' : 'radio'}
                  name={`q-${question.id}`}
                  value={option.id}
                  checked={checked}
                  onChange={() => {
                    if (question.kind === 'single') onAnswer(option.id);
                    else {
                      const next = checked
                        ? selected.filter((id) => id !== option.id)
                        : [...selected, option.id];
                      onAnswer(
                        next.length
                          ? question.options.map((o) => o.id).filter((id) => next.includes(id))
                          : null,
                      );
                    }
                  }}
                />
                <span className="option__key" aria-hidden="true">
                  {String.fromCharCode(65 + position)}
                </span>
                <span
                  className="option__text rich"
                  dangerouslySetInnerHTML={{ __html: option.text }}
                />
              </label>
            );
          })}
          {question.kind === 'single' && selected.length > 0 && !disabled && (
            <button type="button" className="btn btn--link btn--sm" onClick={() => onAnswer(null)}>
              {t('runner.clearAnswer')}
            </button>
          )}
        </fieldset>
      )}
    </article>
  );
}

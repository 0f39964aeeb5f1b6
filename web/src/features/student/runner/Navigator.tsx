import type { Answer, SessionQuestion } from '../../../api/types';
import { useT } from '../../../i18n/i18n';
import { isAnswered } from './answers';

interface NavigatorProps {
  questions: SessionQuestion[];
  answers: Record<string, Answer>;
  flags: Set<string>;
  current: number;
  onGo: (index: number) => void;
}

export function Navigator({ questions, answers, flags, current, onGo }: NavigatorProps) {
  const t = useT();
  const answered = questions.filter((q) => isAnswered(answers[q.id])).length;
  return (
    <nav className="navigator" aria-label={t('runner.navigator')}>
      <div className="navigator__head">
        <h2 className="navigator__title">{t('runner.questions')}</h2>
        <span className="navigator__count">
          {t('runner.answeredOf', { n: answered, total: questions.length })}
        </span>
      </div>
      <div className="progress" aria-hidden="true">
        <span
          className="progress__bar"
          style={{ width: `${questions.length ? (answered / questions.length) * 100 : 0}%` }}
        />
      </div>
      <ol className="navigator__grid">
        {questions.map((q, i) => {
          const isDone = isAnswered(answers[q.id]);
          const isFlagged = flags.has(q.id);
          const states = [isDone ? t('runner.stateAnswered') : t('runner.stateUnanswered')];
          if (isFlagged) states.push(t('runner.stateFlagged'));
          return (
            <li key={q.id}>
              <button
                type="button"
                className={`nav-cell${isDone ? ' nav-cell--answered' : ''}${isFlagged ? ' nav-cell--flagged' : ''}${i === current ? ' nav-cell--current' : ''}`}
                aria-current={i === current ? 'step' : undefined}
                aria-label={t('runner.navItem', { n: i + 1, state: states.join(', ') })}
                onClick={() => onGo(i)}
              >
                {i + 1}
              </button>
            </li>
          );
        })}
      </ol>
      <ul className="navigator__legend" aria-hidden="true">
        <li>
          <span className="legend legend--answered" />
          {t('runner.stateAnswered')}
        </li>
        <li>
          <span className="legend legend--flagged" />
          {t('runner.stateFlagged')}
        </li>
        <li>
          <span className="legend legend--current" />
          {t('runner.stateCurrent')}
        </li>
      </ul>
    </nav>
  );
}

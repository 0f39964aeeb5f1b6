import type { Answer, SessionQuestion } from '../../../api/types';
import { Dialog } from '../../../components/Dialog';
import { useT } from '../../../i18n/i18n';
import { isAnswered } from './answers';

interface SubmitDialogProps {
  open: boolean;
  busy: boolean;
  questions: SessionQuestion[];
  answers: Record<string, Answer>;
  flags: Set<string>;
  pendingCount: number;
  onGo: (index: number) => void;
  onCancel: () => void;
  onConfirm: () => void;
}

export function SubmitDialog({
  open,
  busy,
  questions,
  answers,
  flags,
  pendingCount,
  onGo,
  onCancel,
  onConfirm,
}: SubmitDialogProps) {
  const t = useT();
  const unanswered = questions
    .map((q, i) => ({ q, i }))
    .filter(({ q }) => !isAnswered(answers[q.id]));
  const flagged = questions.map((q, i) => ({ q, i })).filter(({ q }) => flags.has(q.id));

  return (
    <Dialog
      open={open}
      title={t('submit.title')}
      onClose={onCancel}
      role="alertdialog"
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={onCancel}>
            {t('submit.keepWorking')}
          </button>
          <button type="button" className="btn btn--primary" onClick={onConfirm} disabled={busy}>
            {t('submit.confirm')}
          </button>
        </>
      }
    >
      <div className="submit-summary">
        <div className="stat">
          <span className="stat__value">{questions.length - unanswered.length}</span>
          <span className="stat__label">{t('submit.answered')}</span>
        </div>
        <div className={`stat${unanswered.length ? ' stat--warn' : ''}`}>
          <span className="stat__value">{unanswered.length}</span>
          <span className="stat__label">{t('submit.unanswered')}</span>
        </div>
        <div className="stat">
          <span className="stat__value">{flagged.length}</span>
          <span className="stat__label">{t('submit.flagged')}</span>
        </div>
      </div>
      {unanswered.length > 0 ? (
        <section className="stack-sm" aria-labelledby="unanswered-title">
          <h3 id="unanswered-title" className="section-title">
            {t('submit.unansweredList')}
          </h3>
          <ul className="chip-list">
            {unanswered.map(({ i }) => (
              <li key={i}>
                <button type="button" className="chip chip--warn" onClick={() => onGo(i)}>
                  {t('submit.questionN', { n: i + 1 })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p className="note note--success">{t('submit.allAnswered')}</p>
      )}
      {flagged.length > 0 && (
        <section className="stack-sm" aria-labelledby="flagged-title">
          <h3 id="flagged-title" className="section-title">
            {t('submit.flaggedList')}
          </h3>
          <ul className="chip-list">
            {flagged.map(({ i }) => (
              <li key={i}>
                <button type="button" className="chip" onClick={() => onGo(i)}>
                  {t('submit.questionN', { n: i + 1 })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {pendingCount > 0 && (
        <p className="note note--info">{t('submit.pending', { n: pendingCount })}</p>
      )}
      <p className="muted">{t('submit.final')}</p>
    </Dialog>
  );
}

import type { ExamDraft, LeaderboardVisibility, ResultPolicy } from '../../../api/types';
import { useToast } from '../../../components/Toast';
import { ErrorNote } from '../../../components/ui';
import type { MessageKey } from '../../../i18n/en';
import { useI18n } from '../../../i18n/i18n';
import { fromLocalInput, toLocalInput } from '../../../lib/time';

/* The cards of the exam builder's form; the page keeps the draft and takes patches back. */

/** Title, description, the window the exam is open in, and how long a student has. */
export function DetailsCard({
  draft,
  onChange: update,
}: {
  draft: ExamDraft;
  onChange: (patch: Partial<ExamDraft>) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card stack" aria-labelledby="b-details">
      <h2 id="b-details" className="card__title">
        {t('builder.details')}
      </h2>
      <div className="field">
        <label htmlFor="b-title">{t('builder.examTitle')}</label>
        <input
          id="b-title"
          required
          value={draft.title}
          onChange={(e) => update({ title: e.target.value })}
          placeholder={t('builder.titlePlaceholder')}
        />
      </div>
      <div className="field">
        <label htmlFor="b-desc">{t('builder.description')}</label>
        <textarea
          id="b-desc"
          rows={2}
          value={draft.description}
          onChange={(e) => update({ description: e.target.value })}
        />
      </div>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="b-start">{t('builder.opens')}</label>
          <input
            id="b-start"
            type="datetime-local"
            required
            value={toLocalInput(draft.scheduledStart)}
            onChange={(e) =>
              e.target.value && update({ scheduledStart: fromLocalInput(e.target.value) })
            }
          />
        </div>
        <div className="field">
          <label htmlFor="b-end">{t('builder.closes')}</label>
          <input
            id="b-end"
            type="datetime-local"
            required
            value={toLocalInput(draft.scheduledEnd)}
            onChange={(e) =>
              e.target.value && update({ scheduledEnd: fromLocalInput(e.target.value) })
            }
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
  );
}

/** The entry token students type to start, with rotate and copy. */
export function TokenCard({
  token,
  busy,
  closed,
  onRotate,
}: {
  token: string;
  busy: boolean;
  closed: boolean;
  onRotate: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  return (
    <section className="card stack token-card" aria-labelledby="b-token">
      <h2 id="b-token" className="card__title">
        {t('builder.token')}
      </h2>
      <div className="token-display" data-testid="entry-token" aria-label={t('builder.token')}>
        {token}
      </div>
      <p className="field__hint">{t('builder.tokenHint')}</p>
      <div className="row">
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          disabled={busy || closed}
          onClick={onRotate}
        >
          {t('builder.rotate')}
        </button>
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          onClick={() => {
            void navigator.clipboard?.writeText(token).then(
              () => toast.show(t('builder.copied'), 'success'),
              () => undefined,
            );
          }}
        >
          {t('builder.copy')}
        </button>
      </div>
    </section>
  );
}

/** Shuffling, partial credit, when students see their results, and the leaderboard. */
export function RulesCard({
  draft,
  closed = false,
  onChange: update,
}: {
  draft: ExamDraft;
  /** a closed exam's leaderboard setting is final */
  closed?: boolean;
  onChange: (patch: Partial<ExamDraft>) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card stack" aria-labelledby="b-rules">
      <h2 id="b-rules" className="card__title">
        {t('builder.rules')}
      </h2>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.shuffleQuestions}
          onChange={(e) => update({ shuffleQuestions: e.target.checked })}
        />
        <span>{t('builder.shuffleQuestions')}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.shuffleOptions}
          onChange={(e) => update({ shuffleOptions: e.target.checked })}
        />
        <span>{t('builder.shuffleOptions')}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.partialCredit}
          onChange={(e) => update({ partialCredit: e.target.checked })}
        />
        <span>{t('builder.partialCredit')}</span>
      </label>
      <div className="field">
        <label htmlFor="b-negative">{t('builder.negativeMarking')}</label>
        <select
          id="b-negative"
          value={String(draft.negativeMarking)}
          onChange={(e) => update({ negativeMarking: Number(e.target.value) })}
          aria-describedby="b-negative-hint"
        >
          {negativeMarkingChoices(draft.negativeMarking).map((share) => (
            <option key={share} value={String(share)}>
              {share === 0
                ? t('builder.negativeOff')
                : t('builder.negativeShare', { percent: String(Math.round(share * 1000) / 10) })}
            </option>
          ))}
        </select>
        <small id="b-negative-hint" className="muted small">
          {t('builder.negativeHint')}
        </small>
      </div>
      <div className="field">
        <label htmlFor="b-policy">{t('builder.policy')}</label>
        <select
          id="b-policy"
          value={draft.resultPolicy}
          onChange={(e) => update({ resultPolicy: e.target.value as ResultPolicy })}
        >
          <option value="immediate">{t('builder.policyImmediate')}</option>
          <option value="after_close">{t('builder.policyAfterClose')}</option>
          <option value="manual">{t('builder.policyManual')}</option>
        </select>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.leaderboard.enabled}
          disabled={closed}
          onChange={(e) =>
            update({ leaderboard: { ...draft.leaderboard, enabled: e.target.checked } })
          }
        />
        <span>{t('builder.leaderboard')}</span>
      </label>
      <div className="field">
        <label htmlFor="b-leaderboard">{t('builder.leaderboardVisibility')}</label>
        <select
          id="b-leaderboard"
          value={draft.leaderboard.visibility}
          disabled={closed || !draft.leaderboard.enabled}
          onChange={(e) =>
            update({
              leaderboard: {
                ...draft.leaderboard,
                visibility: e.target.value as LeaderboardVisibility,
              },
            })
          }
        >
          <option value="staff">{t('builder.leaderboardStaff')}</option>
          <option value="students">{t('builder.leaderboardStudents')}</option>
          <option value="anonymous">{t('builder.leaderboardAnonymous')}</option>
        </select>
      </div>
    </section>
  );
}

interface SummaryProps {
  draft: ExamDraft;
  points: number;
  problems: MessageKey[];
  /** a draft cannot be published without questions and targets: say so */
  publishNeeds: boolean;
  error: unknown;
  /** the save button's label and whether it can be pressed */
  save: { label: string; disabled: boolean };
  /** absent when the exam cannot be deleted */
  onDelete?: () => void;
}

/** The counts, what is missing, and the form's save button. */
export function SummaryCard({
  draft,
  points,
  problems,
  publishNeeds,
  error,
  save,
  onDelete,
}: SummaryProps) {
  const { t, formatNumber } = useI18n();
  return (
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
          <dd>{formatNumber(points, 2)}</dd>
        </div>
        <div>
          <dt>{t('builder.targetsShort')}</dt>
          <dd>{draft.targets.length}</dd>
        </div>
      </dl>
      {problems.length > 0 && (
        <ul className="problems" aria-label={t('qedit.problems')}>
          {problems.map((p) => (
            <li key={p}>{t(p)}</li>
          ))}
        </ul>
      )}
      {publishNeeds && <p className="field__hint">{t('builder.publishNeeds')}</p>}
      <ErrorNote error={error} />
      <button type="submit" className="btn btn--primary btn--block" disabled={save.disabled}>
        {save.label}
      </button>
      {onDelete && (
        <button
          type="button"
          className="btn btn--ghost btn--danger-text btn--block"
          onClick={onDelete}
        >
          {t('builder.delete')}
        </button>
      )}
    </section>
  );
}

/** The shares a teacher picks from, and the exam's own if it was set to another (by API). */
function negativeMarkingChoices(current: number): number[] {
  const choices = [0, 0.25, 0.333, 0.5, 1];
  return choices.includes(current) ? choices : [...choices, current].sort((a, b) => a - b);
}

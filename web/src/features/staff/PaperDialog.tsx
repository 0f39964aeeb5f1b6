import { useId, useState, type FormEvent } from 'react';
import { adminApi } from '../../api/admin';
import type { ReviewAnswer, StaffResultView } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import { Badge, EmptyState, ErrorNote, Loading, StatusBadge, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';
import { kindLabel } from './QuestionsPage';

type Verdict = 'correct' | 'partial' | 'incorrect' | 'blank' | 'pending' | 'graded';
const verdictTone = {
  correct: 'success',
  partial: 'warning',
  incorrect: 'danger',
  blank: 'neutral',
  pending: 'warning',
  graded: 'success',
} as const;

const isBlank = (answer: ReviewAnswer['answer']) =>
  answer === null || (Array.isArray(answer) ? answer.length === 0 : answer.trim() === '');

const chosenIds = (answer: ReviewAnswer['answer']): string[] =>
  Array.isArray(answer) ? answer : typeof answer === 'string' ? [answer] : [];

/** How an answer stands: choices are judged against the key, written answers by their grade. */
function verdictOf(a: ReviewAnswer): Verdict | null {
  if (a.kind === 'text') {
    if (a.pending) return 'pending';
    if (isBlank(a.answer)) return 'blank';
    return a.awardedPoints === null ? null : 'graded';
  }
  if (isBlank(a.answer)) return 'blank';
  const chosen = new Set(chosenIds(a.answer));
  const exact =
    chosen.size === a.correctAnswer.length && a.correctAnswer.every((id) => chosen.has(id));
  if (exact) return 'correct';
  return (a.awardedPoints ?? 0) > 0 ? 'partial' : 'incorrect';
}

/**
 * A student's paper (`GET /admin/sessions/{id}`): every question in the exam's order with
 * the student's answer beside the key, and a points field for each written answer once the
 * session is submitted. Read-only while the student is still working.
 */
export function PaperDialog({
  sessionId,
  studentName,
  onClose,
  onGraded,
}: {
  sessionId: string;
  studentName: string;
  onClose: () => void;
  onGraded: () => void;
}) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const paper = useAsync(() => adminApi.sessions.review(sessionId), [sessionId]);
  const p = paper.data;
  const inProgress = p?.status === 'IN_PROGRESS';
  const max = (n: number) => formatNumber(n, 2);

  function graded(questionId: string, points: number, result: StaffResultView) {
    // show the new totals at once, then read the paper back for the rest
    paper.setData((prev) => ({
      ...prev!,
      status: result.status,
      score: result.score,
      pendingCount: result.pendingCount,
      answers: prev!.answers.map((a) =>
        a.questionId === questionId ? { ...a, awardedPoints: points, pending: false } : a,
      ),
    }));
    paper.reload();
    onGraded();
  }

  return (
    <Dialog
      open
      size="lg"
      title={t('grading.title', { name: studentName })}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn--secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      }
    >
      {paper.loading && !p && <Loading />}
      <ErrorNote error={paper.error} onRetry={paper.reload} />
      {p && (
        <>
          <dl className="paper-summary" data-testid="paper-summary">
            <div>
              <dt>{t('examsAdmin.status')}</dt>
              <dd>
                <StatusBadge status={p.status} />
              </dd>
            </div>
            <div>
              <dt>{t('result.score')}</dt>
              <dd data-testid="paper-score">
                {p.score === null ? '—' : `${formatNumber(p.score, 2)} / ${max(p.maxScore)}`}
              </dd>
            </div>
            <div>
              <dt>{t('grading.toGrade')}</dt>
              <dd data-testid="paper-pending">{inProgress ? '—' : p.pendingCount}</dd>
            </div>
            {p.submittedAt ? (
              <div>
                <dt>{t('grading.submitted')}</dt>
                <dd className="paper-summary__time">{formatDateTime(p.submittedAt)}</dd>
              </div>
            ) : (
              <div>
                <dt>{t('grading.ends')}</dt>
                <dd className="paper-summary__time">{formatDateTime(p.endsAt)}</dd>
              </div>
            )}
          </dl>
          {inProgress && (
            <div className="note note--info paper-note">
              <span>{t('grading.readOnly')}</span>
              <button type="button" className="btn btn--secondary btn--sm" onClick={paper.reload}>
                {t('monitor.refresh')}
              </button>
            </div>
          )}
          {!inProgress && !p.canGrade && (
            <p className="note note--info">{t('grading.cannotGrade')}</p>
          )}
          {!inProgress && p.pendingCount > 0 && (
            <p className="note note--warning">{t('grading.pendingNote', { n: p.pendingCount })}</p>
          )}
          {!inProgress && p.pendingCount === 0 && p.status === 'SCORED' && (
            <p className="note note--success">{t('grading.allGraded')}</p>
          )}
          {p.answers.length === 0 && <EmptyState title={t('grading.none')} />}
          <ol className="paper">
            {[...p.answers]
              .sort((a, b) => a.position - b.position)
              .map((a) => (
                <PaperQuestion
                  key={a.questionId}
                  sessionId={sessionId}
                  answer={a}
                  readOnly={inProgress || !p.canGrade}
                  onGraded={graded}
                />
              ))}
          </ol>
        </>
      )}
    </Dialog>
  );
}

function PaperQuestion({
  sessionId,
  answer: a,
  readOnly,
  onGraded,
}: {
  sessionId: string;
  answer: ReviewAnswer;
  readOnly: boolean;
  onGraded: (questionId: string, points: number, result: StaffResultView) => void;
}) {
  const { t, formatNumber } = useI18n();
  const headingId = useId();
  const verdict = verdictOf(a);
  const verdictLabel: Record<Verdict, string> = {
    correct: t('result.correct'),
    partial: t('grading.partial'),
    incorrect: t('result.incorrect'),
    blank: t('grading.notAnswered'),
    pending: t('result.awaiting'),
    graded: t('grading.graded'),
  };
  const chosen = new Set(chosenIds(a.answer));
  const key = new Set(a.correctAnswer);

  return (
    <li
      className={`paper-q${verdict ? ` paper-q--${verdict}` : ''}`}
      aria-labelledby={headingId}
      data-testid="paper-question"
    >
      <div className="paper-q__head">
        <span className="paper-q__n" aria-hidden="true">
          {a.position}
        </span>
        <div className="paper-q__meta">
          <h3 id={headingId} className="paper-q__title">
            {t('submit.questionN', { n: a.position })}
          </h3>
          <span className="muted small">
            {kindLabel(t, a.kind)} · {t('runner.points', { n: formatNumber(a.maxPoints, 2) })}
          </span>
        </div>
        {verdict && <Badge tone={verdictTone[verdict]}>{verdictLabel[verdict]}</Badge>}
        <span className="paper-q__points" data-testid="paper-points">
          {t('grading.awardedOf', {
            n: a.awardedPoints === null ? '—' : formatNumber(a.awardedPoints, 2),
            max: formatNumber(a.maxPoints, 2),
          })}
        </span>
      </div>

      {/* The server sanitizes question HTML on write. */}
      <div className="paper-q__text rich" dangerouslySetInnerHTML={{ __html: a.text }} />

      {a.kind === 'text' ? (
        <>
          <div className="paper-answer">
            <span className="paper-answer__label">{t('grading.studentAnswer')}</span>
            <blockquote className="paper-answer__text">
              {isBlank(a.answer) ? (
                <em className="muted">{t('grading.blank')}</em>
              ) : (
                (a.answer as string)
              )}
            </blockquote>
          </div>
          {!readOnly && <GradeForm sessionId={sessionId} answer={a} onGraded={onGraded} />}
        </>
      ) : (
        <ul
          className="paper-options"
          aria-label={a.kind === 'multi' ? t('runner.chooseAll') : t('runner.chooseOne')}
        >
          {a.options.map((option, i) => {
            const picked = chosen.has(option.id);
            const right = key.has(option.id);
            const state = picked ? (right ? 'right' : 'wrong') : right ? 'key' : 'plain';
            return (
              <li key={option.id} className={`paper-option paper-option--${state}`}>
                <span className="paper-option__key" aria-hidden="true">
                  {String.fromCharCode(65 + i)}
                </span>
                <span
                  className="paper-option__text rich"
                  dangerouslySetInnerHTML={{ __html: option.text }}
                />
                <span className="paper-option__marks">
                  {picked && (
                    <span className={`paper-mark paper-mark--${right ? 'right' : 'wrong'}`}>
                      <span aria-hidden="true">{right ? '✓' : '✗'}</span> {t('grading.chosen')}
                    </span>
                  )}
                  {right && <span className="paper-mark paper-mark--key">{t('grading.key')}</span>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </li>
  );
}

/** Points for one written answer: 0..maxPoints in steps of 0.5. */
function GradeForm({
  sessionId,
  answer: a,
  onGraded,
}: {
  sessionId: string;
  answer: ReviewAnswer;
  onGraded: (questionId: string, points: number, result: StaffResultView) => void;
}) {
  const { t, formatNumber } = useI18n();
  const toast = useToast();
  const inputId = useId();
  const errorId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const value = draft ?? (a.awardedPoints === null ? '' : String(a.awardedPoints));
  const changed = draft !== null && draft.trim() !== '' && Number(draft) !== a.awardedPoints;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const points = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(points) ||
      points < 0 ||
      points > a.maxPoints ||
      !Number.isInteger(points * 2)
    ) {
      setError(t('grading.range', { max: formatNumber(a.maxPoints, 2) }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await adminApi.sessions.grade(sessionId, a.questionId, points);
      setDraft(null);
      toast.show(t('grading.saved'), 'success');
      onGraded(a.questionId, points, result);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="grade-form" noValidate onSubmit={(e) => void submit(e)}>
      <label htmlFor={inputId} className="grade-form__label">
        <span aria-hidden="true">{t('grading.points')}</span>
        <span className="sr-only">{t('grading.pointsFor', { n: a.position })}</span>
      </label>
      <input
        id={inputId}
        type="number"
        inputMode="decimal"
        min={0}
        max={a.maxPoints}
        step={0.5}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
      />
      <span className="grade-form__max">/ {formatNumber(a.maxPoints, 2)}</span>
      <button
        type="submit"
        className={`btn btn--sm ${changed ? 'btn--primary' : 'btn--secondary'}`}
        disabled={busy || !changed}
        aria-label={t('grading.saveFor', { n: a.position })}
      >
        {busy ? t('common.saving') : t('grading.save')}
      </button>
      {error && (
        <p id={errorId} className="grade-form__error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

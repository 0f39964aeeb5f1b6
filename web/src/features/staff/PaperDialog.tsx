import { useState } from 'react';
import { adminApi } from '../../api/admin';
import type { GradingAnswer } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import { EmptyState, ErrorNote, Loading, errorText } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useAsync } from '../../lib/use-async';

function answerText(answer: GradingAnswer['answer']): string {
  if (answer === null || answer === undefined) return '';
  return Array.isArray(answer) ? answer.join(', ') : answer;
}

/** Manual grading of a session's text answers. */
export function GradingDialog({ sessionId, studentName, onClose, onGraded }: { sessionId: string; studentName: string; onClose: () => void; onGraded: () => void }) {
  const { t, formatNumber } = useI18n();
  const toast = useToast();
  const data = useAsync(async () => {
    const res = await adminApi.sessions.answers(sessionId);
    const list = Array.isArray(res) ? res : res.answers;
    return list.filter((a) => a.kind === 'text' || a.kind === undefined);
  }, [sessionId]);
  const [points, setPoints] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState<string | null>(null);

  async function grade(a: GradingAnswer) {
    const value = Number(points[a.questionId] ?? a.awardedPoints ?? '');
    if (!Number.isFinite(value)) return;
    setSaving(a.questionId);
    try {
      await adminApi.sessions.grade(sessionId, a.questionId, value);
      toast.show(t('grading.saved'), 'success');
      data.setData((list) => (list ?? []).map((x) => (x.questionId === a.questionId ? { ...x, awardedPoints: value } : x)));
      onGraded();
    } catch (err) {
      toast.show(errorText(t, err), 'danger');
    } finally {
      setSaving(null);
    }
  }

  return (
    <Dialog open size="lg" title={t('grading.title', { name: studentName })} onClose={onClose}>
      {data.loading && !data.data && <Loading />}
      <ErrorNote error={data.error} onRetry={data.reload} />
      {data.data && data.data.length === 0 && <EmptyState title={t('grading.none')} />}
      <ol className="grading-list">
        {(data.data ?? []).map((a, i) => {
          const max = a.maxPoints ?? a.points ?? undefined;
          const inputId = `grade-${a.questionId}`;
          return (
            <li key={a.questionId} className="grading-item">
              <div className="grading-item__q rich" dangerouslySetInnerHTML={{ __html: a.text ?? t('submit.questionN', { n: i + 1 }) }} />
              <blockquote className="grading-item__answer">{answerText(a.answer) || <em className="muted">{t('grading.blank')}</em>}</blockquote>
              <div className="row">
                <div className="field field--inline">
                  <label htmlFor={inputId}>{t('grading.points')}</label>
                  <input
                    id={inputId}
                    type="number"
                    min={0}
                    max={max}
                    step={0.5}
                    value={points[a.questionId] ?? (a.awardedPoints ?? '')}
                    onChange={(e) => setPoints((p) => ({ ...p, [a.questionId]: e.target.value }))}
                  />
                  {max !== undefined && <span className="muted small">/ {formatNumber(Number(max), 2)}</span>}
                </div>
                <button type="button" className="btn btn--primary btn--sm" disabled={saving !== null} onClick={() => void grade(a)}>
                  {saving === a.questionId ? t('common.saving') : t('grading.save')}
                </button>
                {a.awardedPoints !== null && a.awardedPoints !== undefined && <span className="badge badge--success">{t('grading.graded')}</span>}
              </div>
            </li>
          );
        })}
      </ol>
    </Dialog>
  );
}

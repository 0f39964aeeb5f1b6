import type { BankQuestion, Exam, ExamDraft } from '../../../api/types';
import type { MessageKey } from '../../../i18n/en';

/** A new exam: opens now (to the minute) for three hours, an hour to write it. */
export function newExamDraft(): ExamDraft {
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
    negativeMarking: 0,
    resultPolicy: 'immediate',
    leaderboard: { enabled: false, visibility: 'staff' },
  };
}

/** The editable part of a saved exam. */
export function draftOf(exam: Exam): ExamDraft {
  return {
    title: exam.title,
    description: exam.description ?? '',
    scheduledStart: exam.scheduledStart,
    scheduledEnd: exam.scheduledEnd,
    durationMinutes: exam.durationMinutes,
    targets: exam.targets ?? [],
    questions: (exam.questions ?? []).map((q) => ({
      questionId: q.questionId,
      ...(q.points != null ? { points: Number(q.points) } : {}),
    })),
    shuffleQuestions: exam.shuffleQuestions,
    shuffleOptions: exam.shuffleOptions,
    partialCredit: exam.partialCredit ?? false,
    negativeMarking: exam.negativeMarking ?? 0,
    resultPolicy: exam.resultPolicy,
    leaderboard: exam.leaderboard ?? { enabled: false, visibility: 'staff' },
  };
}

/** What keeps the draft from being saved, as the messages to show. */
export function draftProblems(draft: ExamDraft): MessageKey[] {
  const problems: MessageKey[] = [];
  if (!draft.title.trim()) problems.push('builder.needTitle');
  if (Date.parse(draft.scheduledEnd) <= Date.parse(draft.scheduledStart))
    problems.push('builder.needWindow');
  if (!(draft.durationMinutes > 0)) problems.push('builder.needDuration');
  return problems;
}

/** The exam's total: each question's points in this exam, or the bank's where it sets none. */
export function totalPoints(draft: ExamDraft, bankById: Map<string, BankQuestion>): number {
  return draft.questions.reduce(
    (sum, q) => sum + Number(q.points ?? bankById.get(q.questionId)?.points ?? 0),
    0,
  );
}

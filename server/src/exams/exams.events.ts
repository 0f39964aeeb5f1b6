import { topic } from '../platform/bus/index.js';

/** The exams feature's events on the bus: an exam went live, or closed. */
export interface ExamLifecycleEvent {
  examId: string;
  /** ISO-8601 */
  at: string;
}
export const ExamPublished = topic<ExamLifecycleEvent>('exam.published');
export const ExamClosed = topic<ExamLifecycleEvent>('exam.closed');

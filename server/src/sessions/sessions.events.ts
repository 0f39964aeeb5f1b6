import { topic } from '../platform/bus/index.js';
import type { SessionNotice } from './store/types.js';

/**
 * The sessions feature's events on the bus (at most once across processes: a subscriber is
 * idempotent, and anything that must not be lost is rebuilt from PostgreSQL's results).
 */

/** A result with its score was recorded: at submit (graded at once) or when a teacher finished grading. */
export interface SessionScoredEvent {
  sessionId: string;
  examId: string;
  studentId: string;
  score: number;
  maxScore: number;
  percentage: number;
  /** ISO-8601 */
  submittedAt: string;
  /**
   * Grows with every change of this result (first grading: the submission time in epoch ms;
   * each teacher's grade: one more), so a subscriber can tell a replay or a late, older
   * announcement from news.
   */
  version: number;
}
export const SessionScored = topic<SessionScoredEvent>('session.scored');

/** For the student's sockets on any process: time moved, or the session ended. */
export const SessionNoticeTopic = topic<SessionNotice>('session.notice');

import type { ExamTarget, LeaderboardVisibility } from '../../../contracts/exams.js';
import type { StudentPlacement } from '../grading/index.js';

/**
 * What the leaderboards feature needs from the rest of the product, wired in context.ts
 * from the exams and sessions features' services. Leaderboards import no feature's
 * internals: an exam's board is an index over that feature's results.
 */

/** An exam as its board needs it. */
export interface BoardExam {
  id: string;
  title: string;
  status: 'DRAFT' | 'PUBLISHED' | 'CLOSED';
  authorId: string | null;
  /** the points a full score is worth (fixed once published) */
  maxScore: number;
  leaderboard: { enabled: boolean; visibility: LeaderboardVisibility };
  targets: ExamTarget[];
}

/** A ranked result as PostgreSQL holds it, with where its student sits now. */
export interface RankedResult {
  studentId: string;
  score: number;
  /** epoch ms */
  submittedAt: number;
  version: number;
  classId: string | null;
  gradeLevel: number | null;
  majorCode: string | null;
}

export interface LeaderboardSources {
  /** null for a missing exam */
  exam(examId: string): Promise<BoardExam | null>;
  /** whether the exam's result policy shows students their scores now */
  resultsShown(examId: string): Promise<boolean>;
  /** the student's own session of the exam: its status, or null when they have none */
  sessionStatus(examId: string, studentId: string): Promise<string | null>;
  /** every SCORED result of the exam in PostgreSQL */
  rankedResults(examId: string): Promise<RankedResult[]>;
  placements(studentIds: readonly string[]): Promise<StudentPlacement[]>;
  /** Everyone with a session of the exam: where they sit and their name (one read, to warm caches). */
  examStudents(examId: string): Promise<(StudentPlacement & { name: string })[]>;
  names(studentIds: readonly string[]): Promise<{ studentId: string; name: string }[]>;
  className(classId: string): Promise<string | null>;
  /**
   * Resolves once results accepted before the call have reached PostgreSQL (or after a
   * bounded wait): a rebuild reads PostgreSQL, and the slow lane may be a moment behind.
   */
  settled(): Promise<void>;
}

import type postgres from 'postgres';
import type { AnswerKey, PublishedExam } from '../../../contracts/published-exam.js';
import type { StudentPlacement } from '../grading/index.js';
import type { Grade } from '../grading/index.js';
import type { CachedExam, SessionResult, SessionStatus } from './store/types.js';
import type { Sql } from '../platform/postgres.js';

/**
 * The sessions feature's SQL outside the hot store: reading published exams (the handshake
 * columns the exams feature writes at publish), the student's exam list, manual grading
 * and result release. Live answers go through the hot store, never through here.
 */
export interface MyExamRow {
  id: string;
  title: string;
  scheduledStart: Date;
  scheduledEnd: Date;
  durationMinutes: number;
  questionCount: number;
  sessionId: string | null;
  status: SessionStatus | null;
  leaderboardEnabled: boolean;
  leaderboardVisibility: 'staff' | 'students' | 'anonymous';
}

/** A ranked result as the leaderboards rebuild reads it, with where the student sits now. */
export interface ScoredResultRow {
  sessionId: string;
  studentId: string;
  score: number;
  maxScore: number;
  percentage: number;
  submittedAt: Date;
  version: number;
  classId: string | null;
  gradeLevel: number | null;
  majorCode: string | null;
}

interface ExamRowDb {
  payload: PublishedExam | null;
  key: AnswerKey | null;
  status: 'DRAFT' | 'PUBLISHED' | 'CLOSED';
  entryToken: string;
  resultsReleasedAt: Date | null;
  closedAt: Date | null;
  scheduledStart: Date;
  scheduledEnd: Date;
  authorId: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function createSessionsRepo(sql: Sql) {
  return {
    /** The published snapshot + live state, or null for a draft or a missing exam. */
    async publishedExam(examId: string): Promise<CachedExam | null> {
      const [row] = await sql<ExamRowDb[]>`
        SELECT published_payload AS payload, answer_key AS key, status, entry_token AS "entryToken",
               results_released_at AS "resultsReleasedAt", closed_at AS "closedAt",
               scheduled_start AS "scheduledStart", scheduled_end AS "scheduledEnd", author_id AS "authorId"
        FROM exams WHERE id = ${examId}`;
      if (!row || !row.payload || !row.key || row.status === 'DRAFT') return null;
      return {
        exam: row.payload,
        key: row.key,
        live: {
          examId,
          status: row.status,
          entryToken: row.entryToken,
          resultsReleasedAt: iso(row.resultsReleasedAt),
          closedAt: iso(row.closedAt),
          scheduledStart: row.scheduledStart.getTime(),
          scheduledEnd: row.scheduledEnd.getTime(),
          authorId: row.authorId,
        },
      };
    },

    /**
     * Where the student sits now (read from the school tables, not the token, so a class
     * change applies at once). Null when the student no longer exists.
     */
    async placement(studentId: string): Promise<StudentPlacement | null> {
      const [row] = await sql<
        { classId: string | null; gradeLevel: number | null; majorCode: string | null }[]
      >`
        SELECT s.class_id AS "classId", c.grade_level AS "gradeLevel", c.major_code AS "majorCode"
        FROM students s LEFT JOIN classes c ON c.id = s.class_id
        WHERE s.id = ${studentId}`;
      return row ? { studentId, ...row } : null;
    },

    /** Who a paper belongs to, as staff see it. */
    async studentCard(
      studentId: string,
    ): Promise<{ name: string; nisn: string; className: string | null } | null> {
      const [row] = await sql<{ name: string; nisn: string; className: string | null }[]>`
        SELECT s.name, s.nisn, c.name AS "className"
        FROM students s LEFT JOIN classes c ON c.id = s.class_id WHERE s.id = ${studentId}`;
      return row ?? null;
    },

    /**
     * Published exams targeting the student (by the target-rule index), plus any exam
     * they already have a session in (closed ones included, so results stay reachable).
     */
    async examsFor(p: StudentPlacement): Promise<MyExamRow[]> {
      return sql<MyExamRow[]>`
        WITH mine AS (
          SELECT r.exam_id FROM exam_target_rules r
          WHERE (r.target_type = 'STUDENT' AND r.target_value = ${p.studentId})
             OR (r.target_type = 'CLASS' AND r.target_value = ${p.classId ?? ''})
             OR (r.target_type = 'GRADE' AND r.target_value = ${p.gradeLevel === null ? '' : String(p.gradeLevel)})
             OR (r.target_type = 'MAJOR' AND upper(r.target_value) = upper(${p.majorCode ?? ''}))
        )
        SELECT e.id, e.title, e.scheduled_start AS "scheduledStart", e.scheduled_end AS "scheduledEnd",
               e.duration_minutes AS "durationMinutes",
               COALESCE(jsonb_array_length(e.published_payload -> 'questions'), 0)::int AS "questionCount",
               s.id AS "sessionId", s.status,
               e.leaderboard_enabled AS "leaderboardEnabled", e.leaderboard_visibility AS "leaderboardVisibility"
        FROM exams e
        LEFT JOIN exam_sessions s ON s.exam_id = e.id AND s.student_id = ${p.studentId}
        WHERE e.published_payload IS NOT NULL
          AND (s.id IS NOT NULL OR (e.status = 'PUBLISHED' AND e.id IN (SELECT exam_id FROM mine)))
        ORDER BY e.scheduled_start, e.title`;
    },

    /** IN_PROGRESS sessions past their deadline, for the sweeper's scan after a restart. */
    async overdueSessionIds(graceMs: number, limit: number): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        SELECT id FROM exam_sessions
        WHERE status = 'IN_PROGRESS' AND ends_at < now() - make_interval(secs => ${graceMs / 1000})
        ORDER BY ends_at LIMIT ${limit}`;
      return rows.map((r) => r.id);
    },

    /** Sessions of one exam still being written (closing the exam ends them). */
    async openSessionIds(examId: string): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        SELECT id FROM exam_sessions WHERE exam_id = ${examId} AND status = 'IN_PROGRESS'`;
      return rows.map((r) => r.id);
    },

    /** Sessions frozen but never graded (the process died in between). */
    async ungradedSubmittedIds(limit: number): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        SELECT id FROM exam_sessions WHERE status = 'SUBMITTED' AND result IS NULL LIMIT ${limit}`;
      return rows.map((r) => r.id);
    },

    /**
     * A teacher's points for one answer, applied under the session's row lock so two
     * teachers grading two answers of one paper cannot lose each other's points. `regrade`
     * recomputes the stored result; null from it aborts (nothing written).
     */
    async gradeAnswer(
      input: { sessionId: string; questionId: string; points: number; staffId: string },
      regrade: (current: SessionResult) => Grade,
    ): Promise<{ result: SessionResult; version: number } | null> {
      return sql.begin(async (tx) => {
        const [row] = await tx<{ result: SessionResult | null; version: number }[]>`
          SELECT result,
                 GREATEST(result_version, (extract(epoch FROM submitted_at) * 1000)::bigint)::float8 AS version
          FROM exam_sessions WHERE id = ${input.sessionId} FOR UPDATE`;
        if (!row?.result) return null;
        const grade = regrade(row.result);
        const result: SessionResult = {
          ...row.result,
          ...grade,
          status: grade.pendingCount > 0 ? 'PENDING_REVIEW' : 'SCORED',
        };
        await tx`
          INSERT INTO session_answers (session_id, question_id, answer, saved_at, awarded_points, graded_by, graded_at)
          VALUES (${input.sessionId}, ${input.questionId}, NULL, now(), ${input.points}, ${input.staffId}, now())
          ON CONFLICT (session_id, question_id) DO UPDATE
            SET awarded_points = EXCLUDED.awarded_points, graded_by = EXCLUDED.graded_by, graded_at = EXCLUDED.graded_at`;
        await tx`
          UPDATE exam_sessions
          SET status = ${result.status}, score = ${result.score}, max_score = ${result.maxScore},
              graded_count = ${result.gradedCount}, pending_count = ${result.pendingCount},
              result = ${tx.json(result as unknown as postgres.JSONValue)},
              result_version = ${row.version + 1}
          WHERE id = ${input.sessionId}`;
        return { result, version: row.version + 1 };
      });
    },

    /**
     * Every ranked (SCORED) result of an exam with the student's placement now: the source a
     * leaderboard is rebuilt from. `version` is the one announced with the result.
     */
    async scoredResults(examId: string): Promise<ScoredResultRow[]> {
      return sql<ScoredResultRow[]>`
        SELECT s.id AS "sessionId", s.student_id AS "studentId",
               s.score::float8 AS score, s.max_score::float8 AS "maxScore",
               COALESCE((s.result ->> 'percentage')::float8, 0) AS percentage,
               s.submitted_at AS "submittedAt",
               GREATEST(s.result_version, (extract(epoch FROM s.submitted_at) * 1000)::bigint)::float8 AS version,
               st.class_id AS "classId", c.grade_level AS "gradeLevel", c.major_code AS "majorCode"
        FROM exam_sessions s
        JOIN students st ON st.id = s.student_id
        LEFT JOIN classes c ON c.id = st.class_id
        WHERE s.exam_id = ${examId} AND s.status = 'SCORED' AND s.submitted_at IS NOT NULL`;
    },

    /** Where each of these students sits now (missing ids: no such student). */
    async placements(studentIds: readonly string[]): Promise<StudentPlacement[]> {
      if (studentIds.length === 0) return [];
      return sql<StudentPlacement[]>`
        SELECT s.id AS "studentId", s.class_id AS "classId", c.grade_level AS "gradeLevel", c.major_code AS "majorCode"
        FROM students s LEFT JOIN classes c ON c.id = s.class_id
        WHERE s.id = ANY(${studentIds as string[]}::uuid[])`;
    },

    /** Everyone with a session of the exam: where they sit now, and their name. */
    async examStudents(examId: string): Promise<(StudentPlacement & { name: string })[]> {
      return sql<(StudentPlacement & { name: string })[]>`
        SELECT st.id AS "studentId", st.name, st.class_id AS "classId",
               c.grade_level AS "gradeLevel", c.major_code AS "majorCode"
        FROM exam_sessions s
        JOIN students st ON st.id = s.student_id
        LEFT JOIN classes c ON c.id = st.class_id
        WHERE s.exam_id = ${examId}`;
    },

    /** Names and class names of these students, for boards. */
    async studentNames(
      studentIds: readonly string[],
    ): Promise<{ studentId: string; name: string }[]> {
      if (studentIds.length === 0) return [];
      return sql<{ studentId: string; name: string }[]>`
        SELECT id AS "studentId", name FROM students WHERE id = ANY(${studentIds as string[]}::uuid[])`;
    },

    /** Stamps the release once; a second release keeps the first time. */
    async releaseResults(examId: string): Promise<Date | null> {
      const [row] = await sql<{ at: Date }[]>`
        UPDATE exams SET results_released_at = COALESCE(results_released_at, now()), updated_at = now()
        WHERE id = ${examId} RETURNING results_released_at AS at`;
      return row?.at ?? null;
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

/**
 * For the school feature (wired in context.ts): how many exam sessions a student has. A
 * student with any is not deleted, since their sessions are the exam's results.
 */
export async function examSessionsOfStudent(db: Sql, studentId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM exam_sessions WHERE student_id = ${studentId}`;
  return row?.n ?? 0;
}

import type { MonitorStatus } from '../../../contracts/exams.js';
import type { Db } from './exams.repo.js';

/** One student of an exam's audience, with their session's progress (if any). */
export interface ParticipantRow {
  studentId: string;
  studentName: string;
  nisn: string;
  className: string | null;
  sessionId: string | null;
  status: MonitorStatus;
  startedAt: Date | null;
  submittedAt: Date | null;
  endsAt: Date | null;
  lastActivityAt: Date | null;
  score: number | null;
  maxScore: number | null;
  answeredCount: number;
  signalCount: number;
  /** questionId → awarded points from the recorded result (only when asked for) */
  points: Record<string, number> | null;
}

/**
 * Read-only reporting over the school and the sessions feature's tables, straight from
 * PostgreSQL (the source of truth, kept current by the sessions writers). The audience is
 * everyone the target rules match, plus anyone who started (a target may have been
 * removed after they began).
 */
export async function findParticipants(
  db: Db,
  examId: string,
  withPoints: boolean,
): Promise<ParticipantRow[]> {
  return db<ParticipantRow[]>`
    WITH rules AS (
      SELECT target_type, target_value FROM exam_target_rules WHERE exam_id = ${examId}
    ), audience AS (
      SELECT s.id FROM students s LEFT JOIN classes c ON c.id = s.class_id
      WHERE EXISTS (SELECT 1 FROM rules r WHERE
           (r.target_type = 'CLASS' AND r.target_value = s.class_id::text)
        OR (r.target_type = 'GRADE' AND r.target_value = c.grade_level::text)
        OR (r.target_type = 'MAJOR' AND r.target_value = c.major_code)
        OR (r.target_type = 'STUDENT' AND r.target_value = s.id::text))
      UNION
      SELECT student_id FROM exam_sessions WHERE exam_id = ${examId}
    )
    SELECT st.id AS "studentId", st.name AS "studentName", st.nisn, c.name AS "className",
      x.id AS "sessionId", COALESCE(x.status, 'NOT_STARTED') AS status,
      x.started_at AS "startedAt", x.submitted_at AS "submittedAt", x.ends_at AS "endsAt",
      GREATEST(x.last_activity_at, a.last_saved_at, x.started_at) AS "lastActivityAt",
      x.score::float8 AS score, x.max_score::float8 AS "maxScore",
      COALESCE(a.answered, 0)::int AS "answeredCount", COALESCE(ev.n, 0)::int AS "signalCount",
      -- per-question points come from the recorded result: it covers auto-graded answers,
      -- and manual grading rewrites it, so it is the one source of truth
      ${
        withPoints
          ? db`(SELECT json_object_agg(b->>'questionId', (b->>'points')::float8)
               FILTER (WHERE NOT COALESCE((b->>'pending')::boolean, false))
             FROM jsonb_array_elements(COALESCE(x.result->'breakdown', '[]'::jsonb)) b)`
          : db`NULL::json`
      } AS points
    FROM audience p
    JOIN students st ON st.id = p.id
    LEFT JOIN classes c ON c.id = st.class_id
    LEFT JOIN exam_sessions x ON x.exam_id = ${examId} AND x.student_id = st.id
    LEFT JOIN LATERAL (
      -- a cleared answer is stored as null (SQL or JSON): it does not count as answered
      SELECT count(*) FILTER (WHERE sa.answer IS NOT NULL AND sa.answer NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb)) AS answered,
             max(sa.saved_at) AS last_saved_at
      FROM session_answers sa WHERE sa.session_id = x.id
    ) a ON true
    LEFT JOIN LATERAL (SELECT count(*) AS n FROM session_events e WHERE e.session_id = x.id) ev ON true
    ORDER BY c.name NULLS LAST, st.name, st.nisn`;
}

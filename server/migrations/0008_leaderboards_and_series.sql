-- Leaderboards (API.md, "Exam leaderboards and ranks").
--
-- A result's version for the leaderboard index: it grows with every change of the result,
-- so a replayed or reordered announcement never puts an older score back. A result as first
-- graded has version = its submission time in epoch ms (what both lanes already write); a
-- teacher's grade sets GREATEST(result_version, that) + 1.
ALTER TABLE exam_sessions ADD COLUMN IF NOT EXISTS result_version bigint NOT NULL DEFAULT 0;
-- Rebuilding a board reads an exam's ranked results.
CREATE INDEX IF NOT EXISTS exam_sessions_scored ON exam_sessions (exam_id) WHERE status = 'SCORED';

-- A series: a try-out season or a mock-test bundle, ranked by the sum of percentages.
CREATE TABLE IF NOT EXISTS series (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title       text NOT NULL,
  author_id   uuid REFERENCES staff (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS series_exams (
  series_id  uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  exam_id    uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
  position   int  NOT NULL,
  PRIMARY KEY (series_id, exam_id)
);
CREATE INDEX IF NOT EXISTS series_exams_exam ON series_exams (exam_id);

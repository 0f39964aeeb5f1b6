-- An exam's leaderboard setting (API.md, "Exam leaderboards and ranks"): off by default;
-- who may see the board when it is on. Settable until the exam closes.
ALTER TABLE exams
  ADD COLUMN IF NOT EXISTS leaderboard_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN IF NOT EXISTS leaderboard_visibility text NOT NULL DEFAULT 'staff'
    CHECK (leaderboard_visibility IN ('staff', 'students', 'anonymous'));

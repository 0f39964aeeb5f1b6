-- Negative marking (API.md, "Question kinds"): the share of a question's points taken off
-- for a wrong objective answer. 0 (off) by default; frozen at publish like partial credit.
ALTER TABLE exams
  ADD COLUMN IF NOT EXISTS negative_marking numeric(4, 3) NOT NULL DEFAULT 0
    CHECK (negative_marking >= 0 AND negative_marking <= 1);

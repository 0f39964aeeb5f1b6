-- A student's exam sessions are records: deleting the student must not take their results
-- with it. The admin API refuses such a delete with a clear 409 first; this makes the
-- database refuse it too, so a session started between that check and the DELETE (or a
-- delete from anywhere else) cannot cascade away. The constraint name is 0001's default.
ALTER TABLE exam_sessions
  DROP CONSTRAINT exam_sessions_student_id_fkey,
  ADD CONSTRAINT exam_sessions_student_id_fkey
    FOREIGN KEY (student_id) REFERENCES students (id) ON DELETE RESTRICT;

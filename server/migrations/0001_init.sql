-- Examhall schema: the school and RBAC (seed 000), authentication, and the exam engine.
-- Applied once under an advisory lock (server/src/platform/migrate.ts).

-- ── School ──────────────────────────────────────────────────────────────────────────
CREATE TABLE classes (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  grade_level   int  NOT NULL CHECK (grade_level BETWEEN 1 AND 13),
  major_code    varchar(32) NOT NULL,
  group_number  int  NOT NULL CHECK (group_number >= 1),
  name          text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- eligibility by GRADE and MAJOR targets
CREATE INDEX classes_grade_major ON classes (grade_level, major_code);

CREATE TABLE students (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nisn           varchar(20) NOT NULL UNIQUE,
  name           text NOT NULL,
  class_id       uuid REFERENCES classes (id) ON DELETE RESTRICT,
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX students_class ON students (class_id);
CREATE INDEX students_name_lower ON students (lower(name) text_pattern_ops);

-- ── Staff and RBAC ──────────────────────────────────────────────────────────────────
CREATE TABLE roles (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL UNIQUE,
  description  text NOT NULL DEFAULT '',
  builtin      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE permissions (
  id           serial PRIMARY KEY,
  code         text NOT NULL UNIQUE,
  description  text NOT NULL DEFAULT ''
);

CREATE TABLE role_permissions (
  role_id        uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission_id  int  NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
  PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE staff (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email           text NOT NULL UNIQUE CHECK (email = lower(email)),
  name            text NOT NULL,
  password_hash   text NOT NULL,
  role_id         uuid REFERENCES roles (id) ON DELETE RESTRICT,
  is_super_admin  boolean NOT NULL DEFAULT false,
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_role ON staff (role_id);

-- ── Authentication ──────────────────────────────────────────────────────────────────
-- One row per login (a refresh-token family). Students keep one live login (single device).
CREATE TABLE logins (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_kind       text NOT NULL CHECK (user_kind IN ('student', 'staff')),
  user_id         uuid NOT NULL,
  ip              text,
  user_agent      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  revoked_reason  text CHECK (revoked_reason IN ('LOGOUT', 'REPLACED', 'REUSE', 'RESET', 'DISABLED'))
);
CREATE INDEX logins_user_live ON logins (user_kind, user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  login_id    uuid NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX refresh_tokens_login ON refresh_tokens (login_id);

-- ── Question bank ───────────────────────────────────────────────────────────────────
CREATE TABLE questions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  author_id    uuid REFERENCES staff (id) ON DELETE SET NULL,
  kind         text NOT NULL CHECK (kind IN ('single', 'multi', 'text')),
  text         text NOT NULL,
  options      jsonb NOT NULL DEFAULT '[]',   -- [{id:"A", text}]
  correct      jsonb NOT NULL DEFAULT '[]',   -- ["B"]; never leaves the staff API
  points       numeric(8, 2) NOT NULL DEFAULT 1 CHECK (points >= 0),
  explanation  text NOT NULL DEFAULT '',
  tags         text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_author ON questions (author_id);
CREATE INDEX questions_tags ON questions USING gin (tags);

-- ── Exams ───────────────────────────────────────────────────────────────────────────
CREATE TABLE exams (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  author_id          uuid REFERENCES staff (id) ON DELETE SET NULL,
  title              text NOT NULL,
  description        text NOT NULL DEFAULT '',
  scheduled_start    timestamptz NOT NULL,
  scheduled_end      timestamptz NOT NULL,
  duration_minutes   int NOT NULL CHECK (duration_minutes > 0),
  entry_token        varchar(6) NOT NULL,
  shuffle_questions  boolean NOT NULL DEFAULT false,
  shuffle_options    boolean NOT NULL DEFAULT false,
  partial_credit     boolean NOT NULL DEFAULT false,
  result_policy      text NOT NULL DEFAULT 'immediate' CHECK (result_policy IN ('immediate', 'after_close', 'manual')),
  status             text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'CLOSED')),
  -- frozen at publish: what students see (no correct answers) and the answer key, so the
  -- hot store can be rebuilt after a restart exactly as it was published
  published_payload  jsonb,
  answer_key         jsonb,
  published_at       timestamptz,
  closed_at          timestamptz,
  results_released_at timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (scheduled_end > scheduled_start)
);
CREATE INDEX exams_author ON exams (author_id);
CREATE INDEX exams_status_start ON exams (status, scheduled_start);

CREATE TABLE exam_questions (
  exam_id      uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
  question_id  uuid NOT NULL REFERENCES questions (id) ON DELETE RESTRICT,
  position     int  NOT NULL,
  points       numeric(8, 2) CHECK (points >= 0),   -- NULL: the question's own points
  PRIMARY KEY (exam_id, question_id),
  UNIQUE (exam_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX exam_questions_question ON exam_questions (question_id);

CREATE TABLE exam_target_rules (
  id            bigserial PRIMARY KEY,
  exam_id       uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
  target_type   text NOT NULL CHECK (target_type IN ('CLASS', 'GRADE', 'MAJOR', 'STUDENT')),
  target_value  text NOT NULL,
  UNIQUE (exam_id, target_type, target_value)
);
-- "which exams target this student" (by class id, grade, major or student id)
CREATE INDEX exam_target_rules_lookup ON exam_target_rules (target_type, target_value);

-- ── Sessions ────────────────────────────────────────────────────────────────────────
CREATE TABLE exam_sessions (
  id                uuid PRIMARY KEY,
  exam_id           uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
  student_id        uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  status            text NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUBMITTED', 'SCORED', 'PENDING_REVIEW')),
  started_at        timestamptz NOT NULL,
  ends_at           timestamptz NOT NULL,
  shuffle_seed      bigint NOT NULL,
  question_order    uuid[] NOT NULL,
  option_orders     jsonb NOT NULL DEFAULT '{}',
  submitted_at      timestamptz,
  submit_reason     text CHECK (submit_reason IN ('STUDENT', 'TIME_UP', 'STAFF')),
  score             numeric(10, 2),
  max_score         numeric(10, 2),
  graded_count      int,
  pending_count     int,
  result            jsonb,
  answered_count    int NOT NULL DEFAULT 0,
  last_activity_at  timestamptz,
  UNIQUE (exam_id, student_id)
);
CREATE INDEX exam_sessions_student_exam ON exam_sessions (student_id, exam_id);
-- the expiry sweeper's scan
CREATE INDEX exam_sessions_open_deadline ON exam_sessions (ends_at) WHERE status = 'IN_PROGRESS';

-- Last write per question wins: `seq` orders writes per session, so a redelivered or
-- reordered write-behind batch never overwrites a newer answer.
CREATE TABLE session_answers (
  session_id      uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
  question_id     uuid NOT NULL,
  answer          jsonb,
  seq             bigint NOT NULL DEFAULT 0,
  saved_at        timestamptz NOT NULL,
  client_ts       timestamptz,
  awarded_points  numeric(8, 2),
  graded_by       uuid REFERENCES staff (id) ON DELETE SET NULL,
  graded_at       timestamptz,
  PRIMARY KEY (session_id, question_id)
);

CREATE TABLE session_events (
  id           bigserial PRIMARY KEY,
  session_id   uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
  type         text NOT NULL,
  at           timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  detail       jsonb
);
CREATE INDEX session_events_session ON session_events (session_id, at);

-- ── Seeded RBAC ─────────────────────────────────────────────────────────────────────
INSERT INTO permissions (code, description) VALUES
  ('classes:read', 'See classes'),
  ('classes:write', 'Create, edit and delete classes'),
  ('students:read', 'See students'),
  ('students:write', 'Create, edit, import and delete students'),
  ('students:reset_login', 'Sign a student out of every device'),
  ('staff:read', 'See staff accounts and roles'),
  ('staff:write', 'Manage staff accounts and roles'),
  ('questions:read', 'See the question bank'),
  ('questions:write_own', 'Author and edit own questions'),
  ('questions:write_all', 'Edit every question'),
  ('exams:read_all', 'See and monitor every exam'),
  ('exams:write_own', 'Author, publish and manage own exams'),
  ('exams:write_all', 'Manage every exam'),
  ('sessions:grade', 'Grade text answers of exams one may manage'),
  ('sessions:extend', 'Extend a student''s time'),
  ('uploads:write', 'Upload images')
ON CONFLICT (code) DO NOTHING;

INSERT INTO roles (name, description, builtin) VALUES
  ('Admin', 'Everything', true),
  ('Teacher', 'Builds and runs own exams, grades them', true),
  ('Proctor', 'Watches exams in the room: monitor, extend time, reset logins', true)
ON CONFLICT (name) DO NOTHING;

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p ON
  r.name = 'Admin'
  OR (r.name = 'Teacher' AND p.code IN ('classes:read', 'students:read', 'questions:read',
      'questions:write_own', 'exams:write_own', 'sessions:grade', 'sessions:extend', 'uploads:write'))
  OR (r.name = 'Proctor' AND p.code IN ('classes:read', 'students:read', 'students:reset_login',
      'exams:read_all', 'sessions:extend'))
ON CONFLICT DO NOTHING;

import type { Logger } from 'pino';
import type { CreateQuestionBody } from '../../contracts/questions.js';
import { hashPassword, type StaffPrincipal } from './auth/index.js';
import type { AppContext } from './context.js';
import type { Sql } from './platform/postgres.js';

export const DEMO_LOGINS = {
  admin: { email: 'admin@demo.examhall.test', password: 'demo-admin-pass' },
  teacher: { email: 'teacher@demo.examhall.test', password: 'demo-teacher-pass' },
  student: { nisn: '0012345601', password: 'demo-student' },
};

export const DEMO_EXAM_TITLE = 'Demo tryout: general knowledge';

/**
 * A first start on an empty database seeds a demo school and a published exam, so a
 * newcomer can sign in and take it at once. Returns the exam's entry token — on the first
 * start, and on later starts while the demo exam is still there.
 */
export async function seedDemo(ctx: AppContext): Promise<string | null> {
  const teacher = await seedDemoSchool(ctx.sql, ctx.logger);
  if (teacher) await seedDemoExam(ctx, teacher);
  const [exam] = await ctx.sql<{ entryToken: string }[]>`
    SELECT entry_token AS "entryToken" FROM exams WHERE title = ${DEMO_EXAM_TITLE} AND status = 'PUBLISHED' LIMIT 1`;
  return exam?.entryToken ?? null;
}

/**
 * "Empty" means no classes and no students (a super-admin from ADMIN_EMAIL may exist); the school is one transaction under an advisory
 * lock, so it is seeded exactly once even when processes start together. Returns the demo
 * teacher (who will author the exam) when this call seeded it.
 */
async function seedDemoSchool(
  sql: Sql,
  log: Logger,
): Promise<{ id: string; classIds: string[] } | null> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7402113552)`;
    const [{ n } = { n: 0 }] = await tx<
      { n: number }[]
    >`SELECT (SELECT count(*) FROM classes) + (SELECT count(*) FROM students) AS n`;
    if (n > 0) return null;
    const [cls] = await tx<{ id: string }[]>`
      INSERT INTO classes (grade_level, major_code, group_number, name) VALUES (10, 'IPA', 1, 'X IPA 1') RETURNING id`;
    const [ips] = await tx<{ id: string }[]>`
      INSERT INTO classes (grade_level, major_code, group_number, name) VALUES (10, 'IPS', 1, 'X IPS 1') RETURNING id`;
    const studentHash = await hashPassword(DEMO_LOGINS.student.password, 8);
    const students = Array.from({ length: 30 }, (_, i) => ({
      nisn: `00123456${String(i + 1).padStart(2, '0')}`,
      name: DEMO_NAMES[i % DEMO_NAMES.length]!,
      class_id: cls!.id,
      password_hash: studentHash,
    }));
    await tx`INSERT INTO students ${tx(students, 'nisn', 'name', 'class_id', 'password_hash')}`;
    await tx`
      INSERT INTO staff (email, name, password_hash, role_id) VALUES
        (${DEMO_LOGINS.admin.email}, 'Demo Admin', ${await hashPassword(DEMO_LOGINS.admin.password, 10)}, (SELECT id FROM roles WHERE name = 'Admin'))
      ON CONFLICT (email) DO NOTHING`;
    const [teacher] = await tx<{ id: string }[]>`
      INSERT INTO staff (email, name, password_hash, role_id) VALUES
        (${DEMO_LOGINS.teacher.email}, 'Demo Teacher', ${await hashPassword(DEMO_LOGINS.teacher.password, 10)}, (SELECT id FROM roles WHERE name = 'Teacher'))
      RETURNING id`;
    log.info('demo school seeded');
    return { id: teacher!.id, classIds: [cls!.id, ips!.id] };
  });
}

/** The demo exam goes through the real services, so it is exactly what a teacher would build. */
async function seedDemoExam(
  ctx: AppContext,
  teacher: { id: string; classIds: string[] },
): Promise<void> {
  const author: StaffPrincipal = {
    kind: 'staff',
    id: teacher.id,
    loginId: 'demo-seed',
    name: 'Demo Teacher',
    superAdmin: false,
    permissions: new Set(['questions:write_own', 'exams:write_own']),
  };
  const questionIds: string[] = [];
  for (const body of DEMO_QUESTIONS)
    questionIds.push((await ctx.questions.create(author, body)).id);
  const now = Date.now();
  const exam = await ctx.exams.create(author, {
    title: DEMO_EXAM_TITLE,
    description:
      'A short mixed quiz to try Examhall: choices are graded at once, the written answer by the teacher.',
    scheduledStart: new Date(now - 60 * 60_000).toISOString(),
    scheduledEnd: new Date(now + 30 * 24 * 60 * 60_000).toISOString(),
    durationMinutes: 20,
    targets: teacher.classIds.map((value) => ({ type: 'CLASS' as const, value })),
    questions: questionIds.map((questionId) => ({ questionId })),
    shuffleQuestions: true,
    shuffleOptions: true,
    resultPolicy: 'immediate',
  });
  await ctx.exams.publish(author, exam.id);
  ctx.logger.info({ examId: exam.id }, 'demo exam published');
}

const choices = (...texts: string[]) =>
  texts.map((text, i) => ({ id: String.fromCharCode(65 + i), text }));

const DEMO_QUESTIONS: CreateQuestionBody[] = [
  {
    kind: 'single',
    text: '<p>What is the capital of Indonesia?</p>',
    options: choices('Surabaya', 'Jakarta', 'Bandung', 'Medan'),
    correct: ['B'],
    points: 2,
  },
  {
    kind: 'single',
    text: '<p>Water boils at sea level at…</p>',
    options: choices('90 °C', '100 °C', '110 °C', '120 °C'),
    correct: ['B'],
    points: 2,
  },
  {
    kind: 'multi',
    text: '<p>Which of these are prime numbers?</p>',
    options: choices('2', '9', '11', '15'),
    correct: ['A', 'C'],
    points: 3,
  },
  {
    kind: 'single',
    text: '<p>Which planet is closest to the Sun?</p>',
    options: choices('Venus', 'Earth', 'Mercury', 'Mars'),
    correct: ['C'],
    points: 2,
  },
  { kind: 'text', text: '<p>In one or two sentences: why do we have seasons?</p>', points: 3 },
];

const DEMO_NAMES = [
  'Ayu Lestari',
  'Budi Santoso',
  'Citra Dewi',
  'Dimas Pratama',
  'Eka Putri',
  'Fajar Nugroho',
  'Gita Maharani',
  'Hadi Wijaya',
  'Indah Permata',
  'Joko Susilo',
  'Kartika Sari',
  'Lukman Hakim',
  'Maya Anggraini',
  'Nanda Saputra',
  'Oktavia Rahma',
  'Putra Ramadhan',
  'Qori Amalia',
  'Rizky Firmansyah',
  'Sinta Wulandari',
  'Teguh Prasetyo',
  'Umi Kalsum',
  'Vina Oktaviani',
  'Wahyu Hidayat',
  'Xena Puspita',
  'Yoga Aditya',
  'Zahra Nabila',
  'Arif Rahman',
  'Bella Safitri',
  'Candra Kusuma',
  'Dewi Anjani',
];

import { createHash, randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  ClassRecord,
  ExamRecord,
  ImportReport,
  QuestionRecord,
  TokenPair,
} from './contract.js';
import type { KeyedQuestion } from './grading.js';
import { ApiClient, listItems, multipartFile, type ApiRequest, type ApiResult } from './http.js';

/** Bulk imports hash every password (bcrypt): give them minutes, not the phase timeout. */
const SETUP_TIMEOUT_MS = 10 * 60_000;
const IMPORT_CHUNK = 500;

/**
 * A staff login that renews itself: provisioning 10,000 students can outlast an access
 * token, and the integrity check runs after the whole day.
 */
export class StaffSession {
  private token = '';

  constructor(
    private readonly api: ApiClient,
    private readonly email: string,
    private readonly password: string,
  ) {}

  async login(): Promise<void> {
    const pair = await this.api.must<TokenPair>('POST', '/api/v1/auth/login', {
      json: { email: this.email, password: this.password },
    });
    if (pair.user.kind !== 'staff') throw new Error(`${this.email} is not a staff account`);
    this.token = pair.accessToken;
  }

  async must<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    route: string,
    req: ApiRequest = {},
  ): Promise<T> {
    const first = await this.api.call<T>(method, route, {
      ...req,
      token: this.token,
      timeoutMs: req.timeoutMs ?? SETUP_TIMEOUT_MS,
    });
    if (first.status !== 401) return check(method, route, first);
    await this.login();
    return check(
      method,
      route,
      await this.api.call<T>(method, route, {
        ...req,
        token: this.token,
        timeoutMs: req.timeoutMs ?? SETUP_TIMEOUT_MS,
      }),
    );
  }
}

function check<T>(method: string, route: string, r: ApiResult<T>): T {
  if (r.status < 200 || r.status >= 300) {
    throw new Error(
      `provisioning: ${method} ${route} → ${r.status} ${r.errorCode ?? ''}: ${r.errorMessage ?? ''}`,
    );
  }
  return r.body as T;
}

/** Everything a run needs from provisioning; also what `--reuse` stores per label. */
export interface Provisioned {
  label: string;
  classId: string;
  className: string;
  studentCount: number;
  nisnPrefix: string;
  questions: KeyedQuestion[];
}

export interface ExamUnderTest {
  examId: string;
  entryToken: string;
  questions: KeyedQuestion[];
}

export interface StudentLogin {
  index: number;
  nisn: string;
  password: string;
}

/**
 * NISNs are ten digits (what a school's import expects): 9, three digits from the label,
 * six for the index, so two labels rarely collide and a label always maps to the same
 * accounts (which is what makes `--reuse` work).
 */
function nisnPrefix(label: string): string {
  const digest = createHash('sha256').update(label).digest();
  return `9${String(digest.readUInt16BE(0) % 1000).padStart(3, '0')}`;
}

export function studentLogin(
  p: Pick<Provisioned, 'nisnPrefix' | 'label'>,
  index: number,
): StudentLogin {
  return {
    index,
    nisn: `${p.nisnPrefix}${String(index).padStart(6, '0')}`,
    password: `bench-${p.label}-${index}`,
  };
}

function statePath(resultsDir: string, label: string): string {
  return path.join(resultsDir, 'state', `${label.replace(/[^\w.-]/g, '_')}.json`);
}

async function loadState(resultsDir: string, label: string): Promise<Provisioned | undefined> {
  try {
    return JSON.parse(await fs.readFile(statePath(resultsDir, label), 'utf8')) as Provisioned;
  } catch {
    return undefined;
  }
}

async function saveState(resultsDir: string, state: Provisioned): Promise<void> {
  const file = statePath(resultsDir, state.label);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(state, null, 2));
}

/** Questions with varied points and both objective kinds, so a wrong re-grade cannot hide. */
function questionBodies(count: number, label: string) {
  return Array.from({ length: count }, (_, i) => {
    if (i % 5 === 4) {
      const optionIds = ['A', 'B', 'C', 'D', 'E'];
      const correct = i % 2 === 0 ? ['A', 'C'] : ['B', 'D', 'E'];
      return {
        kind: 'multi' as const,
        optionIds,
        correct,
        points: 2,
        text: `<p>[${label}] multi question ${i + 1}</p>`,
      };
    }
    const optionIds = ['A', 'B', 'C', 'D'];
    return {
      kind: 'single' as const,
      optionIds,
      correct: [optionIds[i % 4] as string],
      points: 1 + (i % 3),
      text: `<p>[${label}] single question ${i + 1}</p>`,
    };
  });
}

async function importStudents(
  staff: StaffSession,
  p: Provisioned,
  from: number,
  to: number,
  log: (s: string) => void,
): Promise<void> {
  for (let start = from; start < to; start += IMPORT_CHUNK) {
    const end = Math.min(to, start + IMPORT_CHUNK);
    const rows = ['nisn,name,password,class'];
    for (let i = start; i < end; i += 1) {
      const s = studentLogin(p, i);
      rows.push(`${s.nisn},Bench Student ${p.label} ${i},${s.password},${p.className}`);
    }
    const report = await staff.must<ImportReport>('POST', '/api/v1/admin/students/import', {
      raw: multipartFile('students.csv', 'text/csv', Buffer.from(`${rows.join('\n')}\n`)),
    });
    if (report.errors.length > 0) {
      const first = report.errors
        .slice(0, 3)
        .map((e) => `row ${e.row}: ${e.message}`)
        .join('; ');
      throw new Error(`student import refused ${report.errors.length} rows (${first})`);
    }
    log(
      `  imported students ${start}..${end - 1} (created ${report.created}, updated ${report.updated})`,
    );
  }
}

/**
 * Class, students and questions for a label. With `reuse`, the saved state is trusted when
 * its class still exists on this deployment, and only missing students are imported.
 */
export async function provisionSchool(
  staff: StaffSession,
  opts: { label: string; students: number; questions: number; reuse: boolean; resultsDir: string },
  log: (s: string) => void,
): Promise<Provisioned> {
  if (opts.reuse) {
    const saved = await loadState(opts.resultsDir, opts.label);
    const classes = saved
      ? listItems<ClassRecord>(await staff.must('GET', '/api/v1/admin/classes?majorCode=BENCH'))
      : [];
    if (
      saved &&
      classes.some((c) => c.id === saved.classId) &&
      saved.questions.length >= opts.questions
    ) {
      if (saved.studentCount < opts.students) {
        log(`reuse ${opts.label}: importing students ${saved.studentCount}..${opts.students - 1}`);
        await importStudents(staff, saved, saved.studentCount, opts.students, log);
        saved.studentCount = opts.students;
        await saveState(opts.resultsDir, saved);
      }
      log(
        `reuse ${opts.label}: class ${saved.className}, ${saved.studentCount} students, ${saved.questions.length} questions`,
      );
      return { ...saved, questions: saved.questions.slice(0, opts.questions) };
    }
    log(`reuse ${opts.label}: nothing reusable on this deployment, provisioning afresh`);
  }

  // A fresh class name per provisioning: a class left from an earlier run keeps its students.
  const suffix = Date.now().toString(36).slice(-5);
  const className = `BENCH ${opts.label} ${suffix}`;
  const created = await staff.must<ClassRecord>('POST', '/api/v1/admin/classes', {
    json: { gradeLevel: 12, majorCode: 'BENCH', groupNumber: 1 + randomInt(900), name: className },
  });
  const state: Provisioned = {
    label: opts.label,
    classId: created.id,
    className,
    studentCount: 0,
    nisnPrefix: nisnPrefix(opts.label),
    questions: [],
  };
  log(`provision: class ${className} (${created.id})`);
  await importStudents(staff, state, 0, opts.students, log);
  state.studentCount = opts.students;

  for (const q of questionBodies(opts.questions, opts.label)) {
    const record = await staff.must<QuestionRecord>('POST', '/api/v1/admin/questions', {
      json: {
        kind: q.kind,
        text: q.text,
        options: q.optionIds.map((id) => ({ id, text: `option ${id}` })),
        correct: q.correct,
        points: q.points,
        explanation: '',
        tags: ['bench', opts.label],
      },
    });
    state.questions.push({
      id: record.id,
      kind: q.kind,
      optionIds: q.optionIds,
      correct: q.correct,
      points: q.points,
    });
  }
  log(`provision: ${state.questions.length} questions`);
  await saveState(opts.resultsDir, state);
  return state;
}

/**
 * A fresh published exam per run (sessions are one per student and exam, so a used exam
 * cannot be run twice). Shuffled questions and options: the realistic, costlier path.
 */
export async function publishExam(
  staff: StaffSession,
  school: Provisioned,
  log: (s: string) => void,
): Promise<ExamUnderTest> {
  const now = Date.now();
  const exam = await staff.must<ExamRecord>('POST', '/api/v1/admin/exams', {
    json: {
      title: `Bench ${school.label} ${new Date(now).toISOString()}`,
      description: 'Created by the exam-day benchmark',
      // A window around now, long enough for any run (a slow soak included).
      scheduledStart: new Date(now - 10 * 60_000).toISOString(),
      scheduledEnd: new Date(now + 6 * 3600_000).toISOString(),
      durationMinutes: 180,
      targets: [{ type: 'CLASS', value: school.classId }],
      questions: school.questions.map((q) => ({ questionId: q.id, points: q.points })),
      shuffleQuestions: true,
      shuffleOptions: true,
      partialCredit: false,
      resultPolicy: 'immediate',
      // Every submit then ranks itself, and the burst reads the board (issue 12).
      leaderboard: { enabled: true, visibility: 'students' },
    },
  });
  const published = await staff.must<ExamRecord | undefined>(
    'POST',
    `/api/v1/admin/exams/${exam.id}/publish`,
  );
  log(
    `provision: exam ${exam.id} published (entry token ${published?.entryToken ?? exam.entryToken})`,
  );
  // The server issues the entry token (it can be rotated); the publish answer is the latest word.
  return {
    examId: exam.id,
    entryToken: published?.entryToken ?? exam.entryToken,
    questions: school.questions,
  };
}

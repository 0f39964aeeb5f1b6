import { afterAll, beforeAll, expect } from 'vitest';
import type { Leaderboard } from '../../../contracts/leaderboards.js';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  freshRedisUrl,
  login,
  type TestApp,
} from '../../test/harness.js';
import type { ExamSpec, TestExam } from '../sessions/test-factories.js';

/**
 * The leaderboards tests' app on one lane (memory index, or the Redis one every process
 * shares), with three classes, an admin, and students who take exams through the API.
 */

export const LANES = ['memory', 'redis'] as const;
export type Lane = (typeof LANES)[number];

export type Headers = { authorization: string };
export interface Pupil {
  id: string;
  name: string;
  classId: string;
  headers: Headers;
  sessionId?: string;
}

/** Questions worth 1, 2, 3 and 4 points: a student's score is the sum of those answered right. */
export const QUESTIONS: ExamSpec['questions'] = [1, 2, 3, 4].map((points) => ({
  kind: 'single',
  options: ['A', 'B'],
  correct: ['A'],
  points,
}));

export const percentile = (below: number, total: number) => Math.round((1000 * below) / total) / 10;

/** A board without its process-local change time (two processes disagree on that only). */
export const strip = (boards: Leaderboard[]) => boards.map(({ updatedAt: _, ...rest }) => rest);

/** Waits for a bus delivery (asynchronous by design) without a fixed sleep. */
export async function eventually(check: () => Promise<void>, attempts = 100): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export class BoardsApp {
  t!: TestApp;
  classA!: { id: string; name: string };
  classB!: { id: string; name: string };
  classC!: { id: string; name: string };
  admin!: Headers;

  async pupil(classId: string, name: string): Promise<Pupil> {
    const s = await createStudent(this.t.sql, { classId, name });
    const { accessToken } = await login(this.t.app, { nisn: s.nisn, password: s.password });
    return { id: s.id, name, classId, headers: bearer(accessToken) };
  }

  async start(p: Pupil, exam: TestExam): Promise<string> {
    const res = await this.t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${exam.id}/sessions`,
      headers: p.headers,
      payload: { entryToken: exam.entryToken },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json().sessionId as string;
  }

  /** Answers right exactly the choice questions whose bit is set in `mask`, then submits. */
  async take(p: Pupil, exam: TestExam, mask: number) {
    const sessionId = await this.start(p, exam);
    p.sessionId = sessionId;
    const answers = exam.payload.questions.flatMap((q, i) =>
      q.kind === 'single' ? [{ questionId: q.id, answer: mask & (1 << i) ? 'A' : 'B' }] : [],
    );
    const saved = await this.t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers: p.headers,
      payload: { answers },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const res = await this.t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/submit`,
      headers: p.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { score: number; rank?: number; rankTotal?: number; percentile?: number };
  }

  async board(headers: Headers, url: string) {
    const res = await this.t.app.inject({ method: 'GET', url, headers });
    return {
      status: res.statusCode,
      body: res.json() as Leaderboard & { error?: { code: string } },
    };
  }

  /** Standard competition ranks from PostgreSQL: 1 + results with a strictly higher score. */
  async ranksFromDatabase(examId: string, studentIds?: string[]) {
    const { sql } = this.t;
    const rows = await sql<{ studentId: string; score: number }[]>`
      SELECT student_id AS "studentId", score::float8 AS score FROM exam_sessions
      WHERE exam_id = ${examId} AND status = 'SCORED'
        ${studentIds ? sql`AND student_id = ANY(${studentIds}::uuid[])` : sql``}`;
    const ranks = new Map<string, { rank: number; below: number; total: number; score: number }>();
    for (const r of rows)
      ranks.set(r.studentId, {
        rank: 1 + rows.filter((o) => o.score > r.score).length,
        below: rows.filter((o) => o.score < r.score).length,
        total: rows.length,
        score: r.score,
      });
    return ranks;
  }
}

/** Builds the app for the enclosing describe (before its tests, closed after). */
export function useBoardsApp(lane: Lane): BoardsApp {
  const h = new BoardsApp();
  beforeAll(async () => {
    h.t = await createTestApp(
      lane === 'redis' ? { REDIS_URL: freshRedisUrl() } : {},
      lane === 'memory' ? { lane: 'memory' } : {},
    );
    h.classA = await createClass(h.t.sql, { gradeLevel: 10, majorCode: 'IPA' });
    h.classB = await createClass(h.t.sql, { gradeLevel: 10, majorCode: 'IPS' });
    h.classC = await createClass(h.t.sql, { gradeLevel: 11, majorCode: 'IPA' });
    const s = await createStaff(h.t.sql, { role: 'Admin' });
    const { accessToken } = await login(h.t.app, { email: s.email, password: s.password });
    h.admin = bearer(accessToken);
  });
  afterAll(async () => h.t?.close());
  return h;
}

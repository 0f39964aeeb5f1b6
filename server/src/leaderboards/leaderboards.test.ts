import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Leaderboard } from '../../../contracts/leaderboards.js';
import type { ServerMessage } from '../../../contracts/ws.js';
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
import { SessionScored } from '../sessions/sessions.events.js';
import { createPublishedExam, type ExamSpec, type TestExam } from '../sessions/test-factories.js';
import { SocketGateway, type PeerSocket } from '../ws/index.js';
import { createLeaderboardsFeature } from './leaderboards.feature.js';

/**
 * Leaderboards through the HTTP API (and the socket) on a real database: every rank the
 * API gives is compared with a ranking computed from PostgreSQL's results.
 */

let t: TestApp;
type Headers = { authorization: string };
interface Pupil {
  id: string;
  name: string;
  classId: string;
  headers: Headers;
  sessionId?: string;
}

let classA: { id: string; name: string };
let classB: { id: string; name: string };
let classC: { id: string; name: string };
let admin: Headers;

/** Questions worth 1, 2, 3 and 4 points: a student's score is the sum of those answered right. */
const POINTS = [1, 2, 3, 4];
const QUESTIONS: ExamSpec['questions'] = POINTS.map((points) => ({
  kind: 'single',
  options: ['A', 'B'],
  correct: ['A'],
  points,
}));

async function pupil(classId: string, name: string): Promise<Pupil> {
  const s = await createStudent(t.sql, { classId, name });
  const { accessToken } = await login(t.app, { nisn: s.nisn, password: s.password });
  return { id: s.id, name, classId, headers: bearer(accessToken) };
}

async function start(p: Pupil, exam: TestExam): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${exam.id}/sessions`,
    headers: p.headers,
    payload: { entryToken: exam.entryToken },
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().sessionId as string;
}

/** Answers right exactly the choice questions whose bit is set in `mask`, then submits. */
async function take(p: Pupil, exam: TestExam, mask: number) {
  const sessionId = await start(p, exam);
  p.sessionId = sessionId;
  const answers = exam.payload.questions.flatMap((q, i) =>
    q.kind === 'single' ? [{ questionId: q.id, answer: mask & (1 << i) ? 'A' : 'B' }] : [],
  );
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/sessions/${sessionId}/answers`,
    headers: p.headers,
    payload: { answers },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/sessions/${sessionId}/submit`,
    headers: p.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { score: number; rank?: number; rankTotal?: number; percentile?: number };
}

const board = async (headers: Headers, url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() as Leaderboard & { error?: { code: string } } };
};

/** Standard competition ranks from PostgreSQL: 1 + results with a strictly higher score. */
async function ranksFromDatabase(examId: string, studentIds?: string[]) {
  const rows = await t.sql<{ studentId: string; score: number }[]>`
    SELECT student_id AS "studentId", score::float8 AS score FROM exam_sessions
    WHERE exam_id = ${examId} AND status = 'SCORED'
      ${studentIds ? t.sql`AND student_id = ANY(${studentIds}::uuid[])` : t.sql``}`;
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

const percentile = (below: number, total: number) => Math.round((1000 * below) / total) / 10;

/** The same suite on both lanes: the memory index, and the Redis one every process shares. */
describe.each(['memory', 'redis'] as const)('on the %s lane', (lane) => {
  beforeAll(async () => {
    t = await createTestApp(
      lane === 'redis' ? { REDIS_URL: freshRedisUrl() } : {},
      lane === 'memory' ? { lane: 'memory' } : {},
    );
    classA = await createClass(t.sql, { gradeLevel: 10, majorCode: 'IPA' });
    classB = await createClass(t.sql, { gradeLevel: 10, majorCode: 'IPS' });
    classC = await createClass(t.sql, { gradeLevel: 11, majorCode: 'IPA' });
    const s = await createStaff(t.sql, { role: 'Admin' });
    admin = bearer((await login(t.app, { email: s.email, password: s.password })).accessToken);
  });
  afterAll(async () => t?.close());

  describe('an exam board fed by 50 concurrent submits', () => {
    let exam: TestExam;
    const pupils: Pupil[] = [];
    const masks = new Map<string, number>();

    beforeAll(async () => {
      exam = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [
          { type: 'GRADE', value: '10' },
          { type: 'GRADE', value: '11' },
        ],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const classes = [classA, classB, classC];
      for (let i = 0; i < 50; i++) pupils.push(await pupil(classes[i % 3]!.id, `Pupil ${i}`));
      // Scores 0–10 with plenty of ties; everyone submits at once.
      pupils.forEach((p, i) => masks.set(p.id, (i * 7) % 16));
      const results = await Promise.all(pupils.map((p) => take(p, exam, masks.get(p.id)!)));
      for (const r of results) {
        expect(r.rank).toBeGreaterThanOrEqual(1);
        expect(r.rankTotal).toBeGreaterThanOrEqual(r.rank!);
        expect(r.percentile).toBeGreaterThanOrEqual(0);
      }
    });

    it('every rank, total and percentile equals the ranking computed from PostgreSQL', async () => {
      const truth = await ranksFromDatabase(exam.id);
      expect(truth.size).toBe(50);
      for (const p of pupils) {
        const { status, body } = await board(p.headers, `/api/v1/exams/${exam.id}/leaderboard`);
        expect(status).toBe(200);
        const expected = truth.get(p.id)!;
        expect(body.total).toBe(50);
        expect(body.me).toEqual({
          rank: expected.rank,
          score: expected.score,
          percentage: Math.round((expected.score / 10) * 10000) / 100,
          percentile: percentile(expected.below, 50),
          total: 50,
        });
        // The result carries the same live rank.
        const result = await t.app.inject({
          method: 'GET',
          url: `/api/v1/sessions/${p.sessionId}/result`,
          headers: p.headers,
        });
        expect(result.json()).toMatchObject({
          rank: expected.rank,
          rankTotal: 50,
          percentile: percentile(expected.below, 50),
        });
      }
    });

    it('top gives exactly min(N, total) rows in rank order, ties by earlier submission', async () => {
      const { body } = await board(admin, `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000`);
      expect(body.top).toHaveLength(50);
      const truth = await ranksFromDatabase(exam.id);
      const submitted = await t.sql<{ name: string; at: Date }[]>`
      SELECT st.name, s.submitted_at AS at FROM exam_sessions s JOIN students st ON st.id = s.student_id
      WHERE s.exam_id = ${exam.id}`;
      const at = new Map(submitted.map((r) => [r.name, r.at.getTime()]));
      const byName = new Map(pupils.map((p) => [p.name, p]));
      body.top.forEach((row, i) => {
        const p = byName.get(row.name!)!;
        expect(row.rank).toBe(truth.get(p.id)!.rank);
        expect(row.score).toBe(truth.get(p.id)!.score);
        const next = body.top[i + 1];
        if (next && next.score === row.score)
          expect(at.get(row.name!)!).toBeLessThanOrEqual(at.get(next.name!)!);
      });
      const { body: three } = await board(
        admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?top=3`,
      );
      expect(three.top).toEqual(body.top.slice(0, 3));
    });

    it("around gives up to K rows each side of the student's own row, by position", async () => {
      const p = pupils[17]!;
      const { body: all } = await board(
        admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000`,
      );
      const { body } = await board(
        p.headers,
        `/api/v1/exams/${exam.id}/leaderboard?around=2&top=0`,
      );
      expect(body.top).toEqual([]);
      const position = all.top.findIndex((r) => r.name === p.name);
      const expected = all.top.slice(Math.max(0, position - 2), position + 3);
      expect(body.around!.map((r) => r.name)).toEqual(expected.map((r) => r.name));
      expect(body.around!.filter((r) => r.me)).toEqual([
        expect.objectContaining({ name: p.name, me: true }),
      ]);
    });

    it("cohorts: a student's class, grade and major boards hold exactly those students", async () => {
      const p = pupils[0]!; // class A: grade 10, IPA
      const inA = pupils.filter((o) => o.classId === classA.id).map((o) => o.id);
      const inGrade10 = pupils.filter((o) => o.classId !== classC.id).map((o) => o.id);
      const inIpa = pupils.filter((o) => o.classId !== classB.id).map((o) => o.id);
      for (const [cohort, ids, label] of [
        ['class', inA, classA.name],
        ['grade', inGrade10, '10'],
        ['major', inIpa, 'IPA'],
      ] as const) {
        const truth = await ranksFromDatabase(exam.id, [...ids]);
        const { status, body } = await board(
          p.headers,
          `/api/v1/exams/${exam.id}/leaderboard?cohort=${cohort}&top=1000`,
        );
        expect(status).toBe(200);
        expect(body).toMatchObject({ cohort, cohortLabel: label, total: ids.length });
        expect(body.me!.rank).toBe(truth.get(p.id)!.rank);
        expect(body.top.map((r) => r.name).sort()).toEqual(
          pupils
            .filter((o) => ids.includes(o.id))
            .map((o) => o.name)
            .sort(),
        );
      }
      // Staff name the class; it is the same board.
      const staffView = await board(
        admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?classId=${classA.id}&top=1000`,
      );
      expect(staffView.body.total).toBe(inA.length);
      // A student of class B asking for "class" gets class B's board, never class A's.
      const b = pupils.find((o) => o.classId === classB.id)!;
      const theirs = await board(
        b.headers,
        `/api/v1/exams/${exam.id}/leaderboard?cohort=class&top=1000`,
      );
      expect(theirs.body.cohortLabel).toBe(classB.name);
      expect(theirs.body.top.map((r) => r.name)).not.toContain(p.name);
    });

    it('a replayed or older announcement changes nothing; a rebuild equals the incremental index', async () => {
      const url = (q: string) => `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000${q}`;
      const cohorts = [
        '',
        `&classId=${classA.id}`,
        `&classId=${classB.id}`,
        '&grade=10',
        '&grade=11',
        '&major=IPA',
        '&major=IPS',
      ];
      const before = await Promise.all(cohorts.map(async (q) => (await board(admin, url(q))).body));
      const p = pupils[3]!;
      const [row] = await t.sql<{ submittedAt: Date; score: number }[]>`
      SELECT submitted_at AS "submittedAt", score::float8 AS score FROM exam_sessions WHERE id = ${p.sessionId!}`;
      const event = {
        sessionId: p.sessionId!,
        examId: exam.id,
        studentId: p.id,
        score: row!.score,
        maxScore: 10,
        percentage: row!.score * 10,
        submittedAt: row!.submittedAt.toISOString(),
        version: row!.submittedAt.getTime(),
      };
      await t.ctx.leaderboards.service.record(event);
      await t.ctx.leaderboards.service.record({ ...event, score: 10, version: event.version - 1 });
      await t.ctx.bus.publish(SessionScored, { ...event, score: 10, version: event.version - 5 });
      const replayed = await Promise.all(
        cohorts.map(async (q) => (await board(admin, url(q))).body),
      );
      expect(strip(replayed)).toEqual(strip(before));

      const rebuilt = await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${exam.id}/leaderboard/rebuild`,
        headers: admin,
      });
      expect(rebuilt.statusCode, rebuilt.body).toBe(200);
      expect(rebuilt.json()).toMatchObject({ examId: exam.id, ranked: 50 });
      const after = await Promise.all(cohorts.map(async (q) => (await board(admin, url(q))).body));
      expect(strip(after)).toEqual(strip(before));

      // A process that starts with an empty index rebuilds it from PostgreSQL on first use.
      const fresh = createLeaderboardsFeature({
        sql: t.sql,
        bus: t.ctx.bus,
        gateway: new SocketGateway(pino({ level: 'silent' })),
        logger: pino({ level: 'silent' }),
        sources: sourcesOf(t),
      });
      const staff = await t.ctx.auth.authenticate(admin.authorization.slice(7));
      if (staff.kind !== 'staff') throw new Error('not staff');
      const restarted = await fresh.service.staffBoard(staff, exam.id, { top: 1000 });
      expect(strip([restarted])).toEqual(strip([before[0]!]));
      fresh.socket.stop();
    });
  });

  /** A board without its process-local change time (two processes disagree on that only). */
  const strip = (boards: Leaderboard[]) => boards.map(({ updatedAt: _, ...rest }) => rest);

  /** The sources the app wires in context.ts, for a second feature instance over the same database. */
  function sourcesOf(app: TestApp) {
    const { exams, sessions, school } = app.ctx;
    return {
      exam: (examId: string) => exams.boardExam(examId),
      resultsShown: (examId: string) => sessions.service.resultsShown(examId),
      sessionStatus: (examId: string, studentId: string) =>
        sessions.service.sessionStatus(examId, studentId),
      rankedResults: (examId: string) => sessions.service.rankedResults(examId),
      placements: (ids: readonly string[]) => sessions.service.placements(ids),
      names: (ids: readonly string[]) => sessions.service.studentNames(ids),
      className: async (classId: string) =>
        (await school.getClass(classId).catch(() => null))?.name ?? null,
      settled: () => sessions.service.settled(),
    };
  }

  describe('who sees which board', () => {
    it('anonymous boards hide other names; staff-only boards refuse students; staff always see names', async () => {
      const exam = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: classA.id }],
        leaderboard: { enabled: true, visibility: 'anonymous' },
      });
      const [a, b, c] = [
        await pupil(classA.id, 'Ani'),
        await pupil(classA.id, 'Budi'),
        await pupil(classA.id, 'Citra'),
      ];
      await take(a, exam, 0b1111);
      await take(b, exam, 0b0011);
      await take(c, exam, 0b0001);
      const { body } = await board(b.headers, `/api/v1/exams/${exam.id}/leaderboard`);
      expect(body.visibility).toBe('anonymous');
      expect(body.top.map((r) => r.name)).toEqual([null, 'Budi', null]);
      expect(body.top.map((r) => r.rank)).toEqual([1, 2, 3]);
      expect(body.me).toMatchObject({ rank: 2, percentile: 33.3, total: 3 });
      const staff = await board(admin, `/api/v1/admin/exams/${exam.id}/leaderboard`);
      expect(staff.body.top.map((r) => r.name)).toEqual(['Ani', 'Budi', 'Citra']);

      await t.sql`UPDATE exams SET leaderboard_visibility = 'staff' WHERE id = ${exam.id}`;
      t.ctx.leaderboards.service.examChanged(exam.id);
      const refused = await board(b.headers, `/api/v1/exams/${exam.id}/leaderboard`);
      expect(refused.status).toBe(403);
      expect(refused.body.error!.code).toBe('FORBIDDEN');
    });

    it('not targeted: 404; not submitted yet, or the score not shown yet: 403; bad queries: 400', async () => {
      const exam = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: classA.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const outsider = await pupil(classB.id, 'Outsider');
      expect((await board(outsider.headers, `/api/v1/exams/${exam.id}/leaderboard`)).status).toBe(
        404,
      );
      const waiting = await pupil(classA.id, 'Waiting');
      await start(waiting, exam);
      expect((await board(waiting.headers, `/api/v1/exams/${exam.id}/leaderboard`)).status).toBe(
        403,
      );

      const later = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: classA.id }],
        resultPolicy: 'manual',
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const r = await take(waiting, later, 0b1111);
      expect(r).not.toHaveProperty('rank');
      expect((await board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard`)).status).toBe(
        403,
      );
      // Staff see the board at once; students once results are released.
      expect((await board(admin, `/api/v1/admin/exams/${later.id}/leaderboard`)).body.total).toBe(
        1,
      );
      const released = await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${later.id}/results/release`,
        headers: admin,
      });
      expect(released.statusCode, released.body).toBe(200);
      const open = await board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard`);
      expect(open.status).toBe(200);
      expect(open.body.me).toMatchObject({ rank: 1, total: 1, percentile: 0 });

      const off = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: classA.id }],
      });
      await take(waiting, off, 1);
      expect((await board(waiting.headers, `/api/v1/exams/${off.id}/leaderboard`)).status).toBe(
        404,
      );

      for (const q of ['top=-1', 'top=abc', 'around=101', 'cohort=school', 'classId=x']) {
        const res = await board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error!.code).toBe('VALIDATION_FAILED');
      }
      const both = await board(
        admin,
        `/api/v1/admin/exams/${later.id}/leaderboard?grade=10&major=IPA`,
      );
      expect(both.status).toBe(400);
    });
  });

  describe('manual grading', () => {
    it('a paper joins the board once graded, and a regrade moves its rank', async () => {
      const exam = await createPublishedExam(t.sql, {
        questions: [...QUESTIONS!, { kind: 'text', points: 5 }],
        targets: [{ type: 'CLASS', value: classA.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const [x, y] = [await pupil(classA.id, 'Xena'), await pupil(classA.id, 'Yusuf')];
      await take(x, exam, 0b0111); // 6 points, the text question unanswered: SCORED
      // Yusuf writes an answer, so his paper waits for a teacher.
      const sessionId = await start(y, exam);
      const textId = exam.questionIds[4]!;
      await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sessions/${sessionId}/answers`,
        headers: y.headers,
        payload: {
          answers: [
            { questionId: exam.questionIds[0]!, answer: 'A' },
            { questionId: textId, answer: 'An essay' },
          ],
        },
      });
      const pending = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${sessionId}/submit`,
        headers: y.headers,
      });
      expect(pending.json().status).toBe('PENDING_REVIEW');
      const staffBoard = () => board(admin, `/api/v1/admin/exams/${exam.id}/leaderboard`);
      expect((await staffBoard()).body.top.map((r) => r.name)).toEqual(['Xena']);

      const grade = (points: number) =>
        t.app.inject({
          method: 'PUT',
          url: `/api/v1/admin/sessions/${sessionId}/answers/${textId}/grade`,
          headers: admin,
          payload: { points },
        });
      expect((await grade(5)).statusCode).toBe(200);
      await eventually(async () =>
        // A tie: the earlier submission first.
        expect((await staffBoard()).body.top.map((r) => [r.name, r.score, r.rank])).toEqual([
          ['Xena', 6, 1],
          ['Yusuf', 6, 1],
        ]),
      );
      expect((await grade(2)).statusCode).toBe(200);
      await eventually(async () =>
        expect((await staffBoard()).body.top.map((r) => [r.name, r.score, r.rank])).toEqual([
          ['Xena', 6, 1],
          ['Yusuf', 3, 2],
        ]),
      );
      const result = await t.app.inject({
        method: 'GET',
        url: `/api/v1/sessions/${sessionId}/result`,
        headers: y.headers,
      });
      expect(result.json()).toMatchObject({ score: 3, rank: 2, rankTotal: 2, percentile: 0 });
    });
  });

  /** Waits for a bus delivery (asynchronous by design) without a fixed sleep. */
  async function eventually(check: () => Promise<void>, attempts = 100): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        return await check();
      } catch (err) {
        if (i >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  describe('series', () => {
    it('ranks by the sum of percentages, each rounded to one decimal; readable by its students and staff', async () => {
      const spec = (title: string, points: number[]): ExamSpec => ({
        title,
        questions: points.map((p) => ({
          kind: 'single',
          options: ['A', 'B'],
          correct: ['A'],
          points: p,
        })),
        targets: [{ type: 'CLASS', value: classC.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const one = await createPublishedExam(t.sql, spec('Try-out 1', [1, 2]));
      const two = await createPublishedExam(t.sql, spec('Try-out 2', [1, 1, 1]));
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: admin,
        payload: { title: 'Try-out season', examIds: [one.id, two.id] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const series = created.json() as { id: string; exams: { title: string }[] };
      expect(series.exams.map((e) => e.title)).toEqual(['Try-out 1', 'Try-out 2']);

      const [d, e, f] = [
        await pupil(classC.id, 'Dewi'),
        await pupil(classC.id, 'Eko'),
        await pupil(classC.id, 'Fajar'),
      ];
      await take(d, one, 0b01); // 1/3 = 33.3
      await take(d, two, 0b011); // 2/3 = 66.7 → 100.0
      await take(e, one, 0b11); // 100
      await take(f, two, 0b001); // 33.3
      const url = `/api/v1/series/${series.id}/leaderboard`;
      const { status, body } = await board(d.headers, url);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ seriesId: series.id, title: 'Try-out season', total: 3 });
      // Dewi and Eko tie; Dewi finished her series first.
      expect(body.top.map((r) => [r.name, r.score, r.rank])).toEqual([
        ['Dewi', 100, 1],
        ['Eko', 100, 1],
        ['Fajar', 33.3, 3],
      ]);
      expect(body.me).toMatchObject({ rank: 1, score: 100, percentage: 50 });
      expect((await board(admin, `/api/v1/admin/series/${series.id}/leaderboard`)).body.total).toBe(
        3,
      );
      // A student of another class holds none of its exams.
      const stranger = await pupil(classB.id, 'Stranger');
      expect((await board(stranger.headers, url)).status).toBe(404);
      const mine = await t.app.inject({ method: 'GET', url: '/api/v1/series', headers: d.headers });
      expect(mine.json().map((s: { id: string }) => s.id)).toContain(series.id);
      const theirs = await t.app.inject({
        method: 'GET',
        url: '/api/v1/series',
        headers: stranger.headers,
      });
      expect(theirs.json().map((s: { id: string }) => s.id)).not.toContain(series.id);

      // A series made now of exams taken before is built from PostgreSQL at once.
      const late = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: admin,
        payload: { title: 'Replay', examIds: [two.id, one.id] },
      });
      const lateBoard = await board(admin, `/api/v1/admin/series/${late.json().id}/leaderboard`);
      expect(lateBoard.body.total).toBe(3);
      expect(lateBoard.body.top).toEqual(body.top.map(({ me: _, ...row }) => row));

      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: admin,
        payload: { title: 'Bad', examIds: ['00000000-0000-4000-8000-000000000000'] },
      });
      expect(bad.statusCode).toBe(400);
      const removed = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/admin/series/${late.json().id}`,
        headers: admin,
      });
      expect(removed.statusCode).toBe(204);
      expect(
        (await board(admin, `/api/v1/admin/series/${late.json().id}/leaderboard`)).status,
      ).toBe(404);
    });
  });

  describe('leaderboard.watch on the socket', () => {
    class FakeSocket implements PeerSocket {
      sent: ServerMessage[] = [];
      send(text: string) {
        this.sent.push(JSON.parse(text) as ServerMessage);
      }
      close() {}
      ping() {}
      terminate() {}
    }

    it('answers at once with the board, then pushes changes (at most one a tick), until unwatched', async () => {
      const exam = await createPublishedExam(t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: classB.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const [g, h, i] = [
        await pupil(classB.id, 'Gita'),
        await pupil(classB.id, 'Hadi'),
        await pupil(classB.id, 'Indah'),
      ];
      await take(g, exam, 0b0011);
      const socket = new FakeSocket();
      const principal = await t.ctx.auth.authenticate(g.headers.authorization.slice(7));
      const peer = t.ctx.gateway.connect(socket, principal);
      await peer.receive(JSON.stringify({ type: 'leaderboard.watch', id: 'w1', examId: exam.id }));
      expect(socket.sent[0]).toMatchObject({
        type: 'leaderboard.update',
        id: 'w1',
        total: 1,
        me: { rank: 1 },
      });

      await take(h, exam, 0b1111);
      await take(i, exam, 0b0111);
      await t.ctx.leaderboards.socket.flush();
      const updates = socket.sent.filter((m) => m.type === 'leaderboard.update');
      expect(updates).toHaveLength(2);
      expect(updates[1]).toMatchObject({ total: 3, me: { rank: 3 } });
      expect(updates[1]).not.toHaveProperty('id');

      await peer.receive(
        JSON.stringify({ type: 'leaderboard.unwatch', id: 'u1', examId: exam.id }),
      );
      expect(socket.sent.at(-1)).toMatchObject({ type: 'leaderboard.unwatched', id: 'u1' });
      await take(await pupil(classB.id, 'Joko'), exam, 0b1111);
      await t.ctx.leaderboards.socket.flush();
      expect(socket.sent.filter((m) => m.type === 'leaderboard.update')).toHaveLength(2);

      // Someone who may not see the board gets an error, and no watch.
      const outsider = await pupil(classA.id, 'Outsider');
      const other = new FakeSocket();
      const outsiderPeer = t.ctx.gateway.connect(
        other,
        await t.ctx.auth.authenticate(outsider.headers.authorization.slice(7)),
      );
      await outsiderPeer.receive(
        JSON.stringify({ type: 'leaderboard.watch', id: 9, examId: exam.id }),
      );
      expect(other.sent).toEqual([
        expect.objectContaining({ type: 'error', id: 9, code: 'NOT_FOUND' }),
      ]);
      t.ctx.gateway.disconnect(peer);
      t.ctx.gateway.disconnect(outsiderPeer);
      expect(t.ctx.leaderboards.socket.watching()).toBe(0);
    });
  });
});

import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/harness.js';
import { SessionScored } from '../sessions/sessions.events.js';
import { createPublishedExam, type TestExam } from '../sessions/test-factories.js';
import { SocketGateway } from '../ws/index.js';
import { createLeaderboardsFeature } from './leaderboards.feature.js';
import {
  eventually,
  LANES,
  percentile,
  QUESTIONS,
  strip,
  useBoardsApp,
  type Pupil,
} from './test-boards.js';

/**
 * Exam boards through the HTTP API on a real database, on both lanes: every rank the API
 * gives is compared with a ranking computed from PostgreSQL's results.
 */
describe.each(LANES)('on the %s lane', (lane) => {
  const h = useBoardsApp(lane);

  describe('an exam board fed by 50 concurrent submits', () => {
    let exam: TestExam;
    const pupils: Pupil[] = [];
    const masks = new Map<string, number>();

    beforeAll(async () => {
      exam = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [
          { type: 'GRADE', value: '10' },
          { type: 'GRADE', value: '11' },
        ],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const classes = [h.classA, h.classB, h.classC];
      for (let i = 0; i < 50; i++) pupils.push(await h.pupil(classes[i % 3]!.id, `Pupil ${i}`));
      // Scores 0–10 with plenty of ties; everyone submits at once.
      pupils.forEach((p, i) => masks.set(p.id, (i * 7) % 16));
      const results = await Promise.all(pupils.map((p) => h.take(p, exam, masks.get(p.id)!)));
      for (const r of results) {
        expect(r.rank).toBeGreaterThanOrEqual(1);
        expect(r.rankTotal).toBeGreaterThanOrEqual(r.rank!);
        expect(r.percentile).toBeGreaterThanOrEqual(0);
      }
    });

    it('every rank, total and percentile equals the ranking computed from PostgreSQL', async () => {
      const truth = await h.ranksFromDatabase(exam.id);
      expect(truth.size).toBe(50);
      for (const p of pupils) {
        const { status, body } = await h.board(p.headers, `/api/v1/exams/${exam.id}/leaderboard`);
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
        const result = await h.t.app.inject({
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
      const { body } = await h.board(
        h.admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000`,
      );
      expect(body.top).toHaveLength(50);
      const truth = await h.ranksFromDatabase(exam.id);
      const submitted = await h.t.sql<{ name: string; at: Date }[]>`
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
      const { body: three } = await h.board(
        h.admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?top=3`,
      );
      expect(three.top).toEqual(body.top.slice(0, 3));
    });

    it("around gives up to K rows each side of the student's own row, by position", async () => {
      const p = pupils[17]!;
      const { body: all } = await h.board(
        h.admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000`,
      );
      const { body } = await h.board(
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
      const inA = pupils.filter((o) => o.classId === h.classA.id).map((o) => o.id);
      const inGrade10 = pupils.filter((o) => o.classId !== h.classC.id).map((o) => o.id);
      const inIpa = pupils.filter((o) => o.classId !== h.classB.id).map((o) => o.id);
      for (const [cohort, ids, label] of [
        ['class', inA, h.classA.name],
        ['grade', inGrade10, '10'],
        ['major', inIpa, 'IPA'],
      ] as const) {
        const truth = await h.ranksFromDatabase(exam.id, [...ids]);
        const { status, body } = await h.board(
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
      const staffView = await h.board(
        h.admin,
        `/api/v1/admin/exams/${exam.id}/leaderboard?classId=${h.classA.id}&top=1000`,
      );
      expect(staffView.body.total).toBe(inA.length);
      // A student of class B asking for "class" gets class B's board, never class A's.
      const b = pupils.find((o) => o.classId === h.classB.id)!;
      const theirs = await h.board(
        b.headers,
        `/api/v1/exams/${exam.id}/leaderboard?cohort=class&top=1000`,
      );
      expect(theirs.body.cohortLabel).toBe(h.classB.name);
      expect(theirs.body.top.map((r) => r.name)).not.toContain(p.name);
    });

    it('a replayed or older announcement changes nothing; a rebuild equals the incremental index', async () => {
      const url = (q: string) => `/api/v1/admin/exams/${exam.id}/leaderboard?top=1000${q}`;
      const cohorts = [
        '',
        `&classId=${h.classA.id}`,
        `&classId=${h.classB.id}`,
        '&grade=10',
        '&grade=11',
        '&major=IPA',
        '&major=IPS',
      ];
      const before = await Promise.all(
        cohorts.map(async (q) => (await h.board(h.admin, url(q))).body),
      );
      const p = pupils[3]!;
      const [row] = await h.t.sql<{ submittedAt: Date; score: number }[]>`
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
      await h.t.ctx.leaderboards.service.record(event);
      await h.t.ctx.leaderboards.service.record({
        ...event,
        score: 10,
        version: event.version - 1,
      });
      await h.t.ctx.bus.publish(SessionScored, { ...event, score: 10, version: event.version - 5 });
      const replayed = await Promise.all(
        cohorts.map(async (q) => (await h.board(h.admin, url(q))).body),
      );
      expect(strip(replayed)).toEqual(strip(before));

      const rebuilt = await h.t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${exam.id}/leaderboard/rebuild`,
        headers: h.admin,
      });
      expect(rebuilt.statusCode, rebuilt.body).toBe(200);
      expect(rebuilt.json()).toMatchObject({ examId: exam.id, ranked: 50 });
      const after = await Promise.all(
        cohorts.map(async (q) => (await h.board(h.admin, url(q))).body),
      );
      expect(strip(after)).toEqual(strip(before));

      // A process that starts with an empty index rebuilds it from PostgreSQL on first use.
      const fresh = createLeaderboardsFeature({
        sql: h.t.sql,
        bus: h.t.ctx.bus,
        gateway: new SocketGateway(pino({ level: 'silent' })),
        logger: pino({ level: 'silent' }),
        sources: sourcesOf(h.t),
      });
      const staff = await h.t.ctx.auth.authenticate(h.admin.authorization.slice(7));
      if (staff.kind !== 'staff') throw new Error('not staff');
      const restarted = await fresh.service.staffBoard(staff, exam.id, { top: 1000 });
      expect(strip([restarted])).toEqual(strip([before[0]!]));
      fresh.socket.stop();
    });
  });

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
      examStudents: (examId: string) => sessions.service.examStudents(examId),
      className: async (classId: string) =>
        (await school.getClass(classId).catch(() => null))?.name ?? null,
      settled: () => sessions.service.settled(),
    };
  }

  describe('who sees which board', () => {
    it('anonymous boards hide other names; staff-only boards refuse students; staff always see names', async () => {
      const exam = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: h.classA.id }],
        leaderboard: { enabled: true, visibility: 'anonymous' },
      });
      const [a, b, c] = [
        await h.pupil(h.classA.id, 'Ani'),
        await h.pupil(h.classA.id, 'Budi'),
        await h.pupil(h.classA.id, 'Citra'),
      ];
      await h.take(a, exam, 0b1111);
      await h.take(b, exam, 0b0011);
      await h.take(c, exam, 0b0001);
      const { body } = await h.board(b.headers, `/api/v1/exams/${exam.id}/leaderboard`);
      expect(body.visibility).toBe('anonymous');
      expect(body.top.map((r) => r.name)).toEqual([null, 'Budi', null]);
      expect(body.top.map((r) => r.rank)).toEqual([1, 2, 3]);
      expect(body.me).toMatchObject({ rank: 2, percentile: 33.3, total: 3 });
      const staff = await h.board(h.admin, `/api/v1/admin/exams/${exam.id}/leaderboard`);
      expect(staff.body.top.map((r) => r.name)).toEqual(['Ani', 'Budi', 'Citra']);

      await h.t.sql`UPDATE exams SET leaderboard_visibility = 'staff' WHERE id = ${exam.id}`;
      h.t.ctx.leaderboards.service.examChanged(exam.id);
      const refused = await h.board(b.headers, `/api/v1/exams/${exam.id}/leaderboard`);
      expect(refused.status).toBe(403);
      expect(refused.body.error!.code).toBe('FORBIDDEN');
    });

    it('not targeted: 404; not submitted yet, or the score not shown yet: 403; bad queries: 400', async () => {
      const exam = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: h.classA.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const outsider = await h.pupil(h.classB.id, 'Outsider');
      expect((await h.board(outsider.headers, `/api/v1/exams/${exam.id}/leaderboard`)).status).toBe(
        404,
      );
      const waiting = await h.pupil(h.classA.id, 'Waiting');
      await h.start(waiting, exam);
      expect((await h.board(waiting.headers, `/api/v1/exams/${exam.id}/leaderboard`)).status).toBe(
        403,
      );

      const later = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: h.classA.id }],
        resultPolicy: 'manual',
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const r = await h.take(waiting, later, 0b1111);
      expect(r).not.toHaveProperty('rank');
      expect((await h.board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard`)).status).toBe(
        403,
      );
      // Staff see the board at once; students once results are released.
      expect(
        (await h.board(h.admin, `/api/v1/admin/exams/${later.id}/leaderboard`)).body.total,
      ).toBe(1);
      const released = await h.t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${later.id}/results/release`,
        headers: h.admin,
      });
      expect(released.statusCode, released.body).toBe(200);
      const open = await h.board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard`);
      expect(open.status).toBe(200);
      expect(open.body.me).toMatchObject({ rank: 1, total: 1, percentile: 0 });

      const off = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: h.classA.id }],
      });
      await h.take(waiting, off, 1);
      expect((await h.board(waiting.headers, `/api/v1/exams/${off.id}/leaderboard`)).status).toBe(
        404,
      );

      for (const q of ['top=-1', 'top=abc', 'around=101', 'cohort=school', 'classId=x']) {
        const res = await h.board(waiting.headers, `/api/v1/exams/${later.id}/leaderboard?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error!.code).toBe('VALIDATION_FAILED');
      }
      const both = await h.board(
        h.admin,
        `/api/v1/admin/exams/${later.id}/leaderboard?grade=10&major=IPA`,
      );
      expect(both.status).toBe(400);
    });
  });

  describe('manual grading', () => {
    it('a paper joins the board once graded, and a regrade moves its rank', async () => {
      const exam = await createPublishedExam(h.t.sql, {
        questions: [...QUESTIONS!, { kind: 'text', points: 5 }],
        targets: [{ type: 'CLASS', value: h.classA.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const [x, y] = [await h.pupil(h.classA.id, 'Xena'), await h.pupil(h.classA.id, 'Yusuf')];
      await h.take(x, exam, 0b0111); // 6 points, the text question unanswered: SCORED
      // Yusuf writes an answer, so his paper waits for a teacher.
      const sessionId = await h.start(y, exam);
      const textId = exam.questionIds[4]!;
      await h.t.app.inject({
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
      const pending = await h.t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${sessionId}/submit`,
        headers: y.headers,
      });
      expect(pending.json().status).toBe('PENDING_REVIEW');
      const staffBoard = () => h.board(h.admin, `/api/v1/admin/exams/${exam.id}/leaderboard`);
      expect((await staffBoard()).body.top.map((r) => r.name)).toEqual(['Xena']);

      const grade = (points: number) =>
        h.t.app.inject({
          method: 'PUT',
          url: `/api/v1/admin/sessions/${sessionId}/answers/${textId}/grade`,
          headers: h.admin,
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
      const result = await h.t.app.inject({
        method: 'GET',
        url: `/api/v1/sessions/${sessionId}/result`,
        headers: y.headers,
      });
      expect(result.json()).toMatchObject({ score: 3, rank: 2, rankTotal: 2, percentile: 0 });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { bearer, createStaff, login } from '../../test/harness.js';
import { createPublishedExam, type ExamSpec } from '../sessions/test-factories.js';
import { LANES, useBoardsApp } from './test-boards.js';

/** Series boards through the API, on both lanes. */
describe.each(LANES)('on the %s lane', (lane) => {
  const h = useBoardsApp(lane);

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
        targets: [{ type: 'CLASS', value: h.classC.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const one = await createPublishedExam(h.t.sql, spec('Try-out 1', [1, 2]));
      const two = await createPublishedExam(h.t.sql, spec('Try-out 2', [1, 1, 1]));
      const created = await h.t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: h.admin,
        payload: { title: 'Try-out season', examIds: [one.id, two.id] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const series = created.json() as { id: string; exams: { title: string }[] };
      expect(series.exams.map((e) => e.title)).toEqual(['Try-out 1', 'Try-out 2']);

      const [d, e, f] = [
        await h.pupil(h.classC.id, 'Dewi'),
        await h.pupil(h.classC.id, 'Eko'),
        await h.pupil(h.classC.id, 'Fajar'),
      ];
      await h.take(d, one, 0b01); // 1/3 = 33.3
      await h.take(d, two, 0b011); // 2/3 = 66.7 → 100.0
      await h.take(e, one, 0b11); // 100
      await h.take(f, two, 0b001); // 33.3
      const url = `/api/v1/series/${series.id}/leaderboard`;
      const { status, body } = await h.board(d.headers, url);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ seriesId: series.id, title: 'Try-out season', total: 3 });
      // Dewi and Eko tie; Dewi finished her series first.
      expect(body.top.map((r) => [r.name, r.score, r.rank])).toEqual([
        ['Dewi', 100, 1],
        ['Eko', 100, 1],
        ['Fajar', 33.3, 3],
      ]);
      expect(body.me).toMatchObject({ rank: 1, score: 100, percentage: 50 });
      expect(
        (await h.board(h.admin, `/api/v1/admin/series/${series.id}/leaderboard`)).body.total,
      ).toBe(3);
      // A student of another class holds none of its exams.
      const stranger = await h.pupil(h.classB.id, 'Stranger');
      expect((await h.board(stranger.headers, url)).status).toBe(404);
      const mine = await h.t.app.inject({
        method: 'GET',
        url: '/api/v1/series',
        headers: d.headers,
      });
      expect(mine.json().map((s: { id: string }) => s.id)).toContain(series.id);
      const theirs = await h.t.app.inject({
        method: 'GET',
        url: '/api/v1/series',
        headers: stranger.headers,
      });
      expect(theirs.json().map((s: { id: string }) => s.id)).not.toContain(series.id);

      // A series made now of exams taken before is built from PostgreSQL at once.
      const late = await h.t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: h.admin,
        payload: { title: 'Replay', examIds: [two.id, one.id] },
      });
      const lateBoard = await h.board(
        h.admin,
        `/api/v1/admin/series/${late.json().id}/leaderboard`,
      );
      expect(lateBoard.body.total).toBe(3);
      expect(lateBoard.body.top).toEqual(body.top.map(({ me: _, ...row }) => row));

      const bad = await h.t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: h.admin,
        payload: { title: 'Bad', examIds: ['00000000-0000-4000-8000-000000000000'] },
      });
      expect(bad.statusCode).toBe(400);
      const removed = await h.t.app.inject({
        method: 'DELETE',
        url: `/api/v1/admin/series/${late.json().id}`,
        headers: h.admin,
      });
      expect(removed.statusCode).toBe(204);
      expect(
        (await h.board(h.admin, `/api/v1/admin/series/${late.json().id}/leaderboard`)).status,
      ).toBe(404);
    });
    it('a series whose exams are all gone is seen only by staff who may read every exam', async () => {
      const draft = await createPublishedExam(h.t.sql, { status: 'DRAFT' });
      const created = await h.t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/series',
        headers: h.admin,
        payload: { title: 'Emptied', examIds: [draft.id] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json<{ id: string }>().id;
      await h.t.sql`DELETE FROM exams WHERE id = ${draft.id}`;
      const s = await createStaff(h.t.sql, { role: 'Teacher' });
      const teacher = bearer(
        (await login(h.t.app, { email: s.email, password: s.password })).accessToken,
      );
      for (const url of [`/api/v1/admin/series/${id}`, `/api/v1/series/${id}/leaderboard`])
        expect((await h.board(teacher, url)).status, url).toBe(404);
      const list = await h.t.app.inject({
        method: 'GET',
        url: '/api/v1/admin/series',
        headers: teacher,
      });
      expect(list.json<{ id: string }[]>().map((x) => x.id)).not.toContain(id);
      expect((await h.board(h.admin, `/api/v1/series/${id}/leaderboard`)).status).toBe(200);
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { deploy, servingPids, type Deployment, logDrained } from './deployment.js';
import { call, durableSession, publishExam, Student, type SubmitView } from './students.js';

/**
 * The exam day in production shape: REDIS_URL set, WORKERS=2 sharing one port (node:cluster),
 * background writers persisting the log. Every claim is checked against PostgreSQL.
 */
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('exam day on redis with two processes', () => {
  it('publish → 30 students start → saves over HTTP and WS on both workers → submit → right scores, one result each', async () => {
    d = await deploy();
    const server = await d.start({ WORKERS: '2', LOG_LEVEL: 'info' });
    // Both workers by construction, not by luck: keep-alive sends everything over the
    // connections first made, and those may all go to the worker that was ready first.
    // Every student gets a connection of its own, students 0 and 1 on one worker, 2 and 3
    // on the other, and so on, so each worker has students on the socket and over HTTP.
    const connections = await d.connectionsToEachWorker(server, 2, 16);
    const workerPids = new Set(connections.map((held) => held[0]!.pid));
    const exam = await publishExam(server.url, d.sql);
    const students = await Promise.all(
      range(30).map((i) =>
        Student.enrol(d!.sql, exam, [server.url], connections[(i >> 1) % 2]!.shift()!.client),
      ),
    );
    await Promise.all(students.map(async (s) => (await s.login(), await s.start(exam))));

    // Every student answers every question, changing some answers once: even students over
    // the socket (node:cluster puts each socket on a worker), odd ones over HTTP (on the
    // worker of their connection).
    await Promise.all(
      students.map(async (s, i) => {
        const save = (qid: string, answer: string) =>
          i % 2 === 0 ? s.saveWs(qid, answer) : s.saveHttp(qid, answer);
        if (i % 2 === 0) await s.openSocket();
        for (const [j, q] of exam.questions.entries()) {
          await save(q.id, 'ABCD'[(i + j) % 4]!);
          if ((i + j) % 3 === 0) await save(q.id, q.correct);
        }
      }),
    );
    const views: SubmitView[] = await Promise.all(
      students.map((s, i) => (i % 2 === 0 ? s.submitWs() : s.submitHttp())),
    );

    const maxScore = exam.questions.reduce((n, q) => n + q.points, 0);
    for (const [i, s] of students.entries()) {
      const view = views[i]!;
      expect(view).toMatchObject({
        status: 'SCORED',
        score: s.expectedScore(exam.questions),
        maxScore,
      });
      const durable = await durableSession(d.sql, s.sessionId);
      expect(durable.answers).toEqual(s.acked);
      // One result, the one the student was shown.
      expect(durable.session).toMatchObject({
        status: 'SCORED',
        result: { score: view.score, submittedAt: Date.parse(view.submittedAt) },
      });
    }
    const submittedLogs = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"session submitted"'));
    expect(submittedLogs).toHaveLength(students.length);
    expect(
      new Set(submittedLogs.map((l) => (JSON.parse(l) as { sessionId: string }).sessionId)).size,
    ).toBe(students.length);
    const isSave = (req: { method: string; url: string }) =>
      req.method === 'PUT' && req.url.endsWith('/answers');
    expect(workerPids.size).toBe(2);
    expect(servingPids(server.output(), isSave)).toEqual(workerPids);
    await logDrained(d);
  });

  it('a kick, a time extension and a close made on one process reach the socket on the other', async () => {
    d = await deploy();
    const [a, b] = [await d.start(), await d.start()];
    const exam = await publishExam(b.url, d.sql);
    const s = await Student.enrol(d.sql, exam, [a.url]);
    await s.login();
    await s.start(exam);
    const socket = await s.openSocket();
    await s.saveWs(exam.questions[0]!.id, 'A');

    const extended = await call<{ endsAt: string }>(
      b.url,
      'POST',
      `/api/v1/admin/sessions/${s.sessionId}/extend`,
      exam.staffToken,
      { minutes: 5 },
    );
    expect(await socket.pushedMatching((m) => m.type === 'time')).toMatchObject({
      type: 'time',
      sessionId: s.sessionId,
      endsAt: extended.endsAt,
    });

    await call(b.url, 'POST', `/api/v1/sessions/${s.sessionId}/submit`, s.token);
    expect(await socket.pushedMatching((m) => m.type === 'closed')).toMatchObject({
      sessionId: s.sessionId,
      reason: 'SUBMITTED',
    });

    // Signing in on another device (through the other process) kicks this socket.
    await call(b.url, 'POST', '/api/v1/auth/login', undefined, {
      nisn: s.nisn,
      password: s.password,
    });
    expect(await socket.pushedMatching((m) => m.type === 'kicked')).toMatchObject({
      reason: 'SESSION_REPLACED',
    });
    await expect.poll(() => socket.closeCode).toBe(4001);
  });
});

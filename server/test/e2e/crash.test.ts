import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClass, createStudent, createTestDatabase } from '../harness.js';
import { startServerProcess, type ServerProcess } from '../process.js';
import { createPublishedExam, type TestExam } from '../../src/sessions/test-factories.js';
import type { Sql } from '../../src/platform/postgres.js';
import { StudentClient } from './student-client.js';

/**
 * The promise on the box: every acknowledged answer survives a crash. The server process
 * is killed with SIGKILL right after its last ack — no shutdown hook runs — and a new
 * process on the same database must show and grade every acked answer.
 */
let db: { url: string; sql: Sql; drop: () => Promise<void> };
let exam: TestExam;
const processes: ServerProcess[] = [];
const env = () => ({
  DATABASE_URL: db.url,
  DATA_DIR: `/tmp/examhall-crash-${process.pid}`,
  DEMO: '0',
  JWT_SECRET: 'c'.repeat(40),
  LOG_LEVEL: 'warn',
});

beforeAll(async () => {
  db = await createTestDatabase();
  const cls = await createClass(db.sql);
  exam = await createPublishedExam(db.sql, {
    targets: [{ type: 'CLASS', value: cls.id }],
    questions: [
      { kind: 'single', options: ['A', 'B', 'C', 'D'], correct: ['B'], points: 2 },
      { kind: 'multi', options: ['A', 'B', 'C', 'D'], correct: ['A', 'C'], points: 4 },
      { kind: 'single', options: ['A', 'B', 'C', 'D'], correct: ['D'], points: 1 },
    ],
  });
  for (let i = 0; i < 5; i += 1)
    await createStudent(db.sql, { classId: cls.id, nisn: `880000000${i}`, password: `pw${i}` });
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await db?.drop();
});

describe('kill -9 right after acked saves', () => {
  it('keeps every acknowledged answer, and submit after the restart grades them', async () => {
    const first = await startServerProcess(env());
    processes.push(first);
    await first.waitReady();
    const [q1, q2, q3] = exam.questionIds as [string, string, string];

    const clients = Array.from(
      { length: 5 },
      (_, i) => new StudentClient(first.url, `880000000${i}`, `pw${i}`),
    );
    const sessions: string[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        await c.login();
        const started = await c.call('POST', `/api/v1/exams/${exam.id}/sessions`, {
          entryToken: exam.entryToken,
        });
        sessions[i] = started.body['sessionId'] as string;
        await c.connect();
      }),
    );
    // Saves in flight from everyone at once, half HTTP half WS; the kill follows the last ack.
    const expected = clients.map((_, i) => ({
      [q1]: i % 2 ? 'B' : 'A',
      [q2]: ['A', 'C'],
      [q3]: 'D',
    }));
    await Promise.all(
      clients.flatMap((c, i) => [
        c
          .call('PUT', `/api/v1/sessions/${sessions[i]}/answers`, {
            questionId: q1,
            answer: expected[i]![q1],
          })
          .then((r) => expect(r.status).toBe(200)),
        c
          .request({
            type: 'save',
            sessionId: sessions[i],
            questionId: q2,
            answer: expected[i]![q2],
          })
          .then((m) => expect(m['type']).toBe('saved')),
        c
          .request({
            type: 'save',
            sessionId: sessions[i],
            questionId: q3,
            answer: expected[i]![q3],
          })
          .then((m) => expect(m['type']).toBe('saved')),
      ]),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    for (const c of clients) c.dropSocket();

    const second = await startServerProcess(env());
    processes.push(second);
    await second.waitReady();
    await Promise.all(
      clients.map(async (c, i) => {
        const again = new StudentClient(second.url, c.nisn, c.password);
        again.token = c.token; // the old token still works after a restart
        const view = await again.call('GET', `/api/v1/sessions/${sessions[i]}`);
        expect(view.status).toBe(200);
        expect(view.body['answers']).toEqual(expected[i]);
        const result = await again.call('POST', `/api/v1/sessions/${sessions[i]}/submit`);
        expect(result.body).toMatchObject({ status: 'SCORED', score: i % 2 ? 7 : 5, maxScore: 7 });
      }),
    );
    expect(await second.stop()).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../platform/postgres.js';
import { type SessionStore, type NewSession, type SessionResult } from './types.js';

/**
 * The SessionStore contract (tldraw's storage contract suite, for us): every adapter runs this
 * file unchanged. The adapter's test supplies a fresh store on a fresh database.
 */
export interface ContractSetup {
  store: SessionStore;
  /** the database behind the store (for assertions on the durable side) */
  sql: Sql;
  /** a new session's input for a fresh student on a fresh published exam (rows exist) */
  newSession(overrides?: Partial<NewSession>): Promise<NewSession>;
  /** drops the adapter instance and builds another on the same durable state (a crash) */
  restart(): Promise<SessionStore>;
  close(): Promise<void>;
}

const GRACE = 2000;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

function resultOf(score: number, submittedAt: number): SessionResult {
  return {
    status: 'SCORED',
    submittedAt,
    score,
    maxScore: 10,
    percentage: score * 10,
    gradedCount: 1,
    pendingCount: 0,
    breakdown: [],
  };
}

export function sessionStoreContract(name: string, makeStore: () => Promise<ContractSetup>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let setup: ContractSetup;
    let store: SessionStore;
    const now = () => Date.now();
    const q = () => randomUUID();

    beforeAll(async () => {
      setup = await makeStore();
      store = setup.store;
    });
    afterAll(async () => {
      await setup.close();
    });

    async function started(overrides: Partial<NewSession> = {}) {
      const input = await setup.newSession(overrides);
      const { session } = await store.createSession(input);
      return session.meta.id;
    }

    it('caches exams: put, get, replace, drop', async () => {
      const examId = randomUUID();
      const entry = {
        exam: {
          examId,
          title: 'T',
          description: '',
          scheduledStart: new Date().toISOString(),
          scheduledEnd: new Date().toISOString(),
          durationMinutes: 10,
          shuffleQuestions: false,
          shuffleOptions: false,
          partialCredit: false,
          resultPolicy: 'immediate' as const,
          targets: [],
          questions: [],
        },
        key: {},
        live: {
          examId,
          status: 'PUBLISHED' as const,
          entryToken: 'ABC123',
          resultsReleasedAt: null,
          closedAt: null,
          scheduledStart: 1,
          scheduledEnd: 2,
          authorId: null,
        },
      };
      expect(await store.getExam(examId)).toBeNull();
      await store.putExam(entry);
      expect(await store.getExam(examId)).toEqual(entry);
      await store.putExam({ ...entry, live: { ...entry.live, entryToken: 'XYZ789' } });
      expect((await store.getExam(examId))?.live.entryToken).toBe('XYZ789');
      await store.dropExam(examId);
      expect(await store.getExam(examId)).toBeNull();
    });

    it('createSession is idempotent per exam and student: the first start wins', async () => {
      const input = await setup.newSession();
      const first = await store.createSession(input);
      expect(first.created).toBe(true);
      expect(first.session.meta).toMatchObject({
        id: input.id,
        status: 'IN_PROGRESS',
        endsAt: input.endsAt,
        seq: 0,
      });
      const again = await store.createSession({
        ...input,
        id: randomUUID(),
        shuffleSeed: 999,
        endsAt: input.endsAt + 60_000,
      });
      expect(again.created).toBe(false);
      expect(again.session.meta.id).toBe(input.id);
      expect(again.session.meta.shuffleSeed).toBe(input.shuffleSeed);
      expect(again.session.meta.endsAt).toBe(input.endsAt);
      expect(await store.sessionIdFor(input.examId, input.studentId)).toBe(input.id);
    });

    it('two racing starts end up in one session', async () => {
      const input = await setup.newSession();
      const [a, b] = await Promise.all([
        store.createSession(input),
        store.createSession({ ...input, id: randomUUID() }),
      ]);
      expect(a.session.meta.id).toBe(b.session.meta.id);
      expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    });

    it('unknown sessions: null on read, NOT_FOUND on write', async () => {
      const id = randomUUID();
      expect(await store.getSession(id)).toBeNull();
      expect(await store.sessionIdFor(randomUUID(), randomUUID())).toBeNull();
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: q(), answer: 'A' }], { now: now(), graceMs: GRACE }),
        ),
      ).toBe('NOT_FOUND');
      expect(await refusal(store.submit(id, { reason: 'STUDENT', now: now() }))).toBe('NOT_FOUND');
      expect(await refusal(store.extend(id, now()))).toBe('NOT_FOUND');
    });

    it('identity names the exam and student without the answers; a save by another student is NOT_FOUND and writes nothing', async () => {
      const id = await started();
      const { meta } = (await store.getSession(id))!;
      expect(await store.identity(id)).toEqual({ examId: meta.examId, studentId: meta.studentId });
      expect(await store.identity(randomUUID())).toBeNull();
      const qid = q();
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: qid, answer: 'A' }], {
            now: now(),
            graceMs: GRACE,
            studentId: randomUUID(),
          }),
        ),
      ).toBe('NOT_FOUND');
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: qid, answer: 'A' }], {
            now: now(),
            graceMs: GRACE,
            studentId: randomUUID(),
            idempotencyKey: 'k1',
          }),
        ),
      ).toBe('NOT_FOUND');
      expect((await store.getSession(id))!.answers).toEqual({});
      await store.saveAnswers(id, [{ questionId: qid, answer: 'B' }], {
        now: now(),
        graceMs: GRACE,
        studentId: meta.studentId,
      });
      expect((await store.getSession(id))!.answers[qid]!.answer).toBe('B');
    });

    it('saves last-write-wins per question with a monotonic per-session seq', async () => {
      const id = await started();
      const [q1, q2] = [q(), q()];
      const t = now();
      expect(
        await store.saveAnswers(id, [{ questionId: q1, answer: 'A', clientTs: t - 5 }], {
          now: t,
          graceMs: GRACE,
        }),
      ).toEqual({ saved: 1, savedAt: t });
      await store.saveAnswers(
        id,
        [
          { questionId: q2, answer: ['A', 'C'] },
          { questionId: q1, answer: 'B' },
        ],
        { now: t + 1, graceMs: GRACE },
      );
      await store.saveAnswers(id, [{ questionId: q2, answer: null }], {
        now: t + 2,
        graceMs: GRACE,
      });
      const s = (await store.getSession(id))!;
      expect(s.answers[q1]).toEqual({ answer: 'B', seq: 3, savedAt: t + 1, clientTs: null });
      expect(s.answers[q2]).toMatchObject({ answer: null, seq: 4 });
      expect(s.meta.seq).toBe(4);
      expect(s.meta.answeredCount).toBe(1);
      expect(s.meta.lastActivityAt).toBe(t + 2);
    });

    it('a repeated idempotency key returns the first ack and writes nothing', async () => {
      const id = await started();
      const q1 = q();
      const t = now();
      const first = await store.saveAnswers(id, [{ questionId: q1, answer: 'A' }], {
        now: t,
        graceMs: GRACE,
        idempotencyKey: 'k1',
      });
      const replay = await store.saveAnswers(id, [{ questionId: q1, answer: 'D' }], {
        now: t + 50,
        graceMs: GRACE,
        idempotencyKey: 'k1',
      });
      expect(replay).toEqual(first);
      const s = (await store.getSession(id))!;
      expect(s.answers[q1]).toMatchObject({ answer: 'A', seq: 1 });
      // The same key on another session is another save.
      const other = await started();
      await store.saveAnswers(other, [{ questionId: q1, answer: 'C' }], {
        now: t,
        graceMs: GRACE,
        idempotencyKey: 'k1',
      });
      expect((await store.getSession(other))!.answers[q1]?.answer).toBe('C');
    });

    it('TIME_UP after endsAt + grace, accepted up to it', async () => {
      const t = now();
      const id = await started({ endsAt: t - 1000 });
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: q(), answer: 'A' }], {
            now: t - 1000 + GRACE,
            graceMs: GRACE,
          }),
        ),
      ).toBe('ACCEPTED');
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: q(), answer: 'A' }], {
            now: t - 1000 + GRACE + 1,
            graceMs: GRACE,
          }),
        ),
      ).toBe('TIME_UP');
    });

    it('submit freezes: SESSION_CLOSED afterwards, a second submit returns the same answers', async () => {
      const id = await started();
      const q1 = q();
      await store.saveAnswers(id, [{ questionId: q1, answer: 'C' }], {
        now: now(),
        graceMs: GRACE,
      });
      const t = now();
      const first = await store.submit(id, { reason: 'STUDENT', now: t });
      expect(first).toMatchObject({ firstSubmit: true, result: null });
      expect(first.meta).toMatchObject({
        status: 'SUBMITTED',
        submittedAt: t,
        submitReason: 'STUDENT',
      });
      expect(first.answers[q1]?.answer).toBe('C');
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: q1, answer: 'D' }], { now: now(), graceMs: GRACE }),
        ),
      ).toBe('SESSION_CLOSED');
      const second = await store.submit(id, { reason: 'TIME_UP', now: t + 5000 });
      expect(second.firstSubmit).toBe(false);
      expect(second.answers).toEqual(first.answers);
      expect(second.meta.submittedAt).toBe(t);
      expect(second.meta.submitReason).toBe('STUDENT');
    });

    it('recordResult: refused before submit, then first writer wins, and submit returns it', async () => {
      const id = await started();
      expect(await refusal(store.recordResult(id, resultOf(1, now())))).toBe('CONFLICT');
      const { meta } = await store.submit(id, { reason: 'STUDENT', now: now() });
      const [a, b] = await Promise.all([
        store.recordResult(id, resultOf(7, meta.submittedAt!)),
        store.recordResult(id, resultOf(3, meta.submittedAt!)),
      ]);
      expect(a).toEqual(b);
      expect(await store.recordResult(id, resultOf(9, meta.submittedAt!))).toEqual(a);
      const again = await store.submit(id, { reason: 'STUDENT', now: now() });
      expect(again.result).toEqual(a);
      expect(again.meta.status).toBe('SCORED');
      expect((await store.getSession(id))!.meta.result).toEqual(a);
    });

    it('concurrent submits freeze once: one first submit, every caller the same answers', async () => {
      const id = await started();
      const q1 = q();
      await store.saveAnswers(id, [{ questionId: q1, answer: 'B' }], {
        now: now(),
        graceMs: GRACE,
      });
      const t = now();
      const outcomes = await Promise.all(
        [0, 1, 2, 3].map((i) => store.submit(id, { reason: 'STUDENT', now: t + i })),
      );
      expect(outcomes.filter((o) => o.firstSubmit)).toHaveLength(1);
      for (const o of outcomes) {
        expect(o.answers).toEqual(outcomes[0]!.answers);
        expect(o.meta.submittedAt).toBe(outcomes[0]!.meta.submittedAt);
      }
      expect(outcomes[0]!.answers[q1]?.answer).toBe('B');
    });

    it('a finished session is in PostgreSQL: its final answers, its status and the one result', async () => {
      const id = await started();
      const [q1, q2] = [q(), q()];
      const t = now();
      await store.saveAnswers(id, [{ questionId: q1, answer: 'A' }], { now: t, graceMs: GRACE });
      await store.saveAnswers(
        id,
        [
          { questionId: q1, answer: 'C' },
          { questionId: q2, answer: ['B', 'D'] },
        ],
        { now: t + 1, graceMs: GRACE },
      );
      const { meta } = await store.submit(id, { reason: 'STUDENT', now: t + 2 });
      const result = await store.recordResult(id, resultOf(6, meta.submittedAt!));
      const answers = await setup.sql<{ questionId: string; answer: unknown; seq: number }[]>`
        SELECT question_id AS "questionId", answer, seq FROM session_answers
        WHERE session_id = ${id} ORDER BY seq`;
      expect(answers).toEqual([
        { questionId: q1, answer: 'C', seq: 2 },
        { questionId: q2, answer: ['B', 'D'], seq: 3 },
      ]);
      const [row] = await setup.sql<
        { status: string; result: unknown; submittedAt: Date; answeredCount: number }[]
      >`
        SELECT status, result, submitted_at AS "submittedAt", answered_count AS "answeredCount"
        FROM exam_sessions WHERE id = ${id}`;
      expect(row).toMatchObject({ status: 'SCORED', result, answeredCount: 2 });
      expect(row!.submittedAt.getTime()).toBe(t + 2);
    });

    it('every concurrent save either lands in the submitted answers or is refused', async () => {
      const id = await started();
      const questions = Array.from({ length: 40 }, () => q());
      const saves = questions.map((qid, i) =>
        store
          .saveAnswers(id, [{ questionId: qid, answer: `opt-${i}` }], {
            now: now(),
            graceMs: GRACE,
          })
          .then(
            () => 'ACKED' as const,
            (err: unknown) => (err instanceof AppError ? err.code : 'ERROR'),
          ),
      );
      const submitted = store.submit(id, { reason: 'STUDENT', now: now() });
      const late = questions.slice(0, 10).map((qid) =>
        store
          .saveAnswers(id, [{ questionId: qid, answer: 'late' }], { now: now(), graceMs: GRACE })
          .then(
            () => 'ACKED',
            (e: AppError) => e.code,
          ),
      );
      const outcomes = await Promise.all(saves);
      const lateOutcomes = await Promise.all(late);
      const { answers } = await submitted;
      outcomes.forEach((o, i) => {
        if (o === 'ACKED') expect(answers[questions[i]!]?.answer).toBe(`opt-${i}`);
        else expect(o).toBe('SESSION_CLOSED');
      });
      for (const o of lateOutcomes) expect(['ACKED', 'SESSION_CLOSED']).toContain(o);
      // What was acknowledged is exactly what submit froze, nothing more.
      const acked =
        outcomes.filter((o) => o === 'ACKED').length +
        lateOutcomes.filter((o) => o === 'ACKED').length;
      expect(Object.keys(answers).length).toBeLessThanOrEqual(acked);
      expect((await store.getSession(id))!.answers).toEqual(answers);
    });

    it('the sweeper variant of submit only fires once the session is due', async () => {
      const t = now();
      const id = await started({ endsAt: t });
      expect(
        await refusal(
          store.submit(id, { reason: 'TIME_UP', now: t + GRACE, onlyIfDue: { graceMs: GRACE } }),
        ),
      ).toBe('CONFLICT');
      const done = await store.submit(id, {
        reason: 'TIME_UP',
        now: t + GRACE + 1,
        onlyIfDue: { graceMs: GRACE },
      });
      expect(done.meta).toMatchObject({ status: 'SUBMITTED', submitReason: 'TIME_UP' });
    });

    it('extend moves the deadline; refused once submitted', async () => {
      const t = now();
      const id = await started({ endsAt: t - 60_000 });
      expect(await store.dueForExpiry(t, GRACE, 1000)).toContain(id);
      const meta = await store.extend(id, t + 60_000);
      expect(meta.endsAt).toBe(t + 60_000);
      expect((await store.getSession(id))!.meta.endsAt).toBe(t + 60_000);
      expect(await store.dueForExpiry(t, GRACE, 1000)).not.toContain(id);
      expect(
        await refusal(
          store.saveAnswers(id, [{ questionId: q(), answer: 'A' }], { now: t, graceMs: GRACE }),
        ),
      ).toBe('ACCEPTED');
      await store.submit(id, { reason: 'STUDENT', now: t });
      expect(await refusal(store.extend(id, t + 120_000))).toBe('SESSION_CLOSED');
    });

    it('dueForExpiry lists only sessions in progress past endsAt + grace, oldest first', async () => {
      const t = now();
      const older = await started({ endsAt: t - 50_000 });
      const old = await started({ endsAt: t - 40_000 });
      const fresh = await started({ endsAt: t + 60_000 });
      const within = await started({ endsAt: t - GRACE + 500 });
      const done = await started({ endsAt: t - 45_000 });
      await store.submit(done, { reason: 'STUDENT', now: t });
      const due = await store.dueForExpiry(t, GRACE, 1000);
      expect(due).toEqual(expect.arrayContaining([older, old]));
      expect(due.indexOf(older)).toBeLessThan(due.indexOf(old));
      for (const id of [fresh, within, done]) expect(due).not.toContain(id);
      expect(await store.dueForExpiry(t, GRACE, 1)).toHaveLength(1);
    });

    it('idempotency records: set-if-absent, first value wins, expire after their TTL', async () => {
      const key = `test:${randomUUID()}`;
      expect(await store.getIdempotent(key)).toBeNull();
      expect(await store.putIdempotent(key, { n: 1 }, 150)).toEqual({ n: 1 });
      expect(await store.putIdempotent(key, { n: 2 }, 150)).toEqual({ n: 1 });
      expect(await store.getIdempotent(key)).toEqual({ n: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.getIdempotent(key)).toBeNull();
      expect(await store.putIdempotent(key, { n: 3 }, 1000)).toEqual({ n: 3 });
    });

    it('signals reach session_events; flush leaves no lag', async () => {
      const id = await started();
      await store.recordEvents([
        { sessionId: id, type: 'blur', at: now() },
        { sessionId: id, type: 'paste', at: now(), detail: { length: 12 } },
      ]);
      await store.flush();
      expect(await store.persistLag()).toEqual({ pending: 0, oldestMs: 0 });
      const rows = await setup.sql<
        { type: string }[]
      >`SELECT type FROM session_events WHERE session_id = ${id}`;
      expect(rows.map((r) => r.type).sort()).toEqual(['blur', 'paste']);
    });

    it('an acknowledged save is in PostgreSQL', async () => {
      const id = await started();
      const q1 = q();
      await store.saveAnswers(id, [{ questionId: q1, answer: ['B', 'D'] }], {
        now: now(),
        graceMs: GRACE,
      });
      const [row] = await setup.sql<{ answer: unknown; seq: number }[]>`
        SELECT answer, seq FROM session_answers WHERE session_id = ${id} AND question_id = ${q1}`;
      expect(row).toEqual({ answer: ['B', 'D'], seq: 1 });
      const [s] = await setup.sql<
        { answeredCount: number }[]
      >`SELECT answered_count AS "answeredCount" FROM exam_sessions WHERE id = ${id}`;
      expect(s?.answeredCount).toBe(1);
    });

    it('evictSession: refused in progress; a finished session reloads with its result', async () => {
      const id = await started();
      expect(await refusal(store.evictSession(id))).toBe('CONFLICT');
      const { meta } = await store.submit(id, { reason: 'STUDENT', now: now() });
      const result = await store.recordResult(id, resultOf(4, meta.submittedAt!));
      await store.evictSession(id);
      const back = (await store.getSession(id))!;
      expect(back.meta.result).toEqual(result);
      expect(back.meta.status).toBe('SCORED');
    });

    it('after a restart every acknowledged answer, deadline and result is rebuilt; seq continues', async () => {
      const t = now();
      const open = await started({ endsAt: t + 60_000 });
      const q1 = q();
      const q2 = q();
      await store.saveAnswers(open, [{ questionId: q1, answer: 'A' }], { now: t, graceMs: GRACE });
      await store.saveAnswers(
        open,
        [
          { questionId: q1, answer: 'B' },
          { questionId: q2, answer: 'essay' },
        ],
        { now: t + 1, graceMs: GRACE },
      );
      await store.extend(open, t + 120_000);
      const finished = await started();
      const frozen = await store.submit(finished, { reason: 'STUDENT', now: t });
      const result = await store.recordResult(finished, resultOf(5, frozen.meta.submittedAt!));

      store = await setup.restart();

      const s = (await store.getSession(open))!;
      expect(s.meta).toMatchObject({
        status: 'IN_PROGRESS',
        endsAt: t + 120_000,
        seq: 3,
        answeredCount: 2,
      });
      expect(s.answers[q1]).toMatchObject({ answer: 'B', seq: 2 });
      expect(s.answers[q2]).toMatchObject({ answer: 'essay', seq: 3 });
      await store.saveAnswers(open, [{ questionId: q1, answer: 'C' }], {
        now: t + 2,
        graceMs: GRACE,
      });
      expect((await store.getSession(open))!.answers[q1]).toMatchObject({ answer: 'C', seq: 4 });
      expect(await store.sessionIdFor(s.meta.examId, s.meta.studentId)).toBe(open);

      const again = await store.submit(finished, { reason: 'STUDENT', now: t + 10 });
      expect(again.firstSubmit).toBe(false);
      expect(again.result).toEqual(result);
      expect(
        await refusal(
          store.saveAnswers(finished, [{ questionId: q1, answer: 'C' }], {
            now: t,
            graceMs: GRACE,
          }),
        ),
      ).toBe('SESSION_CLOSED');
    });
  });
}

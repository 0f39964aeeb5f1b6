import type { Logger } from 'pino';
import type { Bus } from '../platform/bus/index.js';
import { ExamClosed, ExamPublished } from './exams.events.js';
import type {
  CreateExamBody,
  Exam,
  ExamListQuery,
  ExamQuestionRef,
  ExamSummary,
  ExamTarget,
  UpdateExamBody,
} from '../../../contracts/exams.js';
import { canReadExam, canWrite } from '../auth/index.js';
import type { StaffPrincipal } from '../auth/index.js';
import { cleanRichText } from '../media/index.js';
import { conflict, forbidden, invalid, notFound } from '../platform/errors.js';
import type { Sql } from '../platform/postgres.js';
import type { QuestionsService } from '../questions/questions.service.js';
import {
  checkEditAllowed,
  checkWindow,
  generateEntryToken,
  normalizeTarget,
  rotateEntryToken,
  seesAllExams,
} from './exam-rules.js';
import { createExamsRepo, type Db, type ExamColumns, type ExamRecord } from './exams.repo.js';
import { renderPublishedExam, withLiveFields } from './render.js';

export interface ExamsDeps {
  sql: Sql;
  questions: QuestionsService;
  /**
   * Called after a committed change to a PUBLISHED or CLOSED exam (publish, close, token
   * rotation, target/schedule/title edits) so the sessions feature reloads its hot copy.
   * Its failure fails the request: a teacher who rotated a token must not be told "done"
   * while students are still checked against the old one. Every such call is safe to retry.
   */
  onExamChanged: (examId: string) => Promise<void>;
  /** `exam.published` / `exam.closed` for other features (an announcement, unlike onExamChanged) */
  bus?: Bus;
  logger?: Pick<Logger, 'warn'>;
  now?: () => Date;
}

export function createExamsService(deps: ExamsDeps) {
  const { sql, questions, onExamChanged } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = createExamsRepo();

  /** An exam this staff member may see; anything else is 404 (its existence is not revealed). */
  async function loadVisible(
    db: Db,
    staff: StaffPrincipal,
    id: string,
    lock = false,
  ): Promise<ExamRecord> {
    const exam = await repo.find(db, id, lock);
    if (!exam || !canReadExam(staff, exam.authorId)) throw notFound('Exam');
    return exam;
  }

  /** Locked for the transaction; visible but not theirs (a proctor) is 403. */
  async function loadWritable(db: Db, staff: StaffPrincipal, id: string): Promise<ExamRecord> {
    const exam = await loadVisible(db, staff, id, true);
    if (!canWrite(staff, 'exams', exam.authorId))
      throw forbidden('You may only manage your own exams');
    return exam;
  }

  async function checkTargets(db: Db, targets: ExamTarget[]): Promise<ExamTarget[]> {
    const tidy = targets.map((t, i) => normalizeTarget(t, `targets[${i}].value`));
    const valuesOf = (type: ExamTarget['type']) =>
      tidy.filter((t) => t.type === type).map((t) => t.value);
    const [classes, students, majors] = await Promise.all([
      repo.existingClassIds(db, valuesOf('CLASS')),
      repo.existingStudentIds(db, valuesOf('STUDENT')),
      repo.existingMajors(db, valuesOf('MAJOR')),
    ]);
    tidy.forEach((t, i) => {
      const field = `targets[${i}].value`;
      if (t.type === 'CLASS' && !classes.has(t.value))
        throw invalid(`${field}: no class ${t.value}`);
      if (t.type === 'STUDENT' && !students.has(t.value))
        throw invalid(`${field}: no student ${t.value}`);
      if (t.type === 'MAJOR' && !majors.has(t.value))
        throw invalid(`${field}: no class has the major ${t.value}`);
    });
    return tidy.filter(
      (t, i) => tidy.findIndex((o) => o.type === t.type && o.value === t.value) === i,
    );
  }

  async function checkQuestions(refs: ExamQuestionRef[]): Promise<ExamRecord['questions']> {
    const list = refs.map((r) => ({
      questionId: r.questionId.toLowerCase(),
      points: r.points === undefined ? null : Math.round(r.points * 100) / 100,
    }));
    const existing = await questions.existing(list.map((q) => q.questionId));
    list.forEach((q, i) => {
      if (list.findIndex((o) => o.questionId === q.questionId) !== i)
        throw invalid(`questions[${i}].questionId is listed twice`);
      if (!existing.has(q.questionId))
        throw invalid(`questions[${i}].questionId: no question ${q.questionId}`);
    });
    return list;
  }

  /** Patch fields → columns; description is rich text and sanitized like a question's. */
  function columnsOf(body: UpdateExamBody): ExamColumns {
    const c: ExamColumns = {};
    if (body.title !== undefined) {
      c.title = body.title.trim();
      if (!c.title) throw invalid('title is empty');
    }
    if (body.description !== undefined)
      c.description = cleanRichText('description', body.description);
    if (body.scheduledStart !== undefined) c.scheduled_start = new Date(body.scheduledStart);
    if (body.scheduledEnd !== undefined) c.scheduled_end = new Date(body.scheduledEnd);
    if (body.durationMinutes !== undefined) c.duration_minutes = body.durationMinutes;
    if (body.shuffleQuestions !== undefined) c.shuffle_questions = body.shuffleQuestions;
    if (body.shuffleOptions !== undefined) c.shuffle_options = body.shuffleOptions;
    if (body.partialCredit !== undefined) c.partial_credit = body.partialCredit;
    if (body.negativeMarking !== undefined) c.negative_marking = body.negativeMarking;
    if (body.resultPolicy !== undefined) c.result_policy = body.resultPolicy;
    if (body.leaderboard !== undefined) {
      c.leaderboard_enabled = body.leaderboard.enabled;
      if (body.leaderboard.visibility !== undefined)
        c.leaderboard_visibility = body.leaderboard.visibility;
    }
    return c;
  }

  async function get(staff: StaffPrincipal, id: string): Promise<Exam> {
    return presentExam(await loadVisible(sql, staff, id));
  }

  /** Runs a state change in a transaction, then tells the hot store if the exam is live. */
  async function change(
    staff: StaffPrincipal,
    id: string,
    apply: (tx: Db, exam: ExamRecord) => Promise<void>,
  ): Promise<Exam> {
    const before = await sql.begin(async (tx) => {
      const exam = await loadWritable(tx, staff, id);
      await apply(tx, exam);
      return exam;
    });
    const after = await get(staff, id);
    if (after.status !== 'DRAFT' || before.status !== 'DRAFT') await onExamChanged(id);
    if (after.status !== before.status) {
      const lifecycle =
        after.status === 'PUBLISHED'
          ? ExamPublished
          : after.status === 'CLOSED'
            ? ExamClosed
            : undefined;
      if (lifecycle) {
        await deps.bus
          ?.publish(lifecycle, { examId: id, at: now().toISOString() })
          .catch((err: unknown) =>
            deps.logger?.warn({ err, examId: id }, 'could not announce an exam change'),
          );
      }
    }
    return after;
  }

  return {
    get,

    /** An exam as the leaderboards feature sees it (any status; callers check access). */
    boardExam(examId: string) {
      return repo.boardExam(sql, examId);
    },

    /** The exam as this staff member may see it (reports use this for access). */
    loadVisible: (staff: StaffPrincipal, id: string) => loadVisible(sql, staff, id),

    async list(staff: StaffPrincipal, query: ExamListQuery) {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 50;
      const all = seesAllExams(staff);
      // A teacher sees their own exams only; asking for someone else's finds none.
      if (!all && query.authorId && query.authorId !== staff.id)
        return { items: [], total: 0, page, pageSize };
      const filter = {
        status: query.status,
        search: query.search,
        authorId: all ? query.authorId : staff.id,
      };
      const { rows, total } = await repo.list(sql, filter, {
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return { items: rows.map(presentSummary), total, page, pageSize };
    },

    async create(staff: StaffPrincipal, body: CreateExamBody): Promise<Exam> {
      checkWindow(new Date(body.scheduledStart), new Date(body.scheduledEnd));
      const targets = await checkTargets(sql, body.targets ?? []);
      const refs = await checkQuestions(body.questions ?? []);
      const columns: ExamColumns = {
        description: '',
        shuffle_questions: false,
        shuffle_options: false,
        partial_credit: false,
        result_policy: 'immediate',
        ...columnsOf(body),
        entry_token: generateEntryToken(),
      };
      const id = await sql.begin(async (tx) => {
        const examId = await repo.insert(tx, staff.id, columns);
        await repo.replaceTargets(tx, examId, targets);
        await repo.replaceQuestions(tx, examId, refs);
        return examId;
      });
      return get(staff, id);
    },

    async update(staff: StaffPrincipal, id: string, body: UpdateExamBody): Promise<Exam> {
      return change(staff, id, async (tx, exam) => {
        checkEditAllowed(exam, body);
        checkWindow(
          body.scheduledStart ? new Date(body.scheduledStart) : exam.scheduledStart,
          body.scheduledEnd ? new Date(body.scheduledEnd) : exam.scheduledEnd,
        );
        await repo.update(tx, id, columnsOf(body));
        if (body.targets) await repo.replaceTargets(tx, id, await checkTargets(tx, body.targets));
        // Past DRAFT, checkEditAllowed has proven the list unchanged: nothing to write.
        if (body.questions && exam.status === 'DRAFT')
          await repo.replaceQuestions(tx, id, await checkQuestions(body.questions));
        if (exam.status === 'DRAFT') return;
        const payload = await repo.readPayload(tx, id);
        const updated = await repo.find(tx, id);
        if (payload && updated) await repo.writePayload(tx, id, withLiveFields(payload, updated));
      });
    },

    async remove(staff: StaffPrincipal, id: string): Promise<void> {
      await sql.begin(async (tx) => {
        const exam = await loadWritable(tx, staff, id);
        if (exam.status !== 'DRAFT')
          throw conflict(
            `The exam is ${exam.status}; only a DRAFT can be deleted (close it instead)`,
          );
        await repo.remove(tx, id);
      });
    },

    /**
     * Freezes the student payload and the answer key in the same transaction that makes
     * the exam PUBLISHED. Publishing again changes nothing (and re-notifies the hot store).
     */
    async publish(staff: StaffPrincipal, id: string): Promise<Exam> {
      return change(staff, id, async (tx, exam) => {
        if (exam.status === 'PUBLISHED') return;
        if (exam.status === 'CLOSED')
          throw conflict('The exam is CLOSED; it cannot be published again');
        if (exam.questions.length === 0) throw conflict('The exam has no questions yet');
        checkWindow(exam.scheduledStart, exam.scheduledEnd);
        if (exam.scheduledEnd <= now())
          throw conflict('The exam window has already ended; move scheduledEnd first');
        const bank = await questions.snapshotForPublish(
          tx,
          exam.questions.map((q) => q.questionId),
        );
        const { payload, answerKey } = renderPublishedExam(exam, bank);
        await repo.markPublished(tx, id, payload, answerKey);
      });
    },

    async close(staff: StaffPrincipal, id: string): Promise<Exam> {
      return change(staff, id, async (tx, exam) => {
        if (exam.status === 'CLOSED') return;
        if (exam.status === 'DRAFT')
          throw conflict('The exam is a DRAFT; publish it first, or delete it');
        await repo.markClosed(tx, id);
      });
    },

    async rotateToken(staff: StaffPrincipal, id: string): Promise<Exam> {
      return change(staff, id, async (tx, exam) => {
        if (exam.status === 'CLOSED')
          throw conflict('The exam is CLOSED; its token no longer matters');
        await repo.update(tx, id, { entry_token: rotateEntryToken(exam.entryToken) });
      });
    },
  };
}

function presentSummary(e: ExamRecord): ExamSummary {
  return {
    id: e.id,
    authorId: e.authorId,
    title: e.title,
    description: e.description,
    scheduledStart: e.scheduledStart.toISOString(),
    scheduledEnd: e.scheduledEnd.toISOString(),
    durationMinutes: e.durationMinutes,
    entryToken: e.entryToken,
    targets: e.targets,
    shuffleQuestions: e.shuffleQuestions,
    shuffleOptions: e.shuffleOptions,
    partialCredit: e.partialCredit,
    negativeMarking: e.negativeMarking,
    resultPolicy: e.resultPolicy,
    leaderboard: e.leaderboard,
    status: e.status,
    questionCount: e.questionCount,
    publishedAt: e.publishedAt?.toISOString() ?? null,
    closedAt: e.closedAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function presentExam(e: ExamRecord): Exam {
  return {
    ...presentSummary(e),
    questions: e.questions.map((q) =>
      q.points === null
        ? { questionId: q.questionId }
        : { questionId: q.questionId, points: q.points },
    ),
  };
}

export type ExamsService = ReturnType<typeof createExamsService>;

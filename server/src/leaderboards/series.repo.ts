import type { Sql } from '../platform/postgres.js';

/** The leaderboards feature's own tables: series and their exams (migration 0008). */
export interface SeriesRow {
  id: string;
  title: string;
  authorId: string | null;
  createdAt: Date;
  /** in the order given at creation */
  examIds: string[];
}

export function createSeriesRepo(sql: Sql) {
  const select = sql`
    SELECT s.id, s.title, s.author_id AS "authorId", s.created_at AS "createdAt",
           COALESCE(array_agg(se.exam_id ORDER BY se.position) FILTER (WHERE se.exam_id IS NOT NULL), '{}') AS "examIds"
    FROM series s LEFT JOIN series_exams se ON se.series_id = s.id`;

  return {
    async create(input: { title: string; examIds: string[]; authorId: string }): Promise<string> {
      return sql.begin(async (tx) => {
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO series (title, author_id) VALUES (${input.title}, ${input.authorId}) RETURNING id`;
        const id = row!.id;
        await tx`
          INSERT INTO series_exams (series_id, exam_id, position)
          SELECT ${id}, exam_id, position
          FROM unnest(${input.examIds}::uuid[]) WITH ORDINALITY AS t(exam_id, position)`;
        return id;
      });
    },

    async get(id: string): Promise<SeriesRow | null> {
      const [row] = await sql<SeriesRow[]>`${select} WHERE s.id = ${id} GROUP BY s.id`;
      return row ?? null;
    },

    async list(): Promise<SeriesRow[]> {
      return sql<SeriesRow[]>`${select} GROUP BY s.id ORDER BY s.created_at DESC, s.id`;
    },

    /** Series that hold this exam (scoring it moves their boards). */
    async ofExam(examId: string): Promise<SeriesRow[]> {
      return sql<SeriesRow[]>`
        ${select}
        WHERE s.id IN (SELECT series_id FROM series_exams WHERE exam_id = ${examId})
        GROUP BY s.id`;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM series WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}

export type SeriesRepo = ReturnType<typeof createSeriesRepo>;

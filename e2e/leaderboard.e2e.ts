import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

/**
 * Leaderboards in the browser (issue 12). Set up over the API: two classes, four students, an
 * exam whose board students see with names, and three of the students submitting different
 * scores. Then a student finds their rank on the result, opens the board, watches a fourth
 * result arrive live, switches to their class by keyboard and is told in words that a
 * staff-only board is closed; a teacher opens the exam's board, narrows it to a class and a
 * major, rebuilds it, makes a series of two exams whose board sums the percentages (anonymous
 * for students, one exam being so) and deletes it.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

const EXAM_TITLE = 'Matematika — Try-out 1';
/** the series' second exam: anonymous, so the series board is too (the strictest visibility) */
const OTHER_TITLE = 'Fisika — Try-out 1';
/** a board only staff see */
const STAFF_ONLY_TITLE = 'Kimia — Ulangan Harian';
const SERIES_TITLE = 'Try-out Semester Genap';
const QUESTIONS = 4;

interface Person {
  nisn: string;
  name: string;
  password: string;
  /** questions answered right, out of QUESTIONS */
  right: number;
  /** the class it belongs to: the IPA class, or the IPS one */
  ips?: boolean;
}
const rina: Person = { nisn: '9900000201', name: 'Rina Kartika', password: 'rina-pass', right: 4 };
const bagus: Person = {
  nisn: '9900000202',
  name: 'Bagus Wicaksono',
  password: 'bagus-pass',
  right: 3,
};
const sekar: Person = {
  nisn: '9900000203',
  name: 'Sekar Ayuningtyas',
  password: 'sekar-pass',
  right: 1,
};
/** in another class; submits while Bagus has the board open */
const dewi: Person = {
  nisn: '9900000204',
  name: 'Dewi Lestari',
  password: 'dewi-pass',
  right: 2,
  ips: true,
};
const IPA = 'X IPA 3';
const IPS = 'X IPS 1';

let server: RunningServer;
let staff: Browser;
let student: Browser;
let staffToken = '';
let examId = '';
let entryToken = '';
let staffOnlyId = '';
/** what Bagus's submit answered */
let bagusSubmit: { rank?: number; rankTotal?: number; percentile?: number } = {};

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

async function api<T>(
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST' || method === 'PUT') headers['Idempotency-Key'] = randomUUID();
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `${method} ${url}: ${res.status} ${text}`).toBeLessThan(300);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function login(body: Record<string, string>): Promise<string> {
  return (await api<{ accessToken: string }>('POST', '/api/v1/auth/login', null, body)).accessToken;
}

/** A student takes the exam over the API, answering `right` questions correctly (A is right). */
async function takeExam(
  person: Person,
  exam = { id: examId, entryToken },
): Promise<{ rank?: number; rankTotal?: number; percentile?: number }> {
  const token = await login({ nisn: person.nisn, password: person.password });
  const view = await api<{ sessionId: string; questions: { id: string }[] }>(
    'POST',
    `/api/v1/exams/${exam.id}/sessions`,
    token,
    { entryToken: exam.entryToken },
  );
  const answers = view.questions.map((q, i) => ({
    questionId: q.id,
    answer: i < person.right ? 'A' : 'B',
  }));
  await api('PUT', `/api/v1/sessions/${view.sessionId}/answers`, token, { answers });
  return api('POST', `/api/v1/sessions/${view.sessionId}/submit`, token);
}

/** The staff console's main navigation (other links on a page may share a name). */
async function nav(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name })
    .click();
}

/** The names of a board table's rows, top to bottom (the "You" badge left out). */
async function names(page: Page, testId = 'board-top-row'): Promise<string[]> {
  const cells = await page.getByTestId(testId).getByTestId('board-name').allInnerTexts();
  return cells.map((text) => text.replace(/\s*You$/, '').trim());
}

async function waitForNames(page: Page, expected: string[], testId = 'board-top-row') {
  await expect.poll(() => names(page, testId), { timeout: 15_000 }).toEqual(expected);
}

beforeAll(async () => {
  server = await startServer();
  staff = await openBrowser();
  student = await openBrowser();
  staffToken = await login(server.admin);

  const classOf = new Map<boolean, string>();
  for (const [ips, majorCode, groupNumber] of [
    [false, 'IPA', 3],
    [true, 'IPS', 1],
  ] as const) {
    const created = await api<{ id: string; name: string }>(
      'POST',
      '/api/v1/admin/classes',
      staffToken,
      {
        gradeLevel: 10,
        majorCode,
        groupNumber,
      },
    );
    expect(created.name).toBe(ips ? IPS : IPA);
    classOf.set(ips, created.id);
  }
  for (const s of [rina, bagus, sekar, dewi])
    await api('POST', '/api/v1/admin/students', staffToken, {
      nisn: s.nisn,
      name: s.name,
      password: s.password,
      classId: classOf.get(s.ips ?? false),
    });

  const questionIds: string[] = [];
  for (let n = 1; n <= QUESTIONS; n++) {
    const q = await api<{ id: string }>('POST', '/api/v1/admin/questions', staffToken, {
      kind: 'single',
      text: `${n} + ${n} = ?`,
      options: [
        { id: 'A', text: String(2 * n) },
        { id: 'B', text: String(2 * n + 1) },
      ],
      correct: ['A'],
      points: 1,
      tags: ['e2e-leaderboard'],
    });
    questionIds.push(q.id);
  }
  const now = Date.now();
  const examBody = (title: string, visibility = 'students') => ({
    title,
    scheduledStart: new Date(now - 60_000).toISOString(),
    scheduledEnd: new Date(now + 3_600_000).toISOString(),
    durationMinutes: 30,
    targets: [...classOf.values()].map((value) => ({ type: 'CLASS', value })),
    questions: questionIds.map((questionId) => ({ questionId })),
    shuffleQuestions: false,
    shuffleOptions: false,
    resultPolicy: 'immediate',
    leaderboard: { enabled: true, visibility },
  });
  const exam = await api<{ id: string; entryToken: string }>(
    'POST',
    '/api/v1/admin/exams',
    staffToken,
    examBody(EXAM_TITLE),
  );
  examId = exam.id;
  entryToken = exam.entryToken;
  await api('POST', `/api/v1/admin/exams/${examId}/publish`, staffToken);
  // the series' second exam: nobody takes it, so it adds 0 to everyone's sum
  const other = await api<{ id: string }>(
    'POST',
    '/api/v1/admin/exams',
    staffToken,
    examBody(OTHER_TITLE, 'anonymous'),
  );
  await api('POST', `/api/v1/admin/exams/${other.id}/publish`, staffToken);
  const staffOnly = await api<{ id: string; entryToken: string }>(
    'POST',
    '/api/v1/admin/exams',
    staffToken,
    examBody(STAFF_ONLY_TITLE, 'staff'),
  );
  staffOnlyId = staffOnly.id;
  await api('POST', `/api/v1/admin/exams/${staffOnlyId}/publish`, staffToken);

  await takeExam(rina);
  await takeExam(sekar);
  bagusSubmit = await takeExam(bagus);
  // before Bagus signs in in the browser: a second sign-in would end that one
  await takeExam(bagus, staffOnly);
});

afterAll(async () => {
  await staff?.close();
  await student?.close();
  await server?.stop();
});

describe('leaderboards in the browser', () => {
  it('a student sees their rank on the result', async () => {
    const page = student.page;
    await page.goto(`${server.url}/login`);
    await page.getByLabel('NISN').fill(bagus.nisn);
    await page.getByLabel('Password').fill(bagus.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/exams');
    // the exam list links the board, since students may see it
    await page.getByRole('link', { name: `Leaderboard of ${EXAM_TITLE}` }).waitFor();
    await page.getByRole('heading', { name: STAFF_ONLY_TITLE }).waitFor();
    expect(
      await page.getByRole('link', { name: `Leaderboard of ${STAFF_ONLY_TITLE}` }).count(),
    ).toBe(0);
    await page.getByRole('button', { name: `View result: ${EXAM_TITLE}` }).click();
    await page.getByRole('heading', { name: 'Exam submitted' }).waitFor();
    await page.getByRole('heading', { name: 'Your rank' }).waitFor();
    // 1 of the 3 ranked results is lower: 100 × 1 / 3
    expect(await page.getByTestId('result-rank').innerText()).toBe(
      'Rank 2 of 3 · better than 33.3%',
    );
    await shot(page, 'lb-01-student-result-rank');
  });

  it('opens the board: everyone in order, their own row highlighted', async () => {
    const page = student.page;
    await page.getByRole('link', { name: 'See the leaderboard' }).click();
    await page.waitForURL(`**/exams/${examId}/leaderboard`);
    await page.getByRole('heading', { name: `Leaderboard — ${EXAM_TITLE}` }).waitFor();
    await waitForNames(page, [rina.name, bagus.name, sekar.name]);
    expect(
      await page.getByTestId('board-top-row').getByTestId('board-rank').allInnerTexts(),
    ).toEqual(['1', '2', '3']);
    const mine = page.locator('tr.board-row--me');
    expect(await mine.count()).toBe(1);
    expect(await mine.getByRole('rowheader').innerText()).toContain(bagus.name);
    expect(await mine.innerText()).toContain('You');
    expect(await page.getByTestId('board-me').innerText()).toBe('Rank 2 of 3 · better than 33.3%');
    // a table with its caption and column headers, for screen readers
    const table = page.getByRole('table', { name: `Top of the leaderboard of ${EXAM_TITLE}` });
    expect(await table.getByRole('columnheader').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/rank/i), expect.stringMatching(/name/i)]),
    );
    await expect.poll(() => page.getByTestId('board-live').innerText()).toMatch(/^Live/);
    await shot(page, 'lb-02-student-board');
  });

  it('a new result arrives on the open board without a reload', async () => {
    const page = student.page;
    await takeExam(dewi);
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
    // 2 of 4 lower now
    await expect
      .poll(() => page.getByTestId('board-me').innerText())
      .toBe('Rank 2 of 4 · better than 50.0%');
  });

  it('switches to their class, and reads the board in Indonesian', async () => {
    const page = student.page;
    // by keyboard: the cohorts are one radio group, the arrow keys move along it
    await page.getByRole('radio', { name: 'Whole exam' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: 'My class' }).isChecked()).toBe(true);
    await page.waitForURL('**/leaderboard?cohort=class');
    await waitForNames(page, [rina.name, bagus.name, sekar.name]);
    expect(await page.getByTestId('board-me').innerText()).toBe('Rank 2 of 3 · better than 33.3%');
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.getByRole('radio', { name: 'Kelas saya' }).waitFor();
    expect(await page.getByTestId('board-me').innerText()).toBe(
      'Peringkat 2 dari 3 · lebih baik dari 33,3%',
    );
    await shot(page, 'lb-03-student-board-class-id');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('radio', { name: 'Whole exam' }).check();
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
  });

  it('a board only staff see says so, in words', async () => {
    const page = student.page;
    const errorsBefore = student.errors.length;
    await page.goto(`${server.url}/exams/${staffOnlyId}/leaderboard`);
    await expect
      .poll(() => page.getByTestId('board-error').innerText())
      .toContain('You cannot see this leaderboard yet.');
    expect(await page.getByRole('table').count()).toBe(0);
    // Chromium logs the refused GET (403) itself: expected, so not counted
    const logged = student.errors.splice(errorsBefore);
    expect(logged.every((e) => e.includes('403'))).toBe(true);
  });

  it('staff open the exam board from the exams list, with every name', async () => {
    const page = staff.page;
    await page.goto(`${server.url}/staff/login`);
    await page.getByLabel('Email').fill(server.admin.email);
    await page.getByLabel('Password').fill(server.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin/exams');
    await page.getByRole('link', { name: `Leaderboard of ${EXAM_TITLE}` }).click();
    await page.waitForURL(`**/admin/exams/${examId}/leaderboard`);
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
    expect(await page.locator('tr.board-row--me').count()).toBe(0);
    await expect.poll(() => page.getByTestId('board-live').innerText()).toMatch(/^Live/);
    await shot(page, 'lb-04-staff-board');
  });

  it('narrows the board to a class and to a major', async () => {
    const page = staff.page;
    await page.getByLabel('Cohort').selectOption({ label: IPA });
    await waitForNames(page, [rina.name, bagus.name, sekar.name]);
    await page.getByLabel('Cohort').selectOption({ label: 'Major IPS' });
    await waitForNames(page, [dewi.name]);
    await page.getByLabel('Cohort').selectOption({ label: 'Whole exam' });
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
  });

  it('rebuilds the board from the database after a confirmation', async () => {
    const page = staff.page;
    await page.getByRole('button', { name: 'Rebuild from database' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Rebuild the leaderboard?' });
    await confirm.getByRole('button', { name: 'Rebuild from database' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Leaderboard rebuilt: 4 results ranked in \d+ ms\.$/ })
      .waitFor();
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
  });

  it('creates a series of two exams, refusing an empty one first', async () => {
    const page = staff.page;
    await nav(page, 'Series');
    await page.getByRole('heading', { name: 'Series' }).waitFor();
    await page.getByRole('button', { name: 'New series' }).click();
    const dialog = page.getByRole('dialog', { name: 'New series' });
    await dialog.getByRole('button', { name: 'Create series' }).click();
    const problems = dialog.getByRole('alert').filter({ hasText: 'Give the series a title.' });
    await problems.waitFor();
    expect(await problems.innerText()).toContain('Choose at least one exam.');

    await dialog.getByLabel('Title').fill(SERIES_TITLE);
    await dialog.getByRole('checkbox', { name: EXAM_TITLE }).check();
    await dialog.getByRole('checkbox', { name: OTHER_TITLE }).check();
    await dialog.getByText('2 selected').waitFor();
    await shot(page, 'lb-05-staff-series-create');
    await dialog.getByRole('button', { name: 'Create series' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Series ${SERIES_TITLE} created.` })
      .waitFor();
    await page.getByRole('rowheader', { name: SERIES_TITLE }).waitFor();
  });

  it("shows the series board: each student's percentages summed", async () => {
    const page = staff.page;
    await page.getByRole('link', { name: `View the board of ${SERIES_TITLE}` }).click();
    await page.getByRole('heading', { name: SERIES_TITLE }).waitFor();
    await waitForNames(page, [rina.name, bagus.name, dewi.name, sekar.name]);
    // the other exam was taken by nobody: it counts 0
    expect(
      await page.getByTestId('board-top-row').getByTestId('board-score').allInnerTexts(),
    ).toEqual(['100', '75', '50', '25']);
    expect(await page.getByTestId('series-exams').innerText()).toContain(OTHER_TITLE);
    await shot(page, 'lb-06-staff-series-board');
  });

  it('the student finds the series; its board hides the others, one of its exams being anonymous', async () => {
    const page = student.page;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Series' })
      .click();
    await page.getByRole('heading', { name: SERIES_TITLE }).waitFor();
    await page.getByRole('link', { name: `View the board of ${SERIES_TITLE}` }).click();
    await waitForNames(page, ['Anonymous', bagus.name, 'Anonymous', 'Anonymous']);
    expect(await page.locator('tr.board-row--me').getByRole('rowheader').innerText()).toContain(
      bagus.name,
    );
    await shot(page, 'lb-07-student-series-board');
  });

  it('staff delete the series after a confirmation', async () => {
    const page = staff.page;
    await nav(page, 'Series');
    await page.getByRole('button', { name: `Delete the series ${SERIES_TITLE}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete the series ${SERIES_TITLE}?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Series ${SERIES_TITLE} deleted.` })
      .waitFor();
    await page.getByText('No series yet').waitFor();
  });

  it('staff set negative marking on a draft in the exam builder, and it is read back after a reload', async () => {
    const page = staff.page;
    const draft = await api<{ id: string }>('POST', '/api/v1/admin/exams', staffToken, {
      title: 'Try-out with negative marking',
      scheduledStart: new Date(Date.now() + 3600_000).toISOString(),
      scheduledEnd: new Date(Date.now() + 3 * 3600_000).toISOString(),
      durationMinutes: 60,
    });
    await page.goto(`${server.url}/admin/exams/${draft.id}`);
    const marking = page.getByLabel('Negative marking');
    await expect.poll(() => marking.inputValue()).toBe('0');
    await marking.selectOption({ label: 'A wrong answer loses 25% of its points' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Exam saved.' }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel('Negative marking').inputValue()).toBe('0.25');
    const saved = await api<{ negativeMarking: number }>(
      'GET',
      `/api/v1/admin/exams/${draft.id}`,
      staffToken,
    );
    expect(saved.negativeMarking).toBe(0.25);
  });

  it('the submit itself answered with the rank', () => {
    expect(bagusSubmit).toMatchObject({ rank: 2, rankTotal: 3, percentile: 33.3 });
  });

  it('no console errors on either side', () => {
    expect(staff.errors).toEqual([]);
    expect(student.errors).toEqual([]);
  });
});

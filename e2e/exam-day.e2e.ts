import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from './support/browser.js';
import { questionsCsv, studentsCsv, trianglePng, type SheetQuestion } from './support/fixtures.js';
import { startServer, type RunningServer } from './support/server.js';

/**
 * The acceptance scenario of the web app, in one exam day: a staff member sets up a class,
 * students, questions and an exam; a student takes it through a reload and a network cut;
 * the staff monitor sees the submission, and the teacher grades the written answer on the
 * student's paper.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const files = mkdtempSync(path.join(tmpdir(), 'examhall-e2e-files-'));

const CLASS_NAME = 'X IPA 2';
const EXAM_TITLE = 'Matematika — Ulangan Harian 3';
const DURATION = 30;
const students = [
  { nisn: '9900000101', name: 'Rina Kartika', password: 'rina-pass-2024' },
  { nisn: '9900000102', name: 'Bagus Wicaksono', password: 'bagus-pass-2024' },
  { nisn: '9900000103', name: 'Sekar Ayuningtyas', password: 'sekar-pass-2024' },
];
const rina = students[0]!;
const bagus = students[1]!;
const sekar = students[2]!;

/** question text → the option text that is correct (the runner finds options by name) */
const answerKey = new Map<string, string[]>();

const editorQuestion = {
  text: 'The triangle in the picture has legs 6 cm and 8 cm. How long is its hypotenuse?',
  options: ['12 cm', '10 cm', '14 cm', '9 cm'],
  correct: 'B',
};
/** the written question: the student answers it, a teacher grades it by hand */
const written = {
  text: 'Explain in one sentence why every prime number greater than 2 is odd.',
  answer:
    'Every even number greater than 2 can be divided by 2, so it has a divisor other than 1 and itself and is not prime.',
  points: 3,
  awarded: 2.5,
};
const sheet: SheetQuestion[] = [
  {
    kind: 'single',
    text: 'What is 7 × 8?',
    options: ['54', '56', '58', '64'],
    correct: 'B',
    points: 1,
  },
  {
    kind: 'single',
    text: 'Which number is prime?',
    options: ['21', '27', '29', '33'],
    correct: 'C',
    points: 1,
  },
  {
    kind: 'multi',
    text: 'Which of these are even numbers?',
    options: ['12', '15', '18', '21'],
    correct: 'A,C',
    points: 2,
  },
  {
    kind: 'single',
    text: 'What is 15% of 200?',
    options: ['15', '20', '30', '35'],
    correct: 'C',
    points: 1,
  },
  {
    kind: 'single',
    text: 'Solve for x: 2x + 6 = 14',
    options: ['3', '4', '5', '8'],
    correct: 'B',
    points: 1,
  },
  { kind: 'text', text: written.text, options: [], correct: '', points: written.points },
];
const letterIndex = (l: string) => l.charCodeAt(0) - 65;
answerKey.set(editorQuestion.text, [editorQuestion.options[letterIndex(editorQuestion.correct)]!]);
for (const q of sheet)
  if (q.kind !== 'text')
    answerKey.set(
      q.text,
      q.correct.split(',').map((l: string) => q.options[letterIndex(l)]!),
    );
/** every question's points, by its text */
const points = new Map([
  [editorQuestion.text, 2],
  ...sheet.map((q) => [q.text, q.points] as [string, number]),
]);
const TOTAL_POINTS = [...points.values()].reduce((a, b) => a + b, 0);
const QUESTION_COUNT = sheet.length + 1;

let server: RunningServer;
let staff: Browser;
let student: Browser;
let examId = '';
let entryToken = '';

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250); // let transitions settle
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

function seconds(countdown: string): number {
  const parts = countdown.trim().split(':').map(Number);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

/** The staff console's main navigation (other links on a page may share a name). */
async function nav(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name })
    .click();
}

/** Answers the question on screen correctly (found by its text in the answer key), or writes the written answer. */
async function answerCurrent(page: Page): Promise<string> {
  const text = (await page.locator('.question__text').innerText()).trim();
  if (text === written.text) {
    await page.getByLabel('Your answer').fill(written.answer);
    return text;
  }
  const correct = answerKey.get(text);
  expect(correct, `answer key has "${text}"`).toBeDefined();
  const multi = (await page.getByRole('checkbox').count()) > 0;
  for (const option of correct!) {
    const control = page.getByRole(multi ? 'checkbox' : 'radio', { name: option, exact: true });
    await control.check();
  }
  return text;
}

beforeAll(async () => {
  server = await startServer();
  staff = await openBrowser();
  student = await openBrowser();
});

afterAll(async () => {
  await staff?.close();
  await student?.close();
  await server?.stop();
});

describe('an exam day in the browser', () => {
  it('staff signs in and creates a class', async () => {
    const page = staff.page;
    await page.goto(`${server.url}/staff/login`);
    await shot(page, '01-staff-login');
    await page.getByLabel('Email').fill(server.admin.email);
    await page.getByLabel('Password').fill(server.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin/exams');

    await nav(page, 'Classes');
    await page.getByRole('button', { name: 'New class' }).click();
    const dialog = page.getByRole('dialog', { name: 'New class' });
    await dialog.getByLabel('Grade').fill('10');
    await dialog.getByLabel('Major').fill('IPA');
    await dialog.getByLabel('Group').fill('2');
    await expect.poll(() => dialog.getByLabel('Class name').inputValue()).toBe(CLASS_NAME);
    await dialog.getByRole('button', { name: 'Save class' }).click();
    await page.getByRole('rowheader', { name: CLASS_NAME }).waitFor();
  });

  it('imports students from a spreadsheet and shows the rows it refused', async () => {
    const page = staff.page;
    const csv = path.join(files, 'students.csv');
    writeFileSync(csv, studentsCsv(CLASS_NAME, students, ['12ab,Nama Salah,short,X IPA 2']));
    await nav(page, 'Students');
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import students' });
    await dialog.getByLabel('Spreadsheet file (CSV or XLSX)').setInputFiles(csv);
    await dialog.getByRole('button', { name: 'Upload and import' }).click();
    const result = dialog.getByTestId('import-result');
    await result.waitFor();
    await expect.poll(() => result.innerText()).toContain('3 created');
    expect(await result.innerText()).toContain('1 rejected');
    expect(await dialog.getByRole('cell', { name: '5', exact: true }).count()).toBe(1); // the bad row's number
    await shot(page, '02-staff-student-import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    for (const s of students) await page.getByRole('rowheader', { name: s.name }).waitFor();
    await shot(page, '03-staff-students');
  });

  it('writes a question with an uploaded image and imports the rest from a spreadsheet', async () => {
    const page = staff.page;
    await nav(page, 'Question bank');
    await page.getByRole('button', { name: 'New question' }).click();
    const editor = page.getByRole('textbox', { name: 'Question text' });
    await editor.click();
    await page.keyboard.type(editorQuestion.text);
    // pasted, as a teacher does from a screenshot tool: uploaded, then inserted by URL
    const pngBase64 = trianglePng().toString('base64');
    await editor.evaluate((el, data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([bytes], 'triangle.png', { type: 'image/png' }));
      el.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }),
      );
    }, pngBase64);
    const img = editor.locator('img');
    await img.waitFor();
    const src = await img.getAttribute('src');
    expect(src).toMatch(/^\/uploads\//); // uploaded, never base64
    for (const [i, option] of editorQuestion.options.entries()) {
      await page.getByLabel(`Option ${String.fromCharCode(65 + i)} text`).fill(option);
    }
    await page.getByLabel(`Option ${editorQuestion.correct} is correct`).check();
    await page.getByLabel('Points').fill('2');
    await page.getByLabel('Tags').fill('geometry, e2e');
    await shot(page, '04-staff-question-editor');
    await page.getByRole('button', { name: 'Save question' }).click();
    await page.waitForURL('**/admin/questions');

    const csv = path.join(files, 'questions.csv');
    writeFileSync(csv, questionsCsv(sheet));
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import questions' });
    await dialog.getByLabel('Spreadsheet file (CSV or XLSX)').setInputFiles(csv);
    await dialog.getByRole('button', { name: 'Upload and import' }).click();
    await expect
      .poll(() =>
        dialog
          .getByTestId('import-result')
          .innerText()
          .catch(() => ''),
      )
      .toContain(`${sheet.length} created`);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByText(`${QUESTION_COUNT} questions`).waitFor();
    await shot(page, '05-staff-question-bank');
  });

  it('builds the exam, publishes it and shows the entry token', async () => {
    const page = staff.page;
    await nav(page, 'Exams');
    await page.getByRole('button', { name: 'New exam' }).click();
    await page.getByLabel('Title', { exact: true }).fill(EXAM_TITLE);
    await page.getByLabel('Duration (minutes)').fill(String(DURATION));
    await page.getByLabel('Target type').selectOption('CLASS');
    await page.getByLabel('Class', { exact: true }).selectOption({ label: CLASS_NAME });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: `Add all (${QUESTION_COUNT})` }).click();
    // one fixed order with the written question first, so the student surely answers it
    await page.getByLabel('Shuffle question order per student').uncheck();
    const picked = page.getByRole('list', { name: 'Questions in this exam' }).getByRole('listitem');
    const at = (await picked.allInnerTexts()).findIndex((text) => text.includes(written.text));
    expect(at).toBeGreaterThanOrEqual(0);
    for (let n = at + 1; n > 1; n--)
      await page.getByRole('button', { name: `Move question ${n} up` }).click();
    expect(await picked.first().innerText()).toContain(written.text);
    await page.getByLabel('Show results').selectOption('immediate');
    await page.getByLabel('Rank the results on a leaderboard').check();
    await page
      .getByLabel('Who sees the leaderboard')
      .selectOption({ label: 'Students too, each seeing only their own name' });
    await page.getByRole('button', { name: 'Create exam' }).click();
    await page.waitForURL(/\/admin\/exams\/[0-9a-f-]{36}$/);
    examId = /exams\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    // The setting is the server's now: read back after a reload.
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Rank the results on a leaderboard').isChecked())
      .toBe(true);
    expect(await page.getByLabel('Who sees the leaderboard').inputValue()).toBe('anonymous');

    await page.getByRole('button', { name: 'Publish' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Publish this exam?' });
    await confirm.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published', { exact: true }).first().waitFor();
    entryToken = (await page.getByTestId('entry-token').innerText()).trim();
    expect(entryToken).toMatch(/^[A-Z0-9]{6}$/);
    await shot(page, '06-staff-exam-builder');
  });

  let sessionId = '';
  const answered: string[] = [];
  /** the student's points before the written answer is graded */
  let earned = 0;

  it('a student signs in, enters the token and answers', async () => {
    const page = student.page;
    await page.goto(`${server.url}/`);
    await page.waitForURL('**/login');
    await shot(page, '07-student-login');
    await page.getByLabel('NISN').fill(rina.nisn);
    await page.getByLabel('Password').fill(rina.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/exams');
    await page.getByRole('heading', { name: EXAM_TITLE }).waitFor();

    // the Indonesian translation, and back
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.getByRole('heading', { name: 'Ujian saya' }).waitFor();
    await shot(page, '08-student-exams-id');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'My exams' }).waitFor();

    await page.getByRole('button', { name: `Start exam: ${EXAM_TITLE}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Enter the exam token' });
    const errorsBefore = student.errors.length;
    await dialog.getByLabel('Exam token').fill('WRONG1');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'token' }).waitFor();
    // Chromium logs the refused start (403 BAD_ENTRY_TOKEN) itself: expected, so not counted
    const logged = student.errors.splice(errorsBefore);
    expect(logged.every((e) => e.includes('403') && e.includes('/sessions'))).toBe(true);
    await dialog.getByLabel('Exam token').fill(entryToken);
    await shot(page, '09-student-token');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/session\/[0-9a-f-]{36}$/);
    sessionId = /session\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('heading', { name: `Question 1 of ${QUESTION_COUNT}` }).waitFor();

    for (let i = 0; i < 3; i++) {
      answered.push(await answerCurrent(page));
      if (answered.at(-1) === written.text) {
        await expect
          .poll(() => page.getByTestId('save-status').innerText(), { timeout: 15_000 })
          .toBe('All answers saved');
        await shot(page, '10a-student-runner-written');
      }
      await page.getByRole('button', { name: 'Next' }).click();
    }
    await page.getByRole('button', { name: 'Flag for review' }).click();
    await expect
      .poll(() => page.getByTestId('save-status').innerText(), { timeout: 15_000 })
      .toBe('All answers saved');
    await shot(page, '10-student-runner');
  });

  it('reloads mid-exam and finds every answer, the position and the remaining time', async () => {
    const page = student.page;
    const before = seconds(await page.getByTestId('countdown').innerText());
    const at = Date.now();
    expect(before).toBeGreaterThan(DURATION * 60 - 120);
    expect(before).toBeLessThanOrEqual(DURATION * 60);

    await page.reload();
    await page.getByRole('heading', { name: `Question 4 of ${QUESTION_COUNT}` }).waitFor();
    const after = seconds(await page.getByTestId('countdown').innerText());
    const elapsed = (Date.now() - at) / 1000;
    expect(Math.abs(before - elapsed - after)).toBeLessThanOrEqual(3);
    await expect
      .poll(() => page.getByRole('button', { name: 'Flagged', exact: true }).count())
      .toBe(1);

    const navigator = page.getByRole('navigation', { name: 'Question navigator' });
    for (let n = 1; n <= 3; n++) {
      expect(
        await navigator
          .getByRole('button', { name: `Question ${n}, answered`, exact: false })
          .count(),
      ).toBe(1);
    }
    // the answers themselves, not only the navigator's colours
    for (let n = 1; n <= 3; n++) {
      await navigator.getByRole('button', { name: new RegExp(`^Question ${n},`) }).click();
      const text = (await page.locator('.question__text').innerText()).trim();
      if (text === written.text) {
        expect(await page.getByLabel('Your answer').inputValue()).toBe(written.answer);
        continue;
      }
      for (const option of answerKey.get(text)!) {
        const multi = (await page.getByRole('checkbox').count()) > 0;
        expect(
          await page
            .getByRole(multi ? 'checkbox' : 'radio', { name: option, exact: true })
            .isChecked(),
        ).toBe(true);
      }
    }
    await navigator.getByRole('button', { name: /^Question 4,/ }).click();
  });

  it('keeps answering offline, then saves everything when the network returns', async () => {
    const page = student.page;
    await student.context.setOffline(true);
    await expect
      .poll(() => page.getByTestId('save-status').getAttribute('data-mode'))
      .toBe('offline');
    answered.push(await answerCurrent(page));
    await page.getByRole('button', { name: 'Next' }).click();
    answered.push(await answerCurrent(page));
    await expect
      .poll(() => page.getByTestId('save-status').innerText())
      .toBe('Offline · 2 unsaved');
    await shot(page, '11-student-runner-offline');

    await student.context.setOffline(false);
    await expect
      .poll(() => page.getByTestId('save-status').innerText(), { timeout: 30_000 })
      .toBe('All answers saved');

    // the server has all five, not just the browser
    const token = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('examhall.auth') ?? '{}') as { accessToken?: string })
          .accessToken,
    );
    const res = await fetch(`${server.url}/api/v1/sessions/${sessionId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const view = (await res.json()) as { answers: Record<string, unknown> };
    expect(Object.values(view.answers).filter((a) => a !== null).length).toBe(5);
  });

  it('staff can read the paper while the student is still writing, but not grade it yet', async () => {
    const page = staff.page;
    await page.goto(`${server.url}/admin/exams/${examId}/monitor`);
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(rina.name) }) });
    await expect.poll(() => row.innerText()).toContain('In progress');
    await row.getByRole('button', { name: `View paper of ${rina.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Paper — ${rina.name}` });
    await dialog.getByText('Still in progress').waitFor();
    expect(await dialog.getByTestId('paper-question').count()).toBe(QUESTION_COUNT);
    const first = dialog.getByTestId('paper-question').first();
    expect(await first.innerText()).toContain(written.text);
    expect(await first.innerText()).toContain(written.answer);
    // read-only: no points field, no save button
    expect(await dialog.getByRole('spinbutton').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: /Save grade/ }).count()).toBe(0);
    expect(await dialog.getByTestId('paper-score').innerText()).toBe('—');
    expect(await dialog.getByTestId('paper-pending').innerText()).toBe('—');
    await shot(page, '11b-staff-paper-in-progress');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('looks right on a phone', async () => {
    const page = student.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, '12-student-runner-phone');
    await page.getByRole('button', { name: /^Questions \(/ }).click();
    await shot(page, '13-student-navigator-phone');
    // picking a question closes the drawer
    await page
      .getByRole('navigation', { name: 'Question navigator' })
      .getByRole('button', { name: /^Question 5,/ })
      .click();
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('submits after a confirmation that lists the unanswered question, and sees the result', async () => {
    const page = student.page;
    await page.getByRole('banner').getByRole('button', { name: 'Submit' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Submit your exam?' });
    // five answered in the order shown, so the last ones are left
    await dialog.getByRole('button', { name: `Question ${QUESTION_COUNT}`, exact: true }).waitFor();
    expect(await dialog.getByRole('heading', { name: 'Unanswered questions' }).count()).toBe(1);
    await shot(page, '14-student-submit-confirm');
    await dialog.getByRole('button', { name: 'Submit exam' }).click();
    await page.waitForURL(`**/session/${sessionId}/result`);
    await page.getByRole('heading', { name: 'Exam submitted' }).waitFor();
    const score = await page.getByTestId('result-score').innerText();
    const total = TOTAL_POINTS;
    // the written answer earns nothing until a teacher grades it
    expect(answered).toContain(written.text);
    earned = answered
      .filter((text) => text !== written.text)
      .reduce((sum, text) => sum + points.get(text)!, 0);
    expect(score.replace(/\s/g, '')).toBe(`${earned}/${total}`);
    // the policy shows results at once: with the written answer awaiting review
    await page
      .locator('.result-card')
      .getByText('Awaiting review', { exact: true })
      .first()
      .waitFor();
    await page.getByText('Some written answers are still being graded by your teacher').waitFor();
    await shot(page, '15-student-result');
  });

  it('the staff monitor shows the submission, awaiting review', async () => {
    const page = staff.page;
    await page.goto(`${server.url}/admin/exams/${examId}/monitor`);
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(rina.name) }) });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('Awaiting review');
    expect(await row.innerText()).toContain(`5/${QUESTION_COUNT}`);
    expect(await row.getByTestId('monitor-score').innerText()).toBe(`${earned} / ${TOTAL_POINTS}`);
    const others = page.getByRole('row').filter({ hasText: 'Not started' });
    expect(await others.count()).toBe(2);
  });

  it("grades the written answer on the student's paper", async () => {
    const page = staff.page;
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(rina.name) }) });
    await row.getByRole('button', { name: `View paper of ${rina.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Paper — ${rina.name}` });
    const questions = dialog.getByTestId('paper-question');
    await questions.first().waitFor();
    expect(await questions.count()).toBe(QUESTION_COUNT);
    expect(await dialog.getByTestId('paper-score').innerText()).toBe(`${earned} / ${TOTAL_POINTS}`);
    expect(await dialog.getByTestId('paper-pending').innerText()).toBe('1');

    // every question in order, with its number, text and the answer marked against the key
    for (let n = 1; n <= QUESTION_COUNT; n++) {
      const q = questions.nth(n - 1);
      const body = await q.innerText();
      expect(body).toContain(`Question ${n}`);
      const text = [...points.keys()].find((t) => body.includes(t));
      expect(text, `question ${n} shows its text`).toBeDefined();
      const max = points.get(text!)!;
      if (text === written.text) {
        expect(body).toContain(written.answer);
        expect(body).toContain('Awaiting review');
      } else if (answered.includes(text!)) {
        expect(body).toContain('Correct');
        expect(await q.getByTestId('paper-points').innerText()).toBe(`${max} / ${max} pt`);
        for (const option of answerKey.get(text!)!) {
          const chosen = q.getByRole('listitem').filter({ hasText: "Student's choice" });
          expect(await chosen.allInnerTexts()).toContainEqual(expect.stringContaining(option));
        }
      } else {
        expect(body).toContain('Not answered');
        expect(await q.getByTestId('paper-points').innerText()).toBe(`0 / ${max} pt`);
      }
    }

    const pointsField = dialog.getByRole('spinbutton', { name: 'Points for question 1' });
    const save = dialog.getByRole('button', { name: 'Save grade for question 1' });
    expect(await dialog.getByRole('spinbutton').count()).toBe(1); // only the written answer is graded by hand
    // more than the question is worth: refused with a clear message, nothing sent
    await pointsField.fill(String(written.points + 1));
    await save.click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: `Enter points from 0 to ${written.points}` })
      .waitFor();
    await pointsField.fill(String(written.awarded));
    await shot(page, '16a-staff-paper-grading');
    await save.click();

    const final = earned + written.awarded;
    await expect
      .poll(() => dialog.getByTestId('paper-score').innerText())
      .toBe(`${final} / ${TOTAL_POINTS}`);
    expect(await dialog.getByTestId('paper-pending').innerText()).toBe('0');
    await dialog.getByTestId('paper-summary').getByText('Scored').waitFor();
    expect(await questions.first().getByTestId('paper-points').innerText()).toBe(
      `${written.awarded} / ${written.points} pt`,
    );
    expect(await questions.first().innerText()).toContain('Graded');
    expect(await pointsField.inputValue()).toBe(String(written.awarded));
    // the whole paper at once: a tall window, so the dialog needs no scrolling
    await page.setViewportSize({ width: 1366, height: 2800 });
    await shot(page, '16b-staff-paper-graded');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('the staff monitor shows the submission', async () => {
    const page = staff.page;
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(rina.name) }) });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toMatch(/Scored|Submitted/);
    expect(await row.innerText()).toContain('Scored');
    expect(await row.innerText()).toContain(`5/${QUESTION_COUNT}`);
    expect(await row.getByTestId('monitor-score').innerText()).toBe(
      `${earned + written.awarded} / ${TOTAL_POINTS}`,
    );
    const others = page.getByRole('row').filter({ hasText: 'Not started' });
    expect(await others.count()).toBe(2);
    await page.getByRole('status').filter({ hasText: 'Grade saved.' }).waitFor({ state: 'hidden' });
    await shot(page, '16-staff-monitor');
  });

  it('downloads the results as CSV and XLSX with the bearer token', async () => {
    const page = staff.page;
    await page.getByRole('link', { name: 'Results' }).click();
    await page.getByRole('heading', { name: 'Results' }).waitFor();
    await page.getByRole('rowheader', { name: new RegExp(rina.name) }).waitFor();
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(rina.name) }) });
    expect(await row.innerText()).toContain('Scored');
    const final = earned + written.awarded;
    expect(await row.getByTestId('results-score').innerText()).toBe(`${final} / ${TOTAL_POINTS}`);
    expect(await row.innerText()).toContain(`${Math.round((final / TOTAL_POINTS) * 1000) / 10}%`);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText).toContain(rina.nisn);
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download XLSX' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    expect(
      readFileSync((await xlsx.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    await shot(page, '17-staff-results');
  });

  it('no console errors on either side', () => {
    expect(staff.errors).toEqual([]);
    expect(student.errors).toEqual([]);
  });

  it('shows "logged in elsewhere" when the same student signs in on another device', async () => {
    const page = student.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('NISN').fill(bagus.nisn);
    await page.getByLabel('Password').fill(bagus.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: `Start exam: ${EXAM_TITLE}` }).click();
    const tokenDialog = page.getByRole('dialog', { name: 'Enter the exam token' });
    await tokenDialog.getByLabel('Exam token').fill(entryToken);
    await tokenDialog.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('heading', { name: `Question 1 of ${QUESTION_COUNT}` }).waitFor();
    await expect.poll(() => page.getByTestId('save-status').innerText()).toBe('All answers saved');

    // another device: a plain login for the same student
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nisn: bagus.nisn, password: bagus.password }),
    });
    expect(res.status).toBe(200);
    await page
      .getByRole('heading', { name: 'You signed in somewhere else' })
      .waitFor({ timeout: 15_000 });
    await shot(page, '18-student-logged-in-elsewhere');
  });

  it('refreshes a rejected token, saves over HTTP when the WebSocket is blocked, and submits by itself at zero', async () => {
    // a one-minute exam for one student, set up over the API to keep the wait short
    const api = async <T>(
      method: string,
      url: string,
      token: string,
      body?: unknown,
    ): Promise<T> => {
      const res = await fetch(`${server.url}${url}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(res.status, `${method} ${url}: ${res.status}`).toBeLessThan(300);
      return (await res.json()) as T;
    };
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(server.admin),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const found = await api<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/admin/students?q=${sekar.nisn}`,
      accessToken,
    );
    const bank = await api<{ items: { id: string; kind: string }[] }>(
      'GET',
      '/api/v1/admin/questions',
      accessToken,
    );
    const now = Date.now();
    const quiz = await api<{ id: string; entryToken: string }>(
      'POST',
      '/api/v1/admin/exams',
      accessToken,
      {
        title: 'Kuis Kilat — 1 menit',
        scheduledStart: new Date(now - 60_000).toISOString(),
        scheduledEnd: new Date(now + 3_600_000).toISOString(),
        durationMinutes: 1,
        targets: [{ type: 'STUDENT', value: found.items[0]!.id }],
        questions: bank.items
          .filter((q) => q.kind !== 'text')
          .slice(0, 3)
          .map((q) => ({ questionId: q.id })), // choices: scored at once
        resultPolicy: 'immediate',
      },
    );
    await api('POST', `/api/v1/admin/exams/${quiz.id}/publish`, accessToken);

    const page = student.page;
    // This school's proxy breaks WebSockets: every save must still land, over HTTP.
    await student.context.routeWebSocket(/\/api\/v1\/ws/, (ws) =>
      ws.close({ code: 1011, reason: 'blocked by the test' }),
    );
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('NISN').fill(sekar.nisn);
    await page.getByLabel('Password').fill(sekar.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My exams' }).waitFor();

    // An access token the server no longer accepts: the app trades the refresh token for a
    // new pair (POST /auth/refresh) and carries on.
    const stale = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.invalid-signature';
    await page.evaluate((token) => {
      const auth = JSON.parse(localStorage.getItem('examhall.auth')!) as { accessToken: string };
      localStorage.setItem('examhall.auth', JSON.stringify({ ...auth, accessToken: token }));
    }, stale);
    const refreshed = page.waitForResponse(
      (res) => res.url().endsWith('/api/v1/auth/refresh') && res.status() === 200,
    );
    await page.reload();
    await refreshed;
    await page.getByRole('button', { name: 'Start exam: Kuis Kilat — 1 menit' }).waitFor();
    expect(
      await page.evaluate(
        () =>
          (JSON.parse(localStorage.getItem('examhall.auth')!) as { accessToken: string })
            .accessToken,
      ),
    ).not.toBe(stale);

    await page.getByRole('button', { name: 'Start exam: Kuis Kilat — 1 menit' }).click();
    const tokenDialog = page.getByRole('dialog', { name: 'Enter the exam token' });
    await tokenDialog.getByLabel('Exam token').fill(quiz.entryToken);
    await tokenDialog.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('heading', { name: 'Question 1 of 3' }).waitFor();
    await answerCurrent(page);
    await expect
      .poll(() => page.getByTestId('save-status').innerText(), { timeout: 15_000 })
      .toBe('All answers saved');
    const studentToken = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('examhall.auth') ?? '{}') as { accessToken?: string })
          .accessToken,
    );
    const sessionUrl = `/api/v1/sessions/${/session\/([0-9a-f-]{36})/.exec(page.url())![1]}`;
    const view = await api<{ answers: Record<string, unknown> }>('GET', sessionUrl, studentToken!);
    expect(Object.values(view.answers).filter((a) => a !== null)).toHaveLength(1);
    // under five minutes from the start: the red banner and the red clock
    await page.getByRole('alert').filter({ hasText: 'Less than 5 minutes left' }).waitFor();
    expect(await page.getByTestId('countdown').getAttribute('class')).toContain(
      'countdown--critical',
    );
    await shot(page, '19-student-runner-last-minute');

    await page.getByRole('heading', { name: 'Time is up' }).waitFor({ timeout: 90_000 });
    await page.getByRole('link', { name: 'See my result' }).waitFor({ timeout: 30_000 });
    await shot(page, '20-student-time-up');
    await page.getByRole('link', { name: 'See my result' }).click();
    await page.getByRole('heading', { name: 'Exam submitted' }).waitFor();
    expect(await page.getByTestId('result-score').innerText()).toMatch(/^[1-9]/);
    await student.context.unrouteAll();
  });
});

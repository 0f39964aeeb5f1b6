/**
 * The exam rules without I/O: grading, server-side timing, target eligibility, seeded shuffles,
 * and the question-kind registry (kinds/) that questions, exams and sessions share.
 */
export * from './grade.js';
export * from './timing.js';
export * from './eligibility.js';
export * from './shuffle.js';
export * from './kinds/index.js';

/** The exam rules without I/O: grading, server-side timing, target eligibility, seeded shuffles. */
export * from './grade.js';
export * from './timing.js';
export * from './eligibility.js';
export * from './shuffle.js';

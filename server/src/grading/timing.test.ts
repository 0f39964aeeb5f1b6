import { describe, expect, it } from 'vitest';
import { isExpired, saveAllowed, sessionEndsAt, withinSchedule } from './timing.js';

const MIN = 60_000;

describe('timing', () => {
  it('endsAt is start + duration, capped by the scheduled end', () => {
    expect(sessionEndsAt(0, 90, 200 * MIN)).toBe(90 * MIN);
    expect(sessionEndsAt(150 * MIN, 90, 200 * MIN)).toBe(200 * MIN);
  });

  it('saves are allowed until endsAt + grace, inclusive', () => {
    expect(saveAllowed(1000, 1000, 0)).toBe(true);
    expect(saveAllowed(3999, 1000, 3000)).toBe(true);
    expect(saveAllowed(4000, 1000, 3000)).toBe(true);
    expect(saveAllowed(4001, 1000, 3000)).toBe(false);
    expect(isExpired(4001, 1000, 3000)).toBe(true);
  });

  it('the schedule window is [start, end)', () => {
    expect(withinSchedule(10, 10, 20)).toBe(true);
    expect(withinSchedule(9, 10, 20)).toBe(false);
    expect(withinSchedule(20, 10, 20)).toBe(false);
  });
});

import { addDays, endOfUtcDay, isIsoDay, utcDay } from '../../adoption/dates';
import { usageScoreOf } from '../../adoption/scoring-rules';

describe('usage score', () => {
  it('is frequency over the last 14 days scaled by breadth: 100 * days/14 * (0.5 + 0.5 * users/base)', () => {
    expect(usageScoreOf(14, 10, 10)).toBe(100);
    expect(usageScoreOf(14, 5, 10)).toBe(75);
    expect(usageScoreOf(7, 5, 10)).toBe(38); // 37.5 rounds up
    expect(usageScoreOf(3, 4, 10)).toBe(15);
    expect(usageScoreOf(1, 1, 10)).toBe(4);
    expect(usageScoreOf(0, 0, 10)).toBe(0);
  });

  it('caps breadth at 1 and never divides by zero', () => {
    expect(usageScoreOf(14, 30, 10)).toBe(100);
    expect(usageScoreOf(14, 1, 0)).toBe(100);
    expect(usageScoreOf(20, 10, 10)).toBe(100);
  });

  it('needs use on some days: breadth alone scores nothing', () => {
    expect(usageScoreOf(0, 10, 10)).toBe(0);
  });
});

describe('UTC days', () => {
  it('validates calendar days', () => {
    expect(isIsoDay('2026-03-31')).toBe(true);
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2026-02-29')).toBe(false);
    expect(isIsoDay('2026-3-31')).toBe(false);
    expect(isIsoDay('2026-03-31T00:00:00Z')).toBe(false);
  });

  it('computes the end of a day and day arithmetic in UTC', () => {
    expect(endOfUtcDay('2026-03-31')).toBe('2026-03-31T23:59:59.999Z');
    expect(addDays('2026-03-31', 1)).toBe('2026-04-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(utcDay(new Date('2026-03-31T23:30:00-01:00'))).toBe('2026-04-01');
  });
});

import { judgeFeature, overallOutcome, recoveryThresholdOf } from './outcome';

describe('judgeFeature', () => {
  it("recovered when back at the flagging rule's threshold, adopted, or reported by a `recovered` signal", () => {
    expect(judgeFeature({ before: 5, after: 20, stage: 'engaged', rule: 'low_usage_14d', reportedRecovered: false })).toEqual({
      outcome: 'recovered',
      effectivenessScore: 100,
    });
    expect(judgeFeature({ before: 25, after: 29, stage: 'engaged', rule: 'past_expected_timeline', reportedRecovered: false }).outcome).toBe(
      'still_stalled',
    );
    expect(judgeFeature({ before: 0, after: 0, stage: 'not_started', rule: 'low_usage_14d', reportedRecovered: true }).outcome).toBe('recovered');
  });

  it('improved when up by 10 points or more; effectiveness is the share of the gap closed', () => {
    expect(judgeFeature({ before: 0, after: 15, stage: 'started', rule: 'low_usage_14d', reportedRecovered: false })).toEqual({
      outcome: 'improved',
      effectivenessScore: 75,
    });
    expect(judgeFeature({ before: 10, after: 19, stage: 'started', rule: 'low_usage_14d', reportedRecovered: false })).toEqual({
      outcome: 'still_stalled',
      effectivenessScore: 90,
    });
    expect(judgeFeature({ before: 10, after: 4, stage: 'started', rule: 'low_usage_14d', reportedRecovered: false })).toEqual({
      outcome: 'still_stalled',
      effectivenessScore: 0,
    });
  });
});

describe('overallOutcome', () => {
  it('is recovered only when every feature recovered, improved when any moved', () => {
    expect(overallOutcome(['recovered', 'recovered'])).toBe('recovered');
    expect(overallOutcome(['recovered', 'still_stalled'])).toBe('improved');
    expect(overallOutcome(['improved', 'still_stalled'])).toBe('improved');
    expect(overallOutcome(['still_stalled'])).toBe('still_stalled');
    expect(overallOutcome([])).toBe('still_stalled');
  });
});

describe('recovery threshold', () => {
  it('is the threshold of the rule that flagged the feature', () => {
    expect(recoveryThresholdOf('low_usage_14d')).toBe(20);
    expect(recoveryThresholdOf('past_expected_timeline')).toBe(30);
    expect(recoveryThresholdOf('low_usage_14d+past_expected_timeline')).toBe(30);
    expect(recoveryThresholdOf(null)).toBe(20);
  });
});

import { judgeFeature, overallOutcome, recoveryThresholdOf } from './outcome';

describe('judgeFeature', () => {
  it("recovered when back at the flagging rule's threshold or adopted: measured usage only", () => {
    expect(judgeFeature({ before: 5, after: 20, stage: 'engaged', rule: 'low_usage_14d', reportedRecovered: false })).toEqual({
      outcome: 'recovered',
      effectivenessScore: 100,
    });
    expect(judgeFeature({ before: 25, after: 29, stage: 'engaged', rule: 'past_expected_timeline', reportedRecovered: false }).outcome).toBe(
      'still_stalled',
    );
  });

  it('a `recovered` signal the data does not bear out is not_confirmed, scored on the data (never 100)', () => {
    // The case: usage stayed at 0 (0 -> 0).
    expect(judgeFeature({ before: 0, after: 0, stage: 'not_started', rule: 'low_usage_14d', reportedRecovered: true })).toEqual({
      outcome: 'not_confirmed',
      effectivenessScore: 0,
    });
    expect(judgeFeature({ before: 4, after: 16, stage: 'started', rule: 'low_usage_14d', reportedRecovered: true })).toEqual({
      outcome: 'not_confirmed',
      effectivenessScore: 75,
    });
    // Reported and measured: recovered.
    expect(judgeFeature({ before: 4, after: 22, stage: 'engaged', rule: 'low_usage_14d', reportedRecovered: true })).toEqual({
      outcome: 'recovered',
      effectivenessScore: 100,
    });
  });

  it('the worked example of docs/impact.md', () => {
    // Flagged by past_expected_timeline (threshold 30) at 12; measured at 24 two weeks after the email.
    expect(judgeFeature({ before: 12, after: 24, stage: 'engaged', rule: 'low_usage_14d+past_expected_timeline', reportedRecovered: false })).toEqual(
      {
        outcome: 'improved',
        effectivenessScore: 67, // round(100 * (24 - 12) / (30 - 12)) = round(66.7)
      },
    );
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
    expect(overallOutcome(['not_confirmed', 'still_stalled'])).toBe('not_confirmed');
    expect(overallOutcome(['not_confirmed', 'improved'])).toBe('improved');
  });
});

describe('recovery threshold', () => {
  it('is the threshold of the rule that flagged the feature', () => {
    expect(recoveryThresholdOf('low_usage_14d')).toBe(20);
    expect(recoveryThresholdOf('past_expected_timeline')).toBe(30);
    expect(recoveryThresholdOf('low_usage_14d+past_expected_timeline')).toBe(30);
    expect(recoveryThresholdOf(null)).toBe(20);
    expect(recoveryThresholdOf('missed_cadence')).toBe(1);
  });

  it('a feature flagged for missing its own longer cadence recovers when it is used again, however lightly', () => {
    expect(judgeFeature({ before: 0, after: 6, stage: 'started', rule: 'missed_cadence', reportedRecovered: false }).outcome).toBe('recovered');
    expect(judgeFeature({ before: 0, after: 0, stage: 'churned', rule: 'missed_cadence', reportedRecovered: true })).toEqual({
      outcome: 'not_confirmed',
      effectivenessScore: 0,
    });
  });
});

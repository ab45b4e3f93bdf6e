import type { RawRulesConfig } from './schema';
import type { AdoptionRules, SegmentRules } from './rules';

/**
 * Resolved rules written back in the file's own form (snake_case keys, every value spelled out), so what `config show`
 * prints is a rules file `config validate` accepts, with the same digest.
 */
export function rulesAsConfigFile(rules: AdoptionRules): RawRulesConfig {
  const segmentStallRules = (r: SegmentRules) => ({
    low_usage: { score_below: r.lowUsageScoreBelow, min_days_since_activation: r.lowUsageMinDays },
    past_expected_timeline: { score_below: r.pastExpectedScoreBelow },
  });
  return {
    version: 1,
    stages: {
      engaged_from: rules.stages.engagedFrom,
      adopted_from: rules.stages.adoptedFrom,
      not_started_after_days: rules.stages.notStartedAfterDays,
    },
    stall_rules: {
      ...segmentStallRules(rules.stallRules),
      segment_benchmarks: { min_peers: rules.stallRules.minPeers },
      account_wide_dip: {
        baseline_days: rules.stallRules.dip.baselineDays,
        min_baseline_user_days_per_14_days: rules.stallRules.dip.minBaselineUserDaysPer14Days,
        ratio: rules.stallRules.dip.ratio,
      },
    },
    rhythm: {
      enabled: rules.rhythm.enabled,
      lookback_days: rules.rhythm.lookbackDays,
      burst_gap_days: rules.rhythm.burstGapDays,
      min_occasions: rules.rhythm.minOccasions,
      min_cadence_days: rules.rhythm.minCadenceDays,
      max_cadence_days: rules.rhythm.maxCadenceDays,
      tolerance: rules.rhythm.tolerance,
      regular_share: rules.rhythm.regularShare,
    },
    cooldowns: { signal_days: rules.cooldowns.signalDays, intervention_days: rules.cooldowns.interventionDays },
    alerting: { min_importance: rules.stallRules.minImportance },
    segments: Object.fromEntries(
      Object.entries(rules.segments).map(([segment, r]) => [
        segment,
        { stall_rules: segmentStallRules(r), alerting: { min_importance: r.minImportance } },
      ]),
    ),
  };
}

import { createHash } from 'node:crypto';
import { COOLDOWN_DAYS } from '../model/rules';

/**
 * The rules detection judges by (PRD open questions 1 and 2), as `adoption.config.yaml` writes them. Every value
 * has a default, the PRD's: without a file detection behaves exactly as the constants of adoption/scoring-rules.ts say.
 * The per-segment block overrides the stall rules' thresholds and the key-feature threshold for customers of that
 * segment; stages, cooldowns and the rhythm analysis are the same for everyone, so stages stay comparable across
 * segments. An enablement run keeps the intervention cooldown it started under for its own check (EnablementInput).
 */
export interface SegmentRules {
  lowUsageScoreBelow: number;
  lowUsageMinDays: number;
  pastExpectedScoreBelow: number;
  /** Features with a catalog importance under this never alert (key features only); 0 = every feature alerts. */
  minImportance: number;
}

export interface AdoptionRules {
  stages: { engagedFrom: number; adoptedFrom: number; notStartedAfterDays: number };
  stallRules: SegmentRules & {
    minPeers: number;
    dip: { baselineDays: number; minBaselineUserDaysPer14Days: number; ratio: number };
  };
  rhythm: {
    enabled: boolean;
    lookbackDays: number;
    burstGapDays: number;
    minOccasions: number;
    minCadenceDays: number;
    maxCadenceDays: number;
    tolerance: number;
    regularShare: number;
  };
  cooldowns: { signalDays: number; interventionDays: number };
  /** Segment name -> its rules, every value resolved (the segment's override, else the global value). */
  segments: Record<string, SegmentRules>;
}

/**
 * The PRD's numbers (section 4.3, FR-1.3, FR-1.6, FR-1.7, FR-2.4); adoption/scoring-rules.ts names the ones used
 * without a configuration. docs/scoring.md explains each.
 */
export const DEFAULT_RULES: AdoptionRules = {
  stages: { engagedFrom: 20, adoptedFrom: 60, notStartedAfterDays: 7 },
  stallRules: {
    lowUsageScoreBelow: 20,
    lowUsageMinDays: 14,
    pastExpectedScoreBelow: 30,
    minImportance: 0,
    minPeers: 5,
    dip: { baselineDays: 28, minBaselineUserDaysPer14Days: 4, ratio: 0.5 },
  },
  rhythm: {
    enabled: true,
    lookbackDays: 400,
    burstGapDays: 3,
    minOccasions: 4,
    minCadenceDays: 21,
    maxCadenceDays: 120,
    tolerance: 0.35,
    regularShare: 0.75,
  },
  cooldowns: { signalDays: COOLDOWN_DAYS, interventionDays: COOLDOWN_DAYS },
  segments: {},
};

/** Where the rules came from: a file's path, or the built-in defaults. */
export interface LoadedRules {
  rules: AdoptionRules;
  source: string;
  digest: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 (hex) of the resolved rules: a file that writes out the defaults has the defaults' digest, and any value
 * that changes a verdict changes it. Comments, key order and the file name do not.
 */
export function rulesDigest(rules: AdoptionRules): string {
  return createHash('sha256').update(canonical(rules)).digest('hex');
}

export const DEFAULT_LOADED_RULES: LoadedRules = { rules: DEFAULT_RULES, source: 'defaults', digest: rulesDigest(DEFAULT_RULES) };

/**
 * The rules as the one jsonb parameter the evaluation SQL reads (adoption/scoring-evaluation-sql.ts `evaluationSql`): the global
 * numbers by name, and `segments` as rows, the first with a NULL segment holding the global stall rules. Bound as a
 * parameter, never written into the SQL text.
 */
export function rulesParameter(rules: AdoptionRules): string {
  const row = (segment: string | null, r: SegmentRules) => ({
    segment,
    low_usage_below: r.lowUsageScoreBelow,
    low_usage_min_days: r.lowUsageMinDays,
    past_expected_below: r.pastExpectedScoreBelow,
    min_importance: r.minImportance,
  });
  return JSON.stringify({
    engaged_from: rules.stages.engagedFrom,
    adopted_from: rules.stages.adoptedFrom,
    not_started_after_days: rules.stages.notStartedAfterDays,
    min_peers: rules.stallRules.minPeers,
    dip_baseline_days: rules.stallRules.dip.baselineDays,
    dip_min_baseline_per_14: rules.stallRules.dip.minBaselineUserDaysPer14Days,
    dip_ratio: rules.stallRules.dip.ratio,
    rhythm_enabled: rules.rhythm.enabled,
    rhythm_lookback_days: rules.rhythm.lookbackDays,
    rhythm_burst_gap_days: rules.rhythm.burstGapDays,
    rhythm_min_occasions: rules.rhythm.minOccasions,
    rhythm_min_cadence_days: rules.rhythm.minCadenceDays,
    rhythm_max_cadence_days: rules.rhythm.maxCadenceDays,
    rhythm_tolerance: rules.rhythm.tolerance,
    rhythm_regular_share: rules.rhythm.regularShare,
    signal_cooldown_days: rules.cooldowns.signalDays,
    intervention_cooldown_days: rules.cooldowns.interventionDays,
    segments: [row(null, rules.stallRules), ...Object.entries(rules.segments).map(([segment, r]) => row(segment, r))],
  });
}

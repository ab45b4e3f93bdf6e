import { UUID_PATTERN as UUID } from '../../../adoption/model/identifiers';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../../definitions/language/types';
import type { AdoptionGapAnalysis } from './contracts';
import { currentTime, type ActivityDeps } from '../../activity-deps';
import type { AgentRequest } from './index';
import { adoptionGapFacts, type FeatureAdoptionFacts } from '../../../adoption/research';

/**
 * Built-in `researcher/analyze_adoption_gap`: explains a stall from the data we hold, without a language model.
 *
 * Windows are rolling 7-day weeks ending at "now" (the deps clock), not calendar weeks: a calendar week that has
 * only just begun would look like a collapse in usage and fire the drop rules on every Monday.
 *
 * Likely-cause rules (per feature, then merged: evidence concatenated, confidence = the highest):
 *
 * - training_gap: the feature was activated, and either few people ever touched it (distinct users since
 *   activation <= max(2, 10% of seats)) or it was low from the start (no week of the 8 reached
 *   LOW_WEEK_EVENTS events), and it is not the sharp-drop pattern below (a feature that was used and then
 *   abandoned was understood well enough). Confidence 0.3, +0.25 per condition met, +0.1 when segment peers
 *   (>= 3 of them) reach a median score >= 40, i.e. the feature is learnable for customers like this one.
 * - integration_challenges: usage was established (>= ESTABLISHED_EVENTS events in the earlier 4 weeks) and then
 *   fell to near zero (the last 2 weeks average <= 10% of the earlier weekly average). When the customer's other
 *   features kept going (recent >= half of earlier), the feature itself broke for them: confidence 0.8; when the
 *   other features fell too, the whole account slowed down and this is weaker evidence: 0.3.
 * - changed_priorities: the customer's usage across all features fell by 40% or more between the earlier and the
 *   recent 4 weeks (with at least ESTABLISHED_EVENTS earlier). Confidence 0.4 + half the fractional drop, <= 0.9.
 *
 * No rule firing gives an empty `likelyCauses`: the data shows no pattern, and inventing one would mislead the CSM.
 *
 * Peers: customers of the same segment (excluding this one) that activated the same feature and did not mark it
 * as not needed; the benchmark is the median of their current usage_score.
 */
export const WEEKS = 8;
export const LOW_WEEK_EVENTS = 10;
export const ESTABLISHED_EVENTS = 20;
const DAY_MS = 86_400_000;

type Cause = AdoptionGapAnalysis['likelyCauses'][number];
type FeatureAnalysis = AdoptionGapAnalysis['features'][number];

interface FeatureFacts {
  featureId: string;
  name: string;
  activatedAt: Date | null;
  usageScore: number | null;
  usersEver: number;
  /** Usage of this feature in the earlier / recent 4 weeks. */
  earlier: number;
  recent: number;
}

export async function analyzeAdoptionGap(deps: ActivityDeps, request: AgentRequest): Promise<JsonValue> {
  const { context, params, input } = request;
  const customerId = stringParam(params.customer_id) ?? context.customerId ?? input.customer.id;
  if (!UUID.test(customerId)) {
    throw ApplicationFailure.create({
      message: `customer_id ${JSON.stringify(customerId)} is not a UUID`,
      type: 'InvalidAgentParams',
      nonRetryable: true,
    });
  }
  const featureIds = requestedFeatures(params, context.featureIds.length ? context.featureIds : input.features.map((f) => f.featureId));
  const now = currentTime(deps);
  const facts = await adoptionGapFacts(deps.db, { customerId, featureIds, now, weeks: WEEKS });
  if (!facts) {
    throw ApplicationFailure.create({ message: `customer ${customerId} does not exist`, type: 'CustomerNotFound', nonRetryable: true });
  }
  const { customer } = facts;

  const byFeature = <R extends { featureId: string }>(rows: R[]) => new Map(rows.map((row) => [row.featureId, row]));
  const adoptionOf = byFeature(facts.adoption);
  const statsOf = byFeature(facts.stats);
  const peersOf = byFeature(facts.peers);
  const halvesOf = byFeature(facts.accountHalves);
  const totalEarlier = sum(facts.accountHalves.map((row) => row.earlier));
  const totalRecent = sum(facts.accountHalves.map((row) => row.recent));

  const features: FeatureAnalysis[] = [];
  const causes: Cause[] = [];
  for (const featureId of featureIds) {
    const fa = adoptionOf.get(featureId);
    const st = statsOf.get(featureId);
    const peer = peersOf.get(featureId);
    const weeks = facts.weekly.filter((row) => row.featureId === featureId);
    const weeklyUsage = weeks.map((row) => ({
      weekStart: new Date(now.getTime() - (WEEKS - row.index) * 7 * DAY_MS).toISOString(),
      events: row.events,
      activeUsers: row.activeUsers,
    }));
    const lastUsed = latest(st?.lastUsedAt ?? null, fa?.lastUsedAt ?? null);
    const analysis: FeatureAnalysis = {
      featureId,
      weeklyUsage,
      activeUsers14d: st?.activeUsers14d ?? 0,
      lastUsedAt: lastUsed ? lastUsed.toISOString() : null,
      peerMedianScore: peer?.median == null ? null : Math.round(peer.median),
      peerCount: peer?.count ?? 0,
    };
    features.push(analysis);

    const featureFacts: FeatureFacts = {
      featureId,
      name: input.features.find((f) => f.featureId === featureId)?.featureName ?? fa?.featureName ?? featureId,
      activatedAt: fa?.activatedAt ?? st?.activatedAt ?? null,
      usageScore: fa?.usageScore ?? null,
      usersEver: st?.usersEver ?? 0,
      earlier: halvesOf.get(featureId)?.earlier ?? 0,
      recent: halvesOf.get(featureId)?.recent ?? 0,
    };
    causes.push(...featureCauses(featureFacts, analysis, customer.seats, { earlier: totalEarlier, recent: totalRecent }));
  }
  const overall = overallCause(totalEarlier, totalRecent);
  if (overall) causes.push(overall);

  const likelyCauses = mergeCauses(causes);
  const result: AdoptionGapAnalysis = { summary: summarize(features, likelyCauses, input.features, adoptionOf), features, likelyCauses };
  return result as unknown as JsonValue;
}

function featureCauses(facts: FeatureFacts, analysis: FeatureAnalysis, seats: number | null, total: { earlier: number; recent: number }): Cause[] {
  const causes: Cause[] = [];
  const weeks = analysis.weeklyUsage;
  const earlierWeeklyAvg = facts.earlier / 4;
  const lastTwoWeeks = sum(weeks.slice(-2).map((w) => w.events));
  const sharpDrop = facts.earlier >= ESTABLISHED_EVENTS && lastTwoWeeks / 2 <= 0.1 * earlierWeeklyAvg;

  if (sharpDrop) {
    const othersEarlier = total.earlier - facts.earlier;
    const othersRecent = total.recent - facts.recent;
    const othersContinue = othersRecent > 0 && othersRecent >= 0.5 * othersEarlier;
    const evidence = [`${facts.name}: ${facts.earlier} uses in the 4 weeks before, ${lastTwoWeeks} in the last 2 weeks`];
    evidence.push(
      othersContinue
        ? `other features kept going: ${othersRecent} uses in the last 4 weeks (${othersEarlier} in the 4 before)`
        : `other features slowed down too: ${othersRecent} uses in the last 4 weeks (${othersEarlier} in the 4 before)`,
    );
    causes.push({ cause: 'integration_challenges', evidence, confidence: othersContinue ? 0.8 : 0.3 });
    return causes;
  }

  if (!facts.activatedAt) return causes;
  const fewUsersLimit = Math.max(2, Math.ceil((seats ?? 0) * 0.1));
  const fewUsers = facts.usersEver <= fewUsersLimit;
  const peak = Math.max(0, ...weeks.map((w) => w.events));
  const lowFromStart = peak < LOW_WEEK_EVENTS;
  if (!fewUsers && !lowFromStart) return causes;

  const evidence: string[] = [];
  let confidence = 0.3;
  if (fewUsers) {
    confidence += 0.25;
    evidence.push(
      `${facts.name}: ${facts.usersEver} distinct user${facts.usersEver === 1 ? '' : 's'} since activation` + (seats ? ` out of ${seats} seats` : ''),
    );
  }
  if (lowFromStart) {
    confidence += 0.25;
    evidence.push(`${facts.name}: never more than ${peak} uses in a week over the last ${WEEKS} weeks`);
  }
  if (analysis.peerCount >= 3 && analysis.peerMedianScore !== null && analysis.peerMedianScore >= 40) {
    confidence += 0.1;
    evidence.push(
      `${analysis.peerCount} customers in the same segment reach a median usage score of ${analysis.peerMedianScore}` +
        (facts.usageScore !== null ? ` (this customer: ${facts.usageScore})` : ''),
    );
  }
  causes.push({ cause: 'training_gap', evidence, confidence: round2(Math.min(confidence, 0.9)) });
  return causes;
}

function overallCause(earlier: number, recent: number): Cause | null {
  if (earlier < ESTABLISHED_EVENTS || recent > 0.6 * earlier) return null;
  const drop = 1 - recent / earlier;
  return {
    cause: 'changed_priorities',
    evidence: [`usage across all features: ${recent} in the last 4 weeks against ${earlier} in the 4 before (-${Math.round(drop * 100)}%)`],
    confidence: round2(Math.min(0.4 + drop / 2, 0.9)),
  };
}

function mergeCauses(causes: Cause[]): Cause[] {
  const merged = new Map<Cause['cause'], Cause>();
  for (const cause of causes) {
    const existing = merged.get(cause.cause);
    if (!existing) merged.set(cause.cause, { ...cause, evidence: [...cause.evidence] });
    else {
      existing.evidence.push(...cause.evidence.filter((line) => !existing.evidence.includes(line)));
      existing.confidence = Math.max(existing.confidence, cause.confidence);
    }
  }
  return [...merged.values()].sort((a, b) => b.confidence - a.confidence);
}

const CAUSE_WORDS: Record<Cause['cause'], string> = {
  training_gap: 'training gap',
  integration_challenges: 'integration challenges',
  changed_priorities: 'changed priorities',
};

function summarize(
  features: FeatureAnalysis[],
  causes: Cause[],
  inputFeatures: AgentRequest['input']['features'],
  adoptionOf: Map<string, FeatureAdoptionFacts>,
): string {
  const parts = features.map((feature) => {
    const name =
      inputFeatures.find((f) => f.featureId === feature.featureId)?.featureName ??
      adoptionOf.get(feature.featureId)?.featureName ??
      feature.featureId;
    const recent = sum(feature.weeklyUsage.slice(-4).map((w) => w.events));
    const earlier = sum(feature.weeklyUsage.slice(0, 4).map((w) => w.events));
    const peers =
      feature.peerMedianScore === null ? 'no segment peers' : `segment peers' median score ${feature.peerMedianScore} (${feature.peerCount})`;
    return `${name}: ${recent} uses in the last 4 weeks (${earlier} in the 4 before), ${feature.activeUsers14d} active users in 14 days, last used ${feature.lastUsedAt ? feature.lastUsedAt.slice(0, 10) : 'never'}, ${peers}.`;
  });
  const verdict = causes.length
    ? `Likely causes: ${causes.map((c) => `${CAUSE_WORDS[c.cause]} (${Math.round(c.confidence * 100)}%)`).join(', ')}.`
    : 'The usage data shows no clear pattern behind the stall.';
  return [...parts, verdict].join(' ');
}

function requestedFeatures(params: Record<string, JsonValue>, runFeatures: string[]): string[] {
  const listed = Array.isArray(params.feature_ids) ? params.feature_ids.filter((id): id is string => typeof id === 'string' && id !== '') : [];
  const single = stringParam(params.feature_id);
  const ids = listed.length ? listed : single ? [single] : runFeatures;
  if (!ids.length) {
    throw ApplicationFailure.create({
      message: 'analyze_adoption_gap needs feature_id, feature_ids or features in the run',
      type: 'InvalidAgentParams',
      nonRetryable: true,
    });
  }
  return [...new Set(ids)];
}

function stringParam(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

const sum = (values: number[]) => values.reduce((total, value) => total + Number(value), 0);
const round2 = (value: number) => Math.round(value * 100) / 100;

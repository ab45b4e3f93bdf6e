import type { JsonValue } from '../definitions/plan';
import type { EnablementInput, SignalFeature } from '../workflows/enablement-input';

/**
 * The contract between the interpreter workflow and the activities: argument and result shapes only. Workflow code
 * imports this file for types; `createActivities(deps)` in activities/index.ts provides the implementations.
 * Every activity that writes takes a StepContext and keys its side effect on `workflowId` + `stepId`, so a retried
 * activity finds its earlier write instead of doing it twice.
 */
export interface StepContext {
  workflowId: string;
  runId: string;
  stepId: string;
  customerId: string;
  featureIds: string[];
  definition: { name: string; version: string; digest: string };
}

/** Everything a step can reference: the run's input facts plus the results of the steps so far. */
export type StepScope = Record<string, JsonValue>;

export interface DelegateToAgentArgs {
  agent: string;
  action: string;
  params: Record<string, JsonValue>;
  /** The run's input facts, so built-in agents need not reload what the run already knows. */
  input: Omit<EnablementInput, 'plan'>;
}

/** Result of `communicator/draft_email` (any agent that drafts must answer this shape). */
export interface EmailDraftResult {
  draftId: string;
  to: { name: string | null; email: string | null };
  subject: string;
  body: string;
  status: 'draft' | 'pending_approval';
  requiresApproval: boolean;
}

/** Result of `researcher/analyze_adoption_gap`. */
export interface AdoptionGapAnalysis {
  summary: string;
  features: Array<{
    featureId: string;
    weeklyUsage: Array<{ weekStart: string; events: number; activeUsers: number }>;
    activeUsers14d: number;
    lastUsedAt: string | null;
    peerMedianScore: number | null;
    peerCount: number;
  }>;
  likelyCauses: Array<{ cause: 'training_gap' | 'integration_challenges' | 'changed_priorities'; evidence: string[]; confidence: number }>;
}

export interface QueryDatabaseArgs {
  sql: string;
  params: JsonValue[];
  maxRows: number;
}
export interface QueryDatabaseResult {
  rows: Array<Record<string, JsonValue>>;
  rowCount: number;
  truncated: boolean;
}

export interface SlackDmArgs {
  template: string;
  includeResources: boolean;
  /** Slack user id; when absent, the customer's CSM. */
  to?: string;
  params: Record<string, JsonValue>;
  scope: StepScope;
  input: Omit<EnablementInput, 'plan'>;
}
export interface SlackDmResult {
  delivered: 'slack' | 'outbox';
  channel: string | null;
  ts: string | null;
  text: string;
}

export interface CreateTaskArgs {
  title: string;
  description?: string;
  /** ISO-8601, computed in the workflow from workflow time so replays agree. */
  dueAt: string;
  priority: 'low' | 'medium' | 'high' | 'urgent';
  owner: { name: string | null; email: string | null };
}
export interface CreateTaskResult {
  taskId: string;
  dueAt: string;
  created: boolean;
}

export interface EmailDecision {
  decision: 'approve' | 'edit' | 'reject';
  by: string;
  subject?: string;
  body?: string;
  reason?: string;
}

export interface SendEmailArgs {
  draftId: string;
  /** The CSM's decision; absent when the approval wait timed out (the draft then expires unsent). */
  decision?: EmailDecision | null;
  /** Overrides the draft's recipient. */
  to?: string;
}
export interface SendEmailResult {
  sent: boolean;
  status: 'sent' | 'rejected' | 'expired';
  delivered: 'smtp' | 'outbox' | null;
  messageId: string | null;
  subject: string;
}

export type AdoptionOutcome = 'recovered' | 'improved' | 'still_stalled';

export interface MeasureAdoptionArgs {
  features: Array<Pick<SignalFeature, 'featureId' | 'usageScore' | 'stage'>>;
  recordImpact: boolean;
  /** Features a `recovered` signal reported, with when; they count as recovered even if the score lags. */
  recoveredSignals: Array<{ featureId: string; detectedAt: string }>;
}
export interface MeasureAdoptionResult {
  features: Array<{
    featureId: string;
    before: number;
    after: number;
    stage: string;
    outcome: AdoptionOutcome;
    effectivenessScore: number;
  }>;
  outcome: AdoptionOutcome;
}

export interface RecentInterventionCheck {
  /** Features with an intervention in the last `cooldownDays`: the run leaves them out (FR-2.4). */
  suppressed: Array<{ featureId: string; lastInterventionAt: string }>;
}

/** The activities the interpreter calls, by name. */
export interface EnablementActivities {
  delegateToAgent(context: StepContext, args: DelegateToAgentArgs): Promise<JsonValue>;
  queryDatabase(context: StepContext, args: QueryDatabaseArgs): Promise<QueryDatabaseResult>;
  slackDm(context: StepContext, args: SlackDmArgs): Promise<SlackDmResult>;
  createTask(context: StepContext, args: CreateTaskArgs): Promise<CreateTaskResult>;
  sendEmail(context: StepContext, args: SendEmailArgs): Promise<SendEmailResult>;
  measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult>;
  checkRecentInterventions(context: StepContext, args: { cooldownDays: number }): Promise<RecentInterventionCheck>;
}

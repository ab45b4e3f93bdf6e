/**
 * What the built-in agents answer (an HTTP agent behind AGENT_URL must answer the same shapes for the same actions):
 * the Slack alert renders the researcher's analysis, `send_email` sends the communicator's draft.
 */
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

/**
 * The fixture customer and catalog (TechCorp and its features, after the PRD's 5.1 example) that the testing kit
 * seeds for a platform's tests and our own tests seed too: one copy, so both describe the same customer.
 */
export const FIXTURE_CUSTOMER = {
  name: 'TechCorp',
  arr: 75000,
  segment: 'mid_market',
  seats: 40,
  csm: { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U0CSM0001' },
  champion: { name: 'Priya Shah', email: 'priya@techcorp.example' },
} as const;

export interface FixtureCatalogEntry {
  readonly featureId: string;
  readonly featureName: string;
  readonly category: string;
  readonly importance: number;
  readonly expectedAdoptionDays: number;
  readonly keyBenefit: string | null;
  readonly resources: ReadonlyArray<Readonly<Record<string, string | number>>>;
}

const ADVANCED_ANALYTICS = {
  featureId: 'advanced_analytics',
  featureName: 'Advanced Analytics Dashboard',
  category: 'analytics',
  importance: 85,
  expectedAdoptionDays: 30,
  keyBenefit: 'spot trends across your accounts before they become problems',
  resources: [
    { type: 'video', title: 'Analytics Dashboard Overview', url: 'https://training.example.com/analytics', duration_minutes: 12, level: 'beginner' },
    { type: 'documentation', title: 'Quick Start Guide', url: 'https://docs.example.com/analytics' },
  ],
} as const;

const WORKFLOW_AUTOMATION = {
  featureId: 'workflow_automation',
  featureName: 'Workflow Automation',
  category: 'automation',
  importance: 70,
  expectedAdoptionDays: 30,
  keyBenefit: 'automate routine hand-offs',
  resources: [{ type: 'video', title: 'Automation in 10 minutes', url: 'https://training.example.com/automation', duration_minutes: 10 }],
} as const;

const CUSTOM_REPORTS = {
  featureId: 'custom_reports',
  featureName: 'Custom Reports',
  category: 'analytics',
  importance: 55,
  expectedAdoptionDays: 21,
  keyBenefit: null,
  resources: [{ type: 'documentation', title: 'Building reports', url: 'https://docs.example.com/reports' }],
} as const;

/** The features a fixture signal stalls on by default. */
export const FIXTURE_FEATURES = [ADVANCED_ANALYTICS, WORKFLOW_AUTOMATION] as const;

/** The whole fixture catalog: the stalled features and one more the customer has not reached. */
export const FIXTURE_CATALOG: readonly FixtureCatalogEntry[] = [...FIXTURE_FEATURES, CUSTOM_REPORTS];

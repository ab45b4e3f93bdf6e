/**
 * The domain as a programmatic API (`adoption-enablement/domain`): what the HTTP routes, pages, Slack handlers, CLI
 * commands and activities call, for a platform to call from its own code. Every function takes the database first
 * (`openDatabase` then `migrate`; a `pg` Pool or the embedded PGlite store behind one `Db` interface) and answers
 * plain typed values. Refusals the caller can act on are `DomainError`s with a `kind` (not_found, invalid, conflict,
 * forbidden) and, for input, the `field`.
 */
import type { Db } from '../db/database';
import { importCatalogRecords, type CatalogRecord } from './ingest/catalog';
import { importCustomerRecords, type CustomerRecord } from './ingest/customers';
import type { ImportSummary } from './ingest/read-records';
import { importUsageEvents, type UsageImportOptions } from './ingest/usage';
import type { UsageEventInput } from './ingest/usage-event';
import { adoptionJson, loadCustomerAdoption, type CustomerAdoption } from './read-models/customer-adoption';

export type { Db } from '../db/database';
export { openDatabase, type OpenDatabaseOptions } from '../db/open';
export { migrate, type MigrationResult } from '../db/migrate';
export { DomainError, type DomainErrorKind } from './errors';

// Customers and the feature catalog.
export type { CustomerRecord as CustomerInput } from './ingest/customers';
export type { CatalogRecord as CatalogEntry } from './ingest/catalog';
export type { ImportIssue, ImportSummary } from './ingest/read-records';
export { importCustomersFile } from './ingest/customers';
export { importCatalogFile } from './ingest/catalog';
export { customerExists, customerContacts, customerSegments, type CustomerContacts } from './customers';
export { featureResources, type FeatureResources } from './catalog';

/** Creates or updates customers by id (the customers file's records); bad records are reported, not stored. */
export function upsertCustomers(db: Db, customers: CustomerRecord[]): Promise<ImportSummary> {
  return importCustomerRecords(db, customers, { source: 'upsertCustomers' });
}

/** Creates or updates feature catalog entries by `feature_id`; bad entries are reported, not stored. */
export function upsertCatalog(db: Db, entries: CatalogRecord[]): Promise<ImportSummary> {
  return importCatalogRecords(db, entries, { source: 'upsertCatalog' });
}

// Usage.
export { importUsageFile, FUTURE_TOLERANCE_MS, type UsageImportOptions } from './ingest/usage';
export type { UsageEventInput } from './ingest/usage-event';

/**
 * Stores usage events (each once: by `eventId`, else by content), refreshes their daily rollups and backfills the
 * snapshots of the customer-features they touch; bad events are reported by their position, the others stored.
 */
export function ingestUsageEvents(db: Db, events: readonly UsageEventInput[], options: UsageImportOptions = {}): Promise<ImportSummary> {
  return importUsageEvents(db, events, options);
}

// Scoring, detection and a customer's adoption.
export { syncCustomerAdoption, type SyncResult, type SyncedFeature } from './sync';
export { runDetection, type DetectionOptions, type DetectionReport, type DetectionSignal } from './detection';
export type { CustomerAdoption, FeatureAdoptionView, CustomerSummary } from './read-models/customer-adoption';

/** A customer's feature adoption as `GET /api/customers/:id/feature-adoption` answers it; not_found when unknown. */
export async function customerAdoption(db: Db, customerId: string, now: Date = new Date()): Promise<CustomerAdoption> {
  return adoptionJson(await loadCustomerAdoption(db, customerId, now));
}

// Runs, drafts, tasks and interventions.
export { findRun, runOwner, runsOfCustomer, type Run, type RunCustomer, type CustomerRun } from './runs';
export { pendingDrafts, draftAwaitingDecision, DECIDABLE_STATUSES, type PendingDraft, type DraftStatus } from './drafts';
export { createTask, closeTask, type NewTask, type TaskPriority } from './tasks';
export {
  recordIntervention,
  measureIntervention,
  INTERVENTION_TYPES,
  type InterventionType,
  type RecordInterventionInput,
  type InterventionView,
} from './interventions';
export { changeNotNeeded, notNeededStatus, notNeededHistory, type NotNeededChange, type NotNeededMark } from './not-needed';

// Sharing, booking and engagement.
export { shareResources, type ShareDeps, type ShareRequest, type ShareOutcome } from './resource-share';
export { bookingLink, openBooking, book, bookTraining } from './bookings';
export { recordEngagement, recordCompletion, engagementByFeature } from './engagement';

// Impact.
export { loadImpactReports, type ImpactReports } from './read-models/reports';
export { successMetrics, type SuccessMetric, type SuccessMetricsReport } from './metrics';
export { liftReport, holdoutPercent, setHoldoutPercent, type LiftReport, type ImpactFilter } from './holdout';

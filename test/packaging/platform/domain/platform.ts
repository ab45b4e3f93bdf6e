// A platform's own TypeScript using the domain API from the installed tarball: it stores a customer and a catalog,
// ingests usage events, rescores the customer and reads the customer's adoption. `tsc --strict` type-checks it against the package's
// declarations before it runs, so a missing or untyped export fails the build, not only the run.
import {
  customerAdoption,
  ingestUsageEvents,
  migrate,
  openDatabase,
  syncCustomerAdoption,
  upsertCatalog,
  upsertCustomers,
  type CatalogEntry,
  type CustomerAdoption,
  type CustomerInput,
  type UsageEventInput,
} from 'adoption-enablement/domain';

const CUSTOMER = '5b0c3f3e-2f4c-4a43-9d61-0e5a3c1d2b10';
const DAY = 24 * 60 * 60 * 1000;

async function main(): Promise<void> {
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR });
  try {
    await migrate(db);
    const customer: CustomerInput = {
      id: CUSTOMER,
      name: 'Platform Co',
      arr: 120000,
      segment: 'enterprise',
      seats: 40,
      csm: { name: 'Dana', email: 'dana@vendor.example', slackUserId: 'U0CSM0001' },
      champion: { name: 'Priya', email: 'priya@platform.example' },
    };
    const catalog: CatalogEntry[] = [
      { feature_id: 'reports', feature_name: 'Reports', category: 'analytics', importance_score: 80, expected_adoption_days: 14 },
      { feature_id: 'alerts', feature_name: 'Alerts', category: 'monitoring', importance_score: 60, expected_adoption_days: 7 },
    ];
    const now = new Date();
    const events: UsageEventInput[] = [];
    for (let day = 40; day >= 1; day -= 1) {
      const occurredAt = new Date(now.getTime() - day * DAY).toISOString();
      if (day === 40) events.push({ customerId: CUSTOMER, featureId: 'reports', event: 'activated', occurredAt, eventId: `act-${day}` });
      events.push({
        customerId: CUSTOMER,
        featureId: 'reports',
        event: 'used',
        occurredAt,
        userId: `user-${day % 5}`,
        count: 3,
        eventId: `use-${day}`,
      });
    }
    const customers = await upsertCustomers(db, [customer]);
    const features = await upsertCatalog(db, catalog);
    const usage = await ingestUsageEvents(db, events, { now: () => now });
    const again = await ingestUsageEvents(db, events.slice(0, 5), { now: () => now });
    await syncCustomerAdoption(db, CUSTOMER, now);
    const adoption: CustomerAdoption = await customerAdoption(db, CUSTOMER, now);
    const reports = adoption.features.find((feature) => feature.featureId === 'reports');
    console.log(
      'RESULT ' +
        JSON.stringify({
          customers: customers.imported,
          features: features.imported,
          usage: { read: usage.read, imported: usage.imported, issues: usage.issues.length },
          again: { read: again.read, imported: again.imported },
          customerId: adoption.customer.id,
          reports: reports ? { stage: reports.stage, usageScore: reports.usageScore } : null,
        }),
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

/** The `npm start` demo's data: customers and catalog as files, usage generated (`demoUsageEvents`). */
export const DEMO_DIR = path.join(packageRoot(), 'examples', 'demo');

/** A demo customer's id, as examples/demo/customers.json (the one list of demo customers) gives it. */
function demoCustomerId(name: string): string {
  const customers = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'customers.json'), 'utf8')) as Array<{ id: string; name: string }>;
  const customer = customers.find((candidate) => candidate.name === name);
  if (!customer) throw new Error(`examples/demo/customers.json has no customer named ${name}`);
  return customer.id;
}

interface DemoEvent {
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  occurredAt: string;
  userId?: string;
  eventId: string;
}

/**
 * Usage events for the `npm start` demo (examples/demo/README.md), generated relative to `today` so detection on the
 * day you run it finds the stalls the README describes. Deterministic for a given day.
 */
export function demoUsageEvents(today: Date): DemoEvent[] {
  const [TECHCORP, GLOBEX, INITECH] = ['TechCorp', 'Globex', 'Initech'].map(demoCustomerId);
  const events: DemoEvent[] = [];
  const at = (daysAgo: number, hour = 10) => {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - daysAgo, hour));
    return day.toISOString();
  };
  const add = (customerId: string, featureId: string, event: DemoEvent['event'], daysAgo: number, userId?: string) =>
    events.push({
      customerId,
      featureId,
      event,
      occurredAt: at(daysAgo),
      userId,
      eventId: `demo-${customerId.slice(-2)}-${featureId}-${event}-${daysAgo}-${userId ?? ''}`,
    });

  // TechCorp: analytics tried by one user in its first week, then abandoned; reports never opened; automation daily.
  add(TECHCORP, 'advanced_analytics', 'activated', 45);
  for (const daysAgo of [44, 42, 40]) add(TECHCORP, 'advanced_analytics', 'used', daysAgo, 'u1');
  add(TECHCORP, 'custom_reports', 'activated', 30);
  add(TECHCORP, 'workflow_automation', 'activated', 60);
  for (let daysAgo = 59; daysAgo >= 1; daysAgo -= 1) {
    for (let user = 1; user <= 25; user += 1) add(TECHCORP, 'workflow_automation', 'used', daysAgo, `u${user}`);
  }
  // Globex: everything adopted by many users.
  for (const featureId of ['advanced_analytics', 'workflow_automation', 'custom_reports']) {
    add(GLOBEX, featureId, 'activated', 45);
    for (let daysAgo = 44; daysAgo >= 1; daysAgo -= 1) {
      for (let user = 1; user <= 40; user += 1) add(GLOBEX, featureId, 'used', daysAgo, `g${user}`);
    }
  }
  // Initech: just activated analytics.
  add(INITECH, 'advanced_analytics', 'activated', 5);
  add(INITECH, 'advanced_analytics', 'used', 4, 'i1');
  return events;
}

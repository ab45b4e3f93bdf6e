/**
 * Usage events for the `npm start` demo (examples/demo/README.md), generated relative to `today` so detection on the
 * day you run it finds the stalls the README describes. Deterministic for a given day.
 */
const TECHCORP = '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a01';
const GLOBEX = '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a02';
const INITECH = '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a03';

interface DemoEvent {
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  occurredAt: string;
  userId?: string;
  eventId: string;
}

export function demoUsageEvents(today: Date): DemoEvent[] {
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

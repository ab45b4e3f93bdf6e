import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import { addDays } from '../../adoption/scoring';
import { importCatalogFile } from '../../adoption/ingest/catalog';
import { importCustomersFile } from '../../adoption/ingest/customers';
import { importUsageFile } from '../../adoption/ingest/usage';
import type { ImportSummary } from '../../adoption/ingest/read-records';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * Fixture files for detection tests, written to a temporary folder and loaded through the real importers, so every
 * test exercises the same path as `npx adoption-enablement import`.
 */
export const DETECTION_CATALOG = [
  {
    feature_id: 'analytics',
    feature_name: 'Advanced Analytics Dashboard',
    category: 'analytics',
    importance_score: 85,
    expected_adoption_days: 30,
    training_resources: [
      { type: 'video', title: 'Analytics Dashboard Overview', url: 'https://training.example.com/analytics', duration_minutes: 12 },
    ],
    tips: 'Start from the saved views.',
    key_benefit: 'spot trends before they become problems',
  },
  {
    feature_id: 'automation',
    feature_name: 'Workflow Automation',
    category: 'automation',
    importance_score: 70,
    expected_adoption_days: 30,
    training_resources: [{ type: 'documentation', title: 'Automation guide', url: 'https://docs.example.com/automation' }],
    tips: null,
  },
  {
    feature_id: 'reports',
    feature_name: 'Custom Reports',
    category: 'analytics',
    importance_score: 55,
    expected_adoption_days: 21,
    training_resources: [],
    tips: null,
  },
  {
    feature_id: 'exports',
    feature_name: 'Data Exports',
    category: 'integration',
    importance_score: 40,
    expected_adoption_days: 30,
    training_resources: [],
    tips: null,
  },
];

export interface CustomerFixture {
  id: string;
  name: string;
  arr: number;
  segment: string;
  seats: number | null;
  csm: { name: string; email: string; slackUserId: string };
  champion: { name: string; email: string };
  notNeeded?: string[];
}

export function customer(overrides: Partial<CustomerFixture> = {}): CustomerFixture {
  return {
    id: randomUUID(),
    name: 'TechCorp',
    arr: 75_000,
    segment: 'mid_market',
    seats: 10,
    csm: { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U0CSM0001' },
    champion: { name: 'Priya Shah', email: 'priya@techcorp.example' },
    ...overrides,
  };
}

export interface UsageLine {
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  occurredAt: string;
  userId?: string;
  count?: number;
  eventId?: string;
}

/** Noon UTC of the day `daysBefore` days before `asOf`. */
export function at(asOf: string, daysBefore: number, time = '12:00:00Z'): string {
  return `${addDays(asOf, -daysBefore)}T${time}`;
}

export function activated(customerId: string, featureId: string, asOf: string, daysBefore: number): UsageLine {
  return { customerId, featureId, event: 'activated', occurredAt: at(asOf, daysBefore, '09:00:00Z'), userId: 'admin' };
}

/** `used` events on each of the given days (days before asOf), by each of `users`. */
export function usedOn(customerId: string, featureId: string, asOf: string, daysBefore: number[], users: string[] = ['u1']): UsageLine[] {
  return daysBefore.flatMap((days) => users.map((userId) => ({ customerId, featureId, event: 'used' as const, occurredAt: at(asOf, days), userId })));
}

export function range(from: number, to: number): number[] {
  const days: number[] = [];
  for (let day = from; day <= to; day += 1) days.push(day);
  return days;
}

export function users(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `u${index + 1}`);
}

export class FixtureFiles {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-fixtures-'));
  private counter = 0;

  write(name: string, content: string): string {
    this.counter += 1;
    const file = path.join(this.dir, `${this.counter}-${name}`);
    fs.writeFileSync(file, content);
    return file;
  }

  ndjson(lines: UsageLine[]): string {
    return this.write('usage.ndjson', lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  }

  async catalog(db: Db, entries = DETECTION_CATALOG): Promise<void> {
    expectClean(await importCatalogFile(db, this.write('catalog.json', JSON.stringify(entries))));
  }

  async customers(db: Db, customers: CustomerFixture[]): Promise<void> {
    expectClean(await importCustomersFile(db, this.write('customers.json', JSON.stringify(customers))));
  }

  async usage(db: Db, lines: UsageLine[]): Promise<ImportSummary> {
    const summary = await importUsageFile(db, this.ndjson(lines));
    expectClean(summary);
    return summary;
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function expectClean(summary: ImportSummary): void {
  if (summary.issues.length > 0) {
    throw new Error(`fixture import reported problems: ${summary.issues.map((issue) => `${issue.line}: ${issue.message}`).join('; ')}`);
  }
}

/** A fresh database and fixture files for one test, the catalog imported unless `catalog: false`. */
export interface DetectionWorld {
  test: TestDatabase;
  db: Db;
  files: FixtureFiles;
}

export async function openDetectionWorld(options: { catalog?: boolean } = {}): Promise<DetectionWorld> {
  const test = await createTestDatabase();
  const files = new FixtureFiles();
  if (options.catalog !== false) await files.catalog(test.db);
  return { test, db: test.db, files };
}

export async function closeDetectionWorld(world: DetectionWorld): Promise<void> {
  world.files.dispose();
  await world.test.dispose();
}

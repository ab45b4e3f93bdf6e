import { itOnPostgresServer } from '../support/test-database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../db/database';
import { importCatalogFile } from '../../adoption/ingest/catalog';
import { importCustomersFile } from '../../adoption/ingest/customers';
import { importUsageFile } from '../../adoption/ingest/usage';
import { addDays } from '../../adoption/dates';
import type { DetectionReport } from '../../adoption/detection';
import {
  DETECTION_CATALOG,
  FixtureFiles,
  openDetectionWorld,
  closeDetectionWorld,
  type DetectionWorld,
  activated,
  customer,
  range,
  usedOn,
  users,
} from '../support/detection-fixtures';
import { runCli } from '../support/run-cli';

const AS_OF = '2026-03-31';

let world: DetectionWorld;
let db: Db;
let files: FixtureFiles;

beforeEach(async () => {
  world = await openDetectionWorld({ catalog: false });
  ({ db, files } = world);
});

afterEach(() => closeDetectionWorld(world));

async function tableRows(sql: string, params: unknown[] = []): Promise<unknown[]> {
  return (await db.query(sql, params)).rows;
}

describe('usage import', () => {
  it('importing the same file twice counts every event once and leaves the rollups as they were', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const file = files.ndjson([
      activated(acme.id, 'analytics', AS_OF, 10),
      ...usedOn(acme.id, 'analytics', AS_OF, range(0, 9), users(3)),
      { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${AS_OF}T08:00:00Z`, count: 5, eventId: 'evt-1' },
    ]);

    const first = await importUsageFile(db, file);
    const rollups = async () => [
      await tableRows(`SELECT day, used_events, activation_events, active_users FROM usage_daily ORDER BY day`),
      await tableRows(`SELECT week_start, used_events, active_days, active_users FROM usage_weekly ORDER BY week_start`),
    ];
    const before = await rollups();
    const second = await importUsageFile(db, file);

    expect(first).toMatchObject({ read: 32, imported: 32, duplicates: 0, skipped: 0 });
    expect(second).toMatchObject({ read: 32, imported: 0, duplicates: 32, skipped: 0 });
    expect(await tableRows(`SELECT COUNT(*)::int AS n FROM usage_events`)).toEqual([{ n: 32 }]);
    expect(await rollups()).toEqual(before);
    // The as-of day: 3 users once each plus the 5-count event without a userId (one more, anonymous, user).
    expect(before[0]).toContainEqual({ day: AS_OF, used_events: 8, activation_events: 0, active_users: 4 });
    expect(before[0]).toContainEqual({ day: addDays(AS_OF, -10), used_events: 0, activation_events: 1, active_users: 0 });
    // 2026-03-30 is a Monday: the week of the 30th and 31st.
    expect(before[1]).toContainEqual({ week_start: '2026-03-30', used_events: 11, active_days: 2, active_users: 4 });
  });

  it('the same events as CSV (any column order, quoted fields) are recognised as already imported', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const events = usedOn(acme.id, 'analytics', AS_OF, [0, 1], ['jane, doe', 'bob']);
    await importUsageFile(db, files.ndjson(events));
    const csv = [
      'occurredAt,event,featureId,customerId,userId',
      ...events.map((e) => `${e.occurredAt},${e.event},${e.featureId},${e.customerId},"${e.userId}"`),
    ].join('\r\n');
    const summary = await importUsageFile(db, files.write('usage.csv', csv));
    expect(summary).toMatchObject({ read: 4, imported: 0, duplicates: 4, skipped: 0 });
    expect(await tableRows(`SELECT DISTINCT user_id FROM usage_daily_users ORDER BY user_id`)).toEqual([
      { user_id: 'bob' },
      { user_id: 'jane, doe' },
    ]);
  });

  it('an eventId makes an event the same event; stored with other content it is a conflict on its line; without one, identical lines are one event', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const line = { customerId: acme.id, featureId: 'analytics', event: 'used' as const, occurredAt: `${AS_OF}T10:00:00Z`, userId: 'u1' };
    const summary = await importUsageFile(
      db,
      files.ndjson([
        { ...line, eventId: 'e-1' },
        { ...line, eventId: 'e-1', count: 3 },
        line,
        { ...line, occurredAt: `${AS_OF}T11:00:00+01:00` }, // the same instant written differently
      ]),
    );
    expect(summary).toMatchObject({ read: 4, imported: 2, duplicates: 1, conflicts: 1, skipped: 1 });
    expect(summary.issues).toEqual([
      {
        file: expect.any(String),
        line: 2,
        message: expect.stringMatching(/^eventId: "e-1" is already stored with a different count; .*stored event is unchanged/),
      },
    ]);

    // Again, from another file: the stored event keeps its content and the rollups do not move.
    const stored = `SELECT "count", occurred_at FROM usage_events WHERE event_key = $1`;
    const before = await tableRows(stored, [`id:${acme.id}:e-1`]);
    const daily = `SELECT used_events FROM usage_daily WHERE customer_id = $1 ORDER BY day`;
    const dailyBefore = await tableRows(daily, [acme.id]);
    const again = await importUsageFile(
      db,
      files.ndjson([
        { ...line, eventId: 'e-1', count: 7, occurredAt: `${AS_OF}T12:00:00Z` },
        { ...line, eventId: 'e-1' },
      ]),
    );
    expect(again).toMatchObject({ read: 2, imported: 0, duplicates: 1, conflicts: 1 });
    expect(again.issues.map((issue) => [issue.line, issue.message.split(';')[0]])).toEqual([
      [1, 'eventId: "e-1" is already stored with a different occurredAt, count'],
    ]);
    expect(await tableRows(stored, [`id:${acme.id}:e-1`])).toEqual(before);
    expect(await tableRows(daily, [acme.id])).toEqual(dailyBefore);
  });

  it('reports bad lines with their line numbers, skips them and keeps the good ones', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const good = (day: number) => JSON.stringify(usedOn(acme.id, 'analytics', AS_OF, [day])[0]);
    const lines = [
      good(1),
      '{"customerId": "not json',
      '',
      JSON.stringify({ customerId: acme.id, featureId: 'analytics', event: 'clicked', occurredAt: `${AS_OF}T10:00:00Z` }),
      JSON.stringify({ customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: '2026-02-30T10:00:00Z' }),
      JSON.stringify({ customerId: '4b4e1c5a-0000-4000-8000-000000000000', featureId: 'analytics', event: 'used', occurredAt: `${AS_OF}T10:00:00Z` }),
      JSON.stringify({ customerId: acme.id, event: 'used', occurredAt: `${AS_OF}T10:00:00Z` }),
      good(2),
    ];
    const summary = await importUsageFile(db, files.write('usage.ndjson', lines.join('\n')));
    expect(summary.issues.map((issue) => [issue.line, issue.message.split(':')[0]])).toEqual([
      [2, 'not valid JSON'],
      [4, 'event'],
      [5, 'occurredAt'],
      [6, 'customerId'],
      [7, 'featureId'],
    ]);
    expect(summary.issues[3].message).toContain('unknown customer 4b4e1c5a-0000-4000-8000-000000000000');
    expect(summary).toMatchObject({ read: 7, imported: 2, skipped: 5 });
    expect(await tableRows(`SELECT COUNT(*)::int AS n FROM usage_events`)).toEqual([{ n: 2 }]);
  });
});

describe('customers and catalog import', () => {
  it('upserts customers by id and reports invalid records with their line', async () => {
    const acme = customer({ notNeeded: ['exports'] });
    const file = files.write('customers.json', JSON.stringify([acme, { id: 'acme', name: 'No UUID' }, { ...customer(), arr: -5 }], null, 2));
    const summary = await importCustomersFile(db, file);
    expect(summary).toMatchObject({ read: 3, imported: 1, skipped: 2 });
    expect(summary.issues.map((issue) => issue.line)).toEqual([21, 25]);
    expect(summary.issues[0].message).toMatch(/customer #2: id: must match pattern/);
    expect(summary.issues[1].message).toMatch(/customer #3: arr: must be >= 0/);

    await importCustomersFile(db, files.write('customers.json', JSON.stringify([{ ...acme, arr: 90_000, notNeeded: ['reports'] }])));
    expect(await tableRows(`SELECT name, arr, segment, seats, csm_slack_user_id, champion_email FROM customers`)).toEqual([
      { name: 'TechCorp', arr: 90_000, segment: 'mid_market', seats: 10, csm_slack_user_id: 'U0CSM0001', champion_email: 'priya@techcorp.example' },
    ]);
    expect(await tableRows(`SELECT feature_id, not_needed FROM feature_adoption ORDER BY feature_id`)).toEqual([
      { feature_id: 'exports', not_needed: false },
      { feature_id: 'reports', not_needed: true },
    ]);
  });

  it('loads a YAML catalog with training resources and rejects out-of-range entries', async () => {
    const yaml = [
      '- feature_id: analytics',
      '  feature_name: Advanced Analytics Dashboard',
      '  category: analytics',
      '  importance_score: 85',
      '  expected_adoption_days: 30',
      '  key_benefit: spot trends early',
      '  tips: Start from the saved views.',
      '  training_resources:',
      '    - type: video',
      '      title: Getting Started with Feature X',
      '      url: https://training.example.com/feature-x',
      '      duration_minutes: 15',
      '      level: beginner',
      '    - type: webinar',
      '      title: Advanced Feature X Techniques',
      '      url: https://training.example.com/webinars/feature-x-advanced',
      '      next_session: 2026-02-15T14:00:00Z',
      '    - type: live_training',
      '      title: Feature X office hours',
      '      url: https://training.example.com/office-hours',
      '      sessions: [2026-03-03T16:00:00Z, "2026-03-10"]',
      '- feature_id: broken',
      '  feature_name: Broken',
      '  importance_score: 150',
    ].join('\n');
    const summary = await importCatalogFile(db, files.write('catalog.yaml', yaml));
    expect(summary).toMatchObject({ read: 2, imported: 1, skipped: 1 });
    expect(summary.issues).toEqual([expect.objectContaining({ line: 22, message: 'feature #2: importance_score: must be <= 100' })]);
    const rows = await tableRows(`SELECT feature_id, importance_score, expected_adoption_days, training_resources, key_benefit FROM feature_catalog`);
    expect(rows).toEqual([
      {
        feature_id: 'analytics',
        importance_score: 85,
        expected_adoption_days: 30,
        key_benefit: 'spot trends early',
        training_resources: [
          {
            type: 'video',
            title: 'Getting Started with Feature X',
            url: 'https://training.example.com/feature-x',
            duration_minutes: 15,
            level: 'beginner',
          },
          {
            type: 'webinar',
            title: 'Advanced Feature X Techniques',
            url: 'https://training.example.com/webinars/feature-x-advanced',
            next_session: '2026-02-15T14:00:00Z',
          },
          {
            type: 'live_training',
            title: 'Feature X office hours',
            url: 'https://training.example.com/office-hours',
            sessions: ['2026-03-03T16:00:00Z', '2026-03-10'],
          },
        ],
      },
    ]);
  });
});

describe('CLI', () => {
  function writeFixtures() {
    const acme = customer();
    const customersFile = files.write('customers.json', JSON.stringify([acme]));
    const catalogFile = files.write('catalog.json', JSON.stringify(DETECTION_CATALOG));
    const usage = [activated(acme.id, 'analytics', AS_OF, 20), ...usedOn(acme.id, 'automation', AS_OF, range(0, 20), users(6))];
    const usageFile = files.write(
      'usage.ndjson',
      [
        ...usage.map((line) => JSON.stringify(line)),
        '{"bad": true}',
        JSON.stringify({ customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: 'yesterday' }),
      ].join('\n'),
    );
    return { acme, customersFile, catalogFile, usageFile };
  }

  itOnPostgresServer(
    'import then detect --json on DATABASE_URL; a bad line makes import exit non-zero; a second detect creates nothing',
    async () => {
      const { acme, customersFile, catalogFile, usageFile } = writeFixtures();
      const env = { DATABASE_URL: world.test.url };

      const imported = await runCli(['import', '--customers', customersFile, '--catalog', catalogFile, '--usage', usageFile], env);
      expect(imported.exitCode).toBe(1);
      // 1 activation + 21 days x 6 users = 127 good lines, then the two bad ones.
      expect(imported.stderr).toContain(`${usageFile}:128: customerId: must be a customer UUID`);
      expect(imported.stderr).toContain(`${usageFile}:129: occurredAt: not an ISO-8601 timestamp`);
      expect(imported.stdout).toContain(`usage (${usageFile}): 129 read, 127 imported, 0 already imported, 2 skipped`);
      expect(imported.stdout).toContain(`customers (${customersFile}): 1 read, 1 imported, 0 skipped`);

      const detected = await runCli(['detect', '--as-of', AS_OF, '--json'], env);
      expect(detected).toMatchObject({ exitCode: 0, stderr: '' });
      const report = JSON.parse(detected.stdout) as DetectionReport;
      expect(Object.keys(report)).toEqual(['asOf', 'evaluated', 'configuration', 'signals', 'suppressed', 'recovered']);
      expect(report).toMatchObject({ asOf: AS_OF, evaluated: 4, suppressed: [], recovered: [] });
      expect(report.signals).toEqual([
        {
          signalId: expect.any(String),
          customerId: acme.id,
          priority: expect.any(Number),
          features: [
            {
              featureId: 'analytics',
              stage: 'not_started',
              usageScore: 0,
              daysSinceActivation: 20,
              expectedAdoptionDays: 30,
              rule: 'low_usage_14d',
              reason: expect.any(String),
            },
          ],
        },
      ]);
      const again = await runCli(['detect', '--as-of', AS_OF, '--json'], env);
      expect(JSON.parse(again.stdout)).toEqual(report);
      expect(await tableRows(`SELECT COUNT(*)::int AS n FROM risk_signals`)).toEqual([{ n: 1 }]);

      const bad = await runCli(['detect', '--as-of', '2026-02-30', '--json'], env);
      expect(bad.exitCode).toBe(1);
      expect(bad.error?.message).toContain('--as-of must be a day');
    },
  );

  itOnPostgresServer('import prints an eventId stored with other content as a conflict on its line and exits non-zero', async () => {
    const acme = customer();
    const customersFile = files.write('customers.json', JSON.stringify([acme]));
    const event = {
      customerId: acme.id,
      featureId: 'analytics',
      event: 'used' as const,
      occurredAt: `${AS_OF}T10:00:00Z`,
      userId: 'u1',
      eventId: 'cli-e1',
    };
    const env = { DATABASE_URL: world.test.url };
    const first = await runCli(['import', '--customers', customersFile, '--usage', files.ndjson([event])], env);
    expect(first.exitCode).toBe(0);
    const conflicting = files.ndjson([event, { ...event, count: 4 }]);
    const again = await runCli(['import', '--usage', conflicting], env);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`${conflicting}:2: eventId: "cli-e1" is already stored with a different count`);
    expect(again.stdout).toContain(`usage (${conflicting}): 2 read, 0 imported, 1 already imported, 1 in conflict with a stored event, 1 skipped`);
  });

  it('works on the embedded store (--data-dir) when DATABASE_URL is unset; --dry-run stores nothing', async () => {
    const { customersFile, catalogFile, usageFile } = writeFixtures();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-cli-'));
    const env = { DATABASE_URL: undefined };
    try {
      const imported = await runCli(
        ['import', '--data-dir', dataDir, '--customers', customersFile, '--catalog', catalogFile, '--usage', usageFile],
        env,
      );
      expect(imported.exitCode).toBe(1);
      const dry = await runCli(['detect', '--data-dir', dataDir, '--as-of', AS_OF, '--json', '--dry-run'], env);
      expect(dry.exitCode).toBe(0);
      const dryReport = JSON.parse(dry.stdout) as DetectionReport;
      expect(dryReport.signals).toHaveLength(1);
      const real = JSON.parse((await runCli(['detect', '--data-dir', dataDir, '--as-of', AS_OF, '--json'], env)).stdout) as DetectionReport;
      expect(real.signals[0].signalId).not.toBe(dryReport.signals[0].signalId);
      expect(real.signals[0].features).toEqual(dryReport.signals[0].features);
      const human = await runCli(['detect', '--data-dir', dataDir, '--as-of', AS_OF], env);
      expect(human.stdout).toContain(`as of ${AS_OF} (end of the UTC day): 4 customer-features evaluated, 1 signal(s)`);
      expect(human.stdout).toContain(`signal ${real.signals[0].signalId}`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../../db/embedded';
import { listMigrations, migrate } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PRD_TABLES = ['feature_adoption', 'feature_catalog', 'customers', 'risk_signals', 'tasks', 'usage_events'];

async function tablesOf(db: TestDatabase['db']): Promise<string[]> {
  const result = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'adoption' ORDER BY table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

describe('migrations', () => {
  it('apply to the test Postgres and are idempotent', async () => {
    const test = await createTestDatabase();
    try {
      expect(await tablesOf(test.db)).toEqual(expect.arrayContaining(PRD_TABLES));
      const again = await migrate(test.db);
      expect(again.applied).toEqual([]);
      expect(again.alreadyApplied).toEqual(listMigrations());
    } finally {
      await test.dispose();
    }
  });

  it('apply the same files to embedded PGlite, which keeps its data across reopening', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-embedded-'));
    try {
      const first = await openEmbedded(dir);
      expect((await migrate(first)).applied).toEqual(listMigrations());
      await first.query(`INSERT INTO feature_catalog (feature_id, feature_name) VALUES ($1, $2)`, ['f1', 'Feature 1']);
      await expect(openEmbedded(dir)).rejects.toThrow(/is open in process/);
      await first.close();

      const second = await openEmbedded(dir);
      expect((await migrate(second)).applied).toEqual([]);
      expect(await tablesOf(second)).toEqual(expect.arrayContaining(PRD_TABLES));
      const rows = await second.query<{ feature_name: string }>(`SELECT feature_name FROM feature_catalog`);
      expect(rows.rows).toEqual([{ feature_name: 'Feature 1' }]);
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { usageScoreOf, usageScoreSql } from '../../adoption/scoring';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** Detection and the history backfill score in SQL; tests and docs in TypeScript: the two must agree everywhere. */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

it('scores every active-days / users / breadth-base combination the same in SQL as usageScoreOf, half-way scores included', async () => {
  const { rows } = await database.db.query<{ d: number; u: number; b: number; score: number }>(
    `SELECT d, u, b, ${usageScoreSql('d', 'u', 'b')} AS score
       FROM generate_series(0, 16) d, generate_series(0, 45) u, generate_series(1, 40) b`,
  );
  expect(rows).toHaveLength(17 * 46 * 40);
  const differing = rows.filter((r) => r.score !== usageScoreOf(r.d, r.u, r.b));
  expect(differing).toEqual([]);
  // The case that told them apart: 2 active days, 1 user of 20 seats is exactly 7.5, which rounds up.
  expect(rows.find((r) => r.d === 2 && r.u === 1 && r.b === 20)?.score).toBe(8);
  expect(usageScoreOf(2, 1, 20)).toBe(8);
});

it('does not overflow for a very large account', async () => {
  const { rows } = await database.db.query<{ score: number }>(`SELECT ${usageScoreSql('14', '2000000000', '2000000000')} AS score`);
  expect(rows[0].score).toBe(100);
});

import { DEFAULT_RULES } from '../../adoption/config/rules';
import { scoreStageSql, usageScoreOf, usageScoreSql } from '../../adoption/scoring-rules';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** Detection and the history backfill score in SQL; tests compute expected scores in TypeScript: the two must agree everywhere. */

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

it('maps score and days since activation to the stages by score, under the default thresholds', async () => {
  const { stages } = DEFAULT_RULES;
  const cases: Array<[number, number, string]> = [
    [0, 8, 'not_started'],
    [0, 7, 'started'],
    [19, 30, 'started'],
    [20, 30, 'engaged'],
    [59, 30, 'engaged'],
    [60, 30, 'adopted'],
  ];
  const { rows } = await database.db.query<{ stage: string }>(
    `SELECT ${scoreStageSql('c.score', 'c.days', 'r')} AS stage
       FROM UNNEST($1::int[], $2::int[]) WITH ORDINALITY AS c(score, days, n),
            (SELECT $3::int AS engaged_from, $4::int AS adopted_from, $5::int AS not_started_after_days) r
      ORDER BY c.n`,
    [cases.map(([score]) => score), cases.map(([, days]) => days), stages.engagedFrom, stages.adoptedFrom, stages.notStartedAfterDays],
  );
  expect(rows.map((row) => row.stage)).toEqual(cases.map(([, , stage]) => stage));
});

import type { Db } from '../db/database';

/** Whether the store holds no customer yet (a fresh database, where `npm start` imports the demo). */
export async function hasNoCustomers(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ count: number }>(`SELECT COUNT(*)::int AS count FROM customers`);
  return rows[0].count === 0;
}

import type { Db } from '../db/database';
import { csmTimeZone } from './training-slots';

/** A customer and the people who act for it: its CSM (who sends and gives training) and its champion (who receives). */
export interface CustomerContacts {
  id: string;
  name: string;
  csm: { name: string | null; email: string | null; timeZone: string };
  champion: { name: string | null; email: string | null };
}

/** Whether the customer is known, so a caller can refuse work about one that is not before doing any. */
export async function customerExists(db: Db, customerId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM customers WHERE id = $1::uuid`, [customerId]);
  return rows.length > 0;
}

/** The customer's CSM and champion, for whoever writes to them; null when the customer is unknown. */
export async function customerContacts(db: Db, customerId: string): Promise<CustomerContacts | null> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    csm_name: string | null;
    csm_email: string | null;
    csm_time_zone: string | null;
    champion_name: string | null;
    champion_email: string | null;
  }>(`SELECT id, name, csm_name, csm_email, csm_time_zone, champion_name, champion_email FROM customers WHERE id = $1::uuid`, [customerId]);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    csm: { name: row.csm_name, email: row.csm_email, timeZone: csmTimeZone(row.csm_time_zone) },
    champion: { name: row.champion_name, email: row.champion_email },
  };
}

/** Every segment a customer is in, sorted: the choices of a report's segment filter. */
export async function customerSegments(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ segment: string }>(`SELECT DISTINCT segment FROM customers ORDER BY segment`);
  return rows.map((row) => row.segment);
}

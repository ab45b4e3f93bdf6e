import type { Db } from '../../db/database';
import type { ImpactFilter } from '../holdout';
import { CUSTOMER_FILTER, filterParams } from './reports-common';

export interface HoldoutRow {
  customerId: string;
  customerName: string;
  csm: string | null;
  featureId: string;
  featureName: string;
  stalledOn: string;
}

/** The customer-features held out of automatic outreach in the window, so their CSMs see them marked as holdout. */
export async function holdoutList(db: Db, filter: ImpactFilter): Promise<{ heldOut: HoldoutRow[] }> {
  const { rows } = await db.query<{
    customer_id: string;
    name: string;
    csm: string | null;
    feature_id: string;
    feature_name: string | null;
    stalled_on: string;
  }>(
    `SELECT h.customer_id, c.name, COALESCE(c.csm_name, c.csm_email) AS csm, h.feature_id, cat.feature_name, h.stalled_on::text AS stalled_on
       FROM holdout_assignments h JOIN customers c ON c.id = h.customer_id LEFT JOIN feature_catalog cat ON cat.feature_id = h.feature_id
      WHERE h.arm = 'holdout' AND h.stalled_on BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}
      ORDER BY h.stalled_on DESC, c.name, h.feature_id`,
    filterParams(filter),
  );
  return {
    heldOut: rows.map((row) => ({
      customerId: row.customer_id,
      customerName: row.name,
      csm: row.csm,
      featureId: row.feature_id,
      featureName: row.feature_name ?? row.feature_id,
      stalledOn: row.stalled_on,
    })),
  };
}

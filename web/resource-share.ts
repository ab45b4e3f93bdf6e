import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { shareResources as shareWithChampion, type ShareOutcome, type ShareRequest } from '../adoption/resource-share';
import { followUpInterventions } from './follow-ups';

/** What the web's three share doors (Slack, the adoption page, the JSON API) hand the domain, Temporal included. */
export interface ShareSettings {
  db: Db;
  now: () => Date;
  email: { smtpUrl?: string; from: string } | null;
  links: { secret: string; baseUrl: string } | null;
  temporalClient: () => Promise<Client>;
  taskQueue: string | null;
  onFollowUpError?: (error: unknown) => void;
}

export type { ShareOutcome } from '../adoption/resource-share';

/** Shares through the domain and starts the durable follow-up of the interventions a delivered share recorded. */
export async function shareResources(settings: ShareSettings, request: ShareRequest): Promise<ShareOutcome> {
  return shareWithChampion(
    {
      db: settings.db,
      now: settings.now,
      email: settings.email,
      links: settings.links,
      onInterventionsRecorded: async (interventionIds) => {
        await followUpInterventions(
          { db: settings.db, temporalClient: settings.temporalClient, taskQueue: settings.taskQueue, onError: settings.onFollowUpError },
          interventionIds,
        );
      },
    },
    request,
  );
}

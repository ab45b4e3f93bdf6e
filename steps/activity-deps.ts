import type { Client } from '@temporalio/client';
import type { ChannelDeps } from '../channels/deps';
import type { Db } from '../db/database';

export { currentTime } from '../channels/deps';

/** What the step activities need: the channels, plus Temporal (to start and signal runs) and the agents. */
export interface ActivityDeps extends ChannelDeps {
  /** Starts and signals workflows (detection starts enablement runs, recovery signals running ones). */
  temporal?: { client: Client; taskQueue: string };
  /** Without a URL, the built-in agents answer. */
  agents?: { url?: string };
  /**
   * `query_database` statements run here: a connection that logs in as adoption_definition_reader
   * (ADOPTION_QUERY_DATABASE_URL). Without it they run on `db` under SET LOCAL ROLE adoption_query_reader.
   */
  queryDatabase?: Db;
}

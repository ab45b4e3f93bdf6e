import type { Client } from '@temporalio/client';
import type { ChannelDeps } from '../channels/deps';

export { currentTime } from '../channels/deps';

/** What the step activities need: the channels, plus Temporal (to start and signal runs) and the agents. */
export interface ActivityDeps extends ChannelDeps {
  /** Starts and signals workflows (detection starts enablement runs, recovery signals running ones). */
  temporal?: { client: Client; taskQueue: string };
  /** Without a URL, the built-in agents answer. */
  agents?: { url?: string };
}

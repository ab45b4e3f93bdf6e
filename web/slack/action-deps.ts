import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import type { ShareSettings } from '../resource-share';
import type { BlockActionsPayload, SlackAction, SlackReply } from './payloads';

/** What the Slack button and modal handlers need from the API server. */
export interface SlackActionDeps {
  db: Db;
  now: () => Date;
  temporalClient: () => Promise<Client>;
  /** Slack user ids of customer-success leads, who may act on any run besides the customer's CSM. */
  leadUserIds?: readonly string[];
  /** Task queue of the follow-ups of interventions recorded here (default: the package's). */
  taskQueue?: string | null;
  /** How "Share Resources" emails the champion (mail settings, tracked links). */
  share: ShareSettings;
  /** The Slack Web API for `views.open` (the Edit modal); null: Edit answers that Slack is not configured. */
  slack: { token: string; apiUrl?: string } | null;
}

/** One click on one of our buttons, after the CSM-or-lead check: the run it names and who clicked. */
export interface ButtonClick {
  workflowId: string;
  action: SlackAction;
  payload: BlockActionsPayload;
  /** The clicker, as recorded (slackUserLabel). */
  by: string;
}

/** A button's handler: the reply to show, or null when the answer is a modal rather than a message. */
export type ButtonHandler = (deps: SlackActionDeps, click: ButtonClick) => Promise<SlackReply | null>;

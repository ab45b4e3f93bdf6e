import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApiServer } from '../../web/server';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/scoring';
import { connectDevServer } from '../support/temporal';
import { createEnablementHarness, type EnablementHarness } from '../support/enablement-harness';
import { FixtureFiles, activated, customer, usedOn, range, users } from '../support/detection-fixtures';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { seedStalledSignal } from '../support/seed';

/**
 * The CSM workspace in a real browser (Debian's chromium through playwright-core, no script on the pages), against a
 * real enablement run on the Temporal dev server and real Postgres, signed in with an API key (HTTP Basic): the CSM
 * finds the customer on the index, approves the draft (the run moves on), marks the feature not needed (the run stops,
 * and detection run again no longer flags it) and closes a task. Screenshots go to test/artifacts/ (git-ignored).
 */
// Yesterday: the fixtures' events of the as-of day (at noon) are in the past whatever the hour the test runs.
const AS_OF = addDays(new Date().toISOString().slice(0, 10), -1);
const KEY = 'csm-workspace-key-0123456789';

let env: TestWorkflowEnvironment;
let harness: EnablementHarness;
let app: FastifyInstance;
let base: string;
let browser: Browser | undefined;
const files = new FixtureFiles();
const acme = customer({ name: 'Acme Analytics', segment: 'enterprise', arr: 240_000 });
const quiet = customer({ name: 'Quiet Corp', segment: 'smb', csm: { name: 'Lee Park', email: 'lee@vendor.example', slackUserId: 'U0LEE' } });

beforeAll(async () => {
  env = await connectDevServer();
  harness = await createEnablementHarness(env);
  const db = harness.database.db;
  await files.catalog(db);
  await files.customers(db, [acme, quiet]);
  // Acme activated analytics 20 days ago and never used it (stalled); Quiet Corp uses it daily (not stalled).
  await files.usage(db, [
    activated(acme.id, 'analytics', AS_OF, 20),
    activated(quiet.id, 'analytics', AS_OF, 30),
    ...usedOn(quiet.id, 'analytics', AS_OF, range(0, 29), users(6)),
  ]);
  app = buildApiServer({
    db,
    temporal: { client: env.client, taskQueue: harness.taskQueue },
    apiKeys: `dana:read+write+workflows:${KEY}`,
    workspace: { temporalUiUrl: 'http://localhost:8233', namespace: 'default' },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await harness?.close();
  await env?.teardown();
  files.dispose();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `workspace-${name}.png`), fullPage: true });
}

it('a CSM finds the customer, approves the draft, marks the feature not needed and closes a task', async () => {
  const db = harness.database.db;
  const detected = await runDetection(db, { asOf: AS_OF });
  const signal = detected.signals.find((entry) => entry.customerId === acme.id)!;
  expect(signal.features.map((feature) => feature.featureId)).toEqual(['analytics']);
  const { workflowId } = await harness.start(signal.signalId);
  await harness.waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');

  const context = await browser!.newContext({ httpCredentials: { username: 'dana', password: KEY }, javaScriptEnabled: false });
  const page = await context.newPage();

  // The index: Acme is listed (Quiet Corp is not stalled), and the CSM filter keeps it.
  await page.goto(`${base}/workspace`);
  await page.selectOption('#filter-csm', 'dana@vendor.example');
  await page.getByRole('button', { name: 'Filter' }).click();
  expect(page.url()).toContain('csm=dana%40vendor.example');
  const rows = page.locator('table[aria-label="Customers with stalled features"] tbody tr');
  await shot(page, '1-index');
  await expect(rows.count()).resolves.toBe(1);
  expect(await rows.first().innerText()).toContain('Acme Analytics');
  // Filtering by a segment Acme is not in leaves nothing.
  await page.goto(`${base}/workspace?segment=smb`);
  expect(await page.locator('#customers-title').innerText()).toContain('(0)');

  // The customer's page: the stalled feature, the draft, the run's tasks and its link to the Temporal Web UI.
  await page.goto(`${base}/workspace`);
  await page.getByRole('link', { name: 'Acme Analytics' }).first().click();
  expect(page.url()).toBe(`${base}/workspace/customers/${acme.id}`);
  const runLink = page.getByRole('link', { name: workflowId });
  expect(await runLink.getAttribute('href')).toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await shot(page, '2-customer');

  // Approve the draft: the run leaves await_approval and sends the email.
  const draft = page.locator('form[data-draft-id]');
  await expect(draft.count()).resolves.toBe(1);
  await draft.getByRole('button', { name: 'Approve & send' }).click();
  expect(await page.locator('.flash').innerText()).toContain('Approved');
  // The decided draft is not offered again while the run is still recording the decision.
  await expect(page.locator('form[data-draft-id]').count()).resolves.toBe(0);
  const moved = await harness.waitForState(workflowId, (state) => state.step.id === 'wait_for_adoption');
  expect(moved.status).toBe('waiting');
  const sent = await db.query(`SELECT status, decided_by FROM email_drafts WHERE workflow_id = $1`, [workflowId]);
  expect(sent.rows[0]).toMatchObject({ decided_by: 'dana' });
  await shot(page, '3-approved');

  // Close a task the run created.
  const openBefore = await db.query<{ id: string }>(
    `SELECT id FROM tasks WHERE workflow_id = $1 AND status = 'open' ORDER BY due_at, created_at, id`,
    [workflowId],
  );
  expect(openBefore.rows.length).toBeGreaterThan(0);
  await page
    .locator(`tr[data-task-id="${openBefore.rows[0].id}"]`)
    .getByRole('button', { name: /^Mark done/ })
    .click();
  expect(await page.locator('.flash').innerText()).toContain('Task marked done');
  const closed = await db.query(`SELECT status, closed_by FROM tasks WHERE id = $1`, [openBefore.rows[0].id]);
  expect(closed.rows).toEqual([{ status: 'done', closed_by: 'API key dana' }]);
  await expect(page.locator(`tr[data-task-id="${openBefore.rows[0].id}"]`).count()).resolves.toBe(0);

  // Mark the feature not needed: the run (waiting for adoption) is told and completes as not needed.
  const feature = page.locator('form[data-feature-id="analytics"]');
  await feature.getByLabel('Why is it not needed?').fill('Acme reports from its own BI tool');
  await feature.getByRole('button', { name: 'Mark not needed' }).click();
  expect(await page.locator('.flash').innerText()).toContain('Marked not needed');
  expect(await page.locator('#stalled-title').innerText()).toContain('(0)');
  await shot(page, '4-not-needed');
  const result = await harness.result(workflowId);
  expect(result).toMatchObject({ status: 'completed', outcome: 'not_needed' });
  const audit = await db.query(`SELECT reason, marked_by, source, runs_told FROM not_needed_marks WHERE customer_id = $1`, [acme.id]);
  expect(audit.rows).toEqual([{ reason: 'Acme reports from its own BI tool', marked_by: 'API key dana', source: 'page', runs_told: [workflowId] }]);

  // Detection run again: the feature is no longer flagged.
  const again = await runDetection(db, { asOf: addDays(AS_OF, 1) });
  expect(again.signals.filter((entry) => entry.customerId === acme.id)).toEqual([]);
  expect(again.suppressed).toContainEqual({ customerId: acme.id, featureId: 'analytics', reason: 'not_needed' });

  // The index no longer lists Acme; the adoption page shows the mark and the way back.
  await page.goto(`${base}/workspace`);
  expect(await page.locator('#customers-title').innerText()).toContain('(0)');
  await page.goto(`${base}/customers/${acme.id}/adoption`);
  expect(await page.locator('article[data-feature-id="analytics"]').innerText()).toContain('Not needed');
  await expect(page.getByRole('button', { name: 'Needed again' }).count()).resolves.toBe(1);
  await shot(page, '5-adoption-page');
  await context.close();
});

it('a CSM sends one draft with her edits and rejects another with a reason: the SMTP server gets exactly the edited email', async () => {
  const db = harness.database.db;
  const edited = await seedStalledSignal(db, ['advanced_analytics']);
  const rejected = await seedStalledSignal(db, ['custom_reports']);
  const editRun = await harness.start(edited.signalId);
  const rejectRun = await harness.start(rejected.signalId);
  for (const run of [editRun, rejectRun]) {
    await harness.waitForState(run.workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
  }
  const mailsBefore = harness.smtp.messages.length;
  const context = await browser!.newContext({ httpCredentials: { username: 'dana', password: KEY }, javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto(`${base}/workspace/customers/${edited.customerId}`);
  const editForm = page.locator('form[data-draft-id]');
  await editForm.getByLabel('Subject').fill('A 20-minute walkthrough of your analytics dashboard');
  await editForm.getByLabel('Body').fill('Hi Priya,\n\nShall we spend 20 minutes on the dashboard next week?\n\nDana');
  await editForm.getByRole('button', { name: 'Send with my edits' }).click();
  expect(await page.locator('.flash').innerText()).toMatch(/sent with your edits|Edited/i);
  await expect(page.locator('form[data-draft-id]').count()).resolves.toBe(0);
  await shot(page, '6-edited');

  await page.goto(`${base}/workspace/customers/${rejected.customerId}`);
  const rejectForm = page.locator('form[data-draft-id]');
  await rejectForm.getByLabel('Reason (when rejecting)').fill('I will call them instead');
  await rejectForm.getByRole('button', { name: 'Reject' }).click();
  expect(await page.locator('.flash').innerText()).toMatch(/Rejected/i);

  // Both runs move past approval; counted at the SMTP server: one email, the edited one, and none for the rejected run.
  for (const run of [editRun, rejectRun]) await harness.waitForState(run.workflowId, (state) => state.step.id === 'wait_for_adoption');
  const mails = harness.smtp.messages.slice(mailsBefore);
  expect(mails.map((mail) => mail.subject)).toEqual(['A 20-minute walkthrough of your analytics dashboard']);
  expect(mails[0].text).toContain('Shall we spend 20 minutes on the dashboard next week?');
  const drafts = await db.query<{ workflow_id: string; status: string; decision_reason: string | null }>(
    `SELECT workflow_id, status, decision_reason FROM email_drafts WHERE workflow_id = ANY($1::text[]) ORDER BY status`,
    [[editRun.workflowId, rejectRun.workflowId]],
  );
  expect(drafts.rows).toEqual([
    { workflow_id: rejectRun.workflowId, status: 'rejected', decision_reason: 'I will call them instead' },
    { workflow_id: editRun.workflowId, status: 'sent', decision_reason: null },
  ]);
  for (const run of [editRun, rejectRun]) await harness.handle(run.workflowId).terminate('test done');
  await context.close();
});

/**
 * `adoption-enablement/testing`: what a platform needs to test its wiring of the plugin: our committed replay
 * histories with `replayAll(replayWorkerOptions)`, and fixtures to start a run on a dev server or a time-skipping
 * environment (`@temporalio/testing`).
 */
export { historiesDir, listHistories, loadHistory, replayAll, ReplayFailedError } from './histories';
export { seedStalledSignal, FIXTURE_FEATURES, type StalledSignalFixture, type StalledSignalOptions } from './fixtures';
export { SEARCH_ATTRIBUTES, prepareTestEnvironment, waitForState } from './environment';
export { migrate } from '../db/migrate';
export { openDatabase } from '../db/open';

import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';

/**
 * Test output should show failures, not worker life-cycle chatter: SDK logs at WARN and core logs at ERROR.
 * The runtime is process-wide and can be installed once; later test files find it installed already.
 */
try {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), console: {} } },
  });
} catch {
  // already installed by an earlier test file in this process
}

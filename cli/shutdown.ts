/**
 * Ctrl-C and SIGTERM for the long-running commands (`start`, `worker`, `listen`, `api`): the first signal resolves
 * the promise so the command drains (API closed, listener stopped, worker finishing its tasks) and exits 0; a second
 * signal while draining exits at once with 130. The Temporal worker's runtime also starts the worker's shutdown on
 * the first signal, so a command must not call `worker.shutdown()` again when the worker is no longer RUNNING.
 */
export function untilShutdownSignal(log: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let requested = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (requested) {
        log(`${signal} again: exiting now, without draining`);
        process.exit(130);
      }
      requested = true;
      log(`${signal}: draining (press Ctrl-C again to exit at once)`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

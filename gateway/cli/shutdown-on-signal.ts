/**
 * Ctrl-C / SIGTERM → run `stop` once (drain, close), then exit 0; a second signal or a
 * stop that hangs past `forceAfterMs` exits 1 so an orchestrator is never left waiting.
 */
export function shutdownOnSignal(stop: () => Promise<void>, forceAfterMs: number, log: (msg: string) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: draining in-flight requests, then exiting`);
    const force = setTimeout(() => {
      log('shutdown took too long: exiting');
      process.exit(1);
    }, forceAfterMs);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

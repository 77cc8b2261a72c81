/**
 * SIGINT/SIGTERM ask the run to stop after the page being written: the runner checks the signal
 * between pages, so the last transaction commits and state is saved. A second signal exits at
 * once (SQLite's transaction still keeps the file consistent).
 */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name} received: finishing the current page, then stopping (send again to quit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Calls `onStop` at the first SIGTERM or SIGINT; a second one kills the
 * process the default way. The listeners stay until `dispose()`, after the
 * shutdown: execa's signal-exit watches the same signals while a subprocess
 * runs (docker compose during a rollout) and re-raises a signal when it finds
 * itself the only listener. With `process.once` ours was already gone then, so
 * a SIGTERM mid-rollout killed serve with 143 instead of shutting it down.
 */
export function onStopSignals(onStop: () => void): { dispose(): void } {
  let stopping = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      stopping = true;
      onStop();
      return;
    }
    dispose();
    process.kill(process.pid, signal);
  };
  const dispose = (): void => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
  for (const signal of SIGNALS) process.on(signal, listener);
  return { dispose };
}

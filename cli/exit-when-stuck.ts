/** How long a stopped command waits for the event loop to empty before exiting anyway. */
const EXIT_AFTER_MS = 500;

/**
 * After `serve` or `worker` stopped: a step that ignored the abort may still
 * hold the event loop (a sleep, a socket). Its run is already recorded
 * interrupted and retried (Runner.stop), so exit rather than wait for it;
 * the timer is unref'd, so a clean stop exits at once as before.
 */
export function exitWhenStuck(): void {
  setTimeout(() => process.exit(), EXIT_AFTER_MS).unref();
}

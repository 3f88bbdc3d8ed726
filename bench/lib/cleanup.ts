/** Clean-up steps of a bench or load-test run: the databases, servers and children go away however it ends. */
export const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

/** Runs every registered step once, newest first; a failing step does not stop the others. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error('clean-up step failed:', (error as Error).message);
      }
    }
  })();
  return cleaning;
}

/** A hard stop after `seconds`, so a stuck run never lingers: it cleans up and exits 1. */
export function watchdog(seconds: number): NodeJS.Timeout {
  return setTimeout(() => {
    console.error(`\nthe run took longer than ${seconds} s; giving up`);
    void cleanUp().then(() => process.exit(1));
  }, seconds * 1000);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().then(() => process.exit(130));
  });
}

/** A bench's whole run: a watchdog, a failure reported (exit code 1), and the clean-up however it ends. */
export async function runBench(main: () => Promise<void>, maxSeconds: number): Promise<void> {
  const stop = watchdog(maxSeconds);
  try {
    await main();
  } catch (error) {
    console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    await cleanUp();
    clearTimeout(stop);
  }
}

/** Clean-up steps of a bench run: the databases, servers and children go away however it ends. */
export const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

/** Runs every registered step once, newest first; a failing step does not stop the others. */
function cleanUp(): Promise<void> {
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

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().then(() => process.exit(130));
  });
}

/**
 * A bench's whole run: a failure reported (exit code 1), the clean-up however it ends, and a hard stop
 * after `maxSeconds` (clean-up, exit code 1), so a stuck run never lingers.
 */
export async function runBench(main: () => Promise<void>, maxSeconds: number): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`\nthe run took longer than ${maxSeconds} s; giving up`);
    void cleanUp().then(() => process.exit(1));
  }, maxSeconds * 1000);
  try {
    await main();
  } catch (error) {
    console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    await cleanUp();
    clearTimeout(watchdog);
  }
}

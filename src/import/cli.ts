import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { DatabaseLockedError, openDatabase } from '../database/client.js';
import { ImportRefusedError, runImport } from './importer.js';
import { createProgress } from './progress.js';
import { openSource } from './source.js';
import { formatVerification } from './verify.js';

// `npm run import:monta -- --from mysql://user:pass@host:3306/db [--dry-run] [--source-timezone UTC]`
// into DATABASE_URL or the embedded database. Exit 0: everything adds up; 1: the verification
// failed or the import stopped; 2: bad arguments or a target it refuses.
const USAGE =
  'usage: npm run import:monta -- --from mysql://user:pass@host:3306/db [--dry-run] [--source-timezone UTC] [--batch-size 1000]';

function args() {
  try {
    const { values } = parseArgs({
      options: {
        from: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'source-timezone': { type: 'string', default: 'UTC' },
        'batch-size': { type: 'string', default: '1000' },
      },
    });
    const batchSize = Number(values['batch-size']);
    if (!values.from || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new Error(USAGE);
    return { from: values.from, dryRun: values['dry-run'], zone: values['source-timezone'], batchSize };
  } catch (error) {
    console.error((error as Error).message === USAGE ? USAGE : `${(error as Error).message}\n${USAGE}`);
    return process.exit(2);
  }
}

const options = args();
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
const source = await openSource(options.from).catch((error: Error) => {
  // The URL carries a password: only the driver's message is shown.
  console.error(`cannot open the source: ${error.message}`);
  return process.exit(1);
});
// One connection: the batches' transactions are statements on it.
const target = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 1 }).catch(
  (error: Error) => {
    console.error(error instanceof DatabaseLockedError ? error.message : `cannot open the target: ${error.message}`);
    return process.exit(1);
  },
);
try {
  const verification = await runImport(source, target, { ...options, progress: createProgress() });
  console.log(formatVerification(verification));
  if (options.dryRun) console.log('dry run: nothing was committed');
  process.exitCode = verification.ok ? 0 : 1;
} catch (error) {
  console.error(`import stopped: ${(error as Error).message}`);
  process.exitCode = error instanceof ImportRefusedError ? 2 : 1;
} finally {
  await Promise.allSettled([source.close(), target.close()]);
}

/**
 * Creates N real test members through the public API and writes their access tokens to a CSV
 * file, for the live-groups load tests (Artillery's `loadtest/groups.yml` and
 * `loadtest/join-latency.ts`).
 *
 *   npm run loadtest:tokens -- --count 1000 [--url http://127.0.0.1:4000] [--out loadtest/tokens.csv]
 *                              [--concurrency 8] [--api-prefix timer-api]
 *
 * Each member is `POST /timer-api/auth/email/register` (a new e-mail account, loadtest.<run>.<i>@example.com,
 * one random password per run that is never written out) followed by `GET /timer-api/members/me`
 * (which creates the member). The file has the header `token,member_id` and one member per line.
 * It holds live credentials: it is created with mode 0600 and `.gitignore` keeps `loadtest/tokens*.csv`
 * out of git.
 *
 * Only loopback URLs are accepted. Run the target service with settings fit for a load run, all
 * ordinary environment variables:
 *   RATE_LIMIT_REGISTER_PER_IP=100000   registrations per window and IP (default 10 per 60 s: creating
 *                                       1,000 members would otherwise take 100 minutes; a 429 makes this
 *                                       script wait for the service's Retry-After and go on);
 *   AUTH_JWT_TOKEN_EXPIRES_IN=4h        the access tokens written here expire after this (default 15m),
 *                                       so a run must start within it;
 *   a real PostgreSQL (DATABASE_URL): each registration hashes a password with Argon2id, so expect
 *   about 50–100 members per second on two cores.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createMembers, writeMembersCsv } from './lib/members.js';
import { intOption, loopbackUrl } from './lib/options.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    url: { type: 'string', default: 'http://127.0.0.1:4000' },
    out: { type: 'string', default: 'loadtest/tokens.csv' },
    concurrency: { type: 'string', default: '8' },
    'api-prefix': { type: 'string', default: 'timer-api' },
  },
  strict: true,
});

async function main(): Promise<void> {
  if (values.count === undefined) throw new Error('--count N is required');
  const count = intOption(values.count, '--count', 0, 1, 100_000);
  const concurrency = intOption(values.concurrency, '--concurrency', 8, 1, 256);
  const url = loopbackUrl(values.url, '--url');
  const out = resolve(values.out);
  const started = performance.now();
  let lastReport = 0;
  const members = await createMembers({
    url,
    count,
    concurrency,
    apiPrefix: values['api-prefix'],
    onProgress: (done, total) => {
      const now = performance.now();
      if (done === total || now - lastReport > 2000) {
        lastReport = now;
        console.log(`  ${done}/${total} members (${((done * 1000) / (now - started)).toFixed(0)}/s)`);
      }
    },
    onThrottle: (seconds) =>
      console.log(`  429 from the service: waiting ${seconds} s (raise RATE_LIMIT_REGISTER_PER_IP on it to go faster)`),
  });
  writeMembersCsv(out, members);
  console.log(`wrote ${members.length} tokens to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  console.error('loadtest:tokens failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

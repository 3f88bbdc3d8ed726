/**
 * Join → broadcast latency of the live study groups (issue 4), with socket.io-client.
 *
 *   npx tsx loadtest/join-latency.ts --urls http://127.0.0.1:4000[,http://127.0.0.1:4001]
 *       [--tokens loadtest/tokens.csv] [--sockets 1000] [--rate 100] [--hold 20] [--leave-rate 500]
 *       [--pids <pid>[,<pid>]] [--settle 10] [--max-seconds <s>]
 *
 * Opens --sockets sockets, each as a distinct member from the tokens file (`npm run loadtest:tokens`),
 * spread over the URLs in turn; starts --rate joins per second (connect with `auth: { token }`, then
 * `joinGroup {jwtToken}`, as the PWA does), and for each join measures the time until the joiner's
 * `newMember` has been received by every member of its room (the members its `groupInfo` lists whose
 * own join had completed, and the joiner). Then it holds every socket for --hold seconds and
 * disconnects them at --leave-rate per second. It prints p50/p95/p99 of that latency, of
 * join → `groupInfo` and of the connect, peak connected sockets, and, for each server pid given with
 * --pids (same order as --urls), its CPU per phase, RSS before/held/peak and RSS per held socket.
 *
 * Loopback URLs only; it stops by itself (after --max-seconds at the latest, closing every socket).
 * 5,000 sockets need about 5,000 open files here and as many in the server: check `ulimit -n`.
 * The load generator shares the machine with the servers; its own CPU and event-loop delay are
 * printed so its share of the latency can be judged. `loadtest/run.ts` does all of it end to end.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeResult, measureJoinLatency } from './lib/join-latency.js';
import { readMembersCsv } from './lib/members.js';
import { intList, intOption, loopbackUrl, requireOpenFiles } from './lib/options.js';

const { values } = parseArgs({
  options: {
    urls: { type: 'string', default: 'http://127.0.0.1:4000' },
    tokens: { type: 'string', default: 'loadtest/tokens.csv' },
    sockets: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    hold: { type: 'string', default: '20' },
    'leave-rate': { type: 'string', default: '500' },
    pids: { type: 'string' },
    settle: { type: 'string', default: '10' },
    'max-seconds': { type: 'string' },
  },
  strict: true,
});

async function main(): Promise<void> {
  const urls = values.urls.split(',').map((u) => loopbackUrl(u.trim(), '--urls'));
  const sockets = intOption(values.sockets, '--sockets', 1000, 1, 50_000);
  const rate = intOption(values.rate, '--rate', 100, 1, 10_000);
  const holdSeconds = intOption(values.hold, '--hold', 20, 0, 3600);
  const leaveRate = intOption(values['leave-rate'], '--leave-rate', 500, 1, 100_000);
  const settleSeconds = intOption(values.settle, '--settle', 10, 1, 600);
  const pids = intList(values.pids, '--pids', [], 1, 2 ** 22);
  const expected = sockets / rate + holdSeconds + sockets / leaveRate + 2 * settleSeconds + 30;
  const maxSeconds = intOption(values['max-seconds'], '--max-seconds', Math.ceil(expected * 2), 10, 24 * 3600);
  requireOpenFiles(sockets + 100);
  const members = readMembersCsv(resolve(values.tokens));
  const result = await measureJoinLatency({
    urls,
    members,
    sockets,
    rate,
    holdSeconds,
    leaveRate,
    pids,
    settleSeconds,
    maxSeconds,
    log: (line) => console.log(line),
  });
  console.log(describeResult(result));
  if (result.aborted || result.failed > 0 || result.undelivered > 0) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error('join-latency failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from './proc.js';
import { fixed, mib, type Percentiles, summarize } from './report.js';
import { sampleBackends, sampleProcess } from './sample.js';
import { requireLoopback } from './settings.js';

/** One fixed-concurrency, fixed-duration autocannon run against one endpoint. */
export interface LoadSpec {
  /** Base URL, e.g. http://127.0.0.1:4000 (loopback only). */
  baseUrl: string;
  method?: 'GET' | 'POST'; // GET by default
  path: string;
  /** Sent as `authorization: Bearer <token>` on every request. */
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status a successful answer has (200 by default); anything else counts as an error. */
  expectStatus?: number;
  concurrency: number;
  seconds: number;
  /** The token of connection (virtual user) `user`, 0 … concurrency-1, when each has its own. */
  tokenOf?: (user: number) => string;
  /** Every answer's status and its connection. */
  onAnswer?: (user: number, status: number) => void;
}

/** Answers with the expected status (`requests`) and their latencies. */
export interface LoadResult extends Omit<Percentiles, 'count'> {
  requests: number;
  /** Other statuses and transport errors, and a few of their descriptions. */
  errors: number;
  errorSamples: string[];
  /** Length of the run in seconds (as measured, not as asked). */
  seconds: number;
  requestsPerSecond: number;
}

/** The slice of autocannon's API used here (the package ships no types). */
interface Client {
  setHeaders(headers: Record<string, string>): void;
}
type Autocannon = (options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  setupClient: (client: Client) => void;
}) => PromiseLike<unknown> & {
  on(event: 'response', listener: (client: Client, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
};
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * Closed-loop load with autocannon in this process: `concurrency` keep-alive connections, each sending
 * its next request when the answer came. Latencies are kept exact and summarized here: autocannon's
 * own histogram records whole milliseconds, and most answers here take less than one.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  requireLoopback(spec.baseUrl, 'the load target');
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.token) headers.authorization = `Bearer ${spec.token}`;
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  const failed = (why: string) => {
    errors += 1;
    if (errorSamples.size < 5) errorSamples.add(why);
  };
  const users = new Map<Client, number>();
  const instance = autocannon({
    url: spec.baseUrl + spec.path,
    method: spec.method ?? 'GET',
    headers,
    body: spec.body,
    connections: spec.concurrency,
    duration: spec.seconds,
    setupClient: (client) => {
      users.set(client, users.size);
      if (spec.tokenOf) client.setHeaders({ ...headers, authorization: `Bearer ${spec.tokenOf(users.size - 1)}` });
    },
  });
  instance.on('response', (client, status, _bytes, ms) => {
    spec.onAnswer?.(users.get(client)!, status);
    if (status === (spec.expectStatus ?? 200)) latencies.push(ms);
    else failed(`HTTP ${status}`);
  });
  instance.on('reqError', (error) => failed(error.message));
  const started = performance.now();
  await instance;
  const seconds = (performance.now() - started) / 1000;
  const { count, ...percentiles } = summarize(latencies);
  return {
    requests: count,
    ...percentiles,
    errors,
    errorSamples: [...errorSamples],
    seconds,
    requestsPerSecond: count / seconds,
  };
}

type Call = (method: 'GET' | 'POST', path: string, options?: { token?: string; body?: string }) => Promise<Answer>;
type Answer = { status: number; text: string };
export type HttpClient = ReturnType<typeof httpClient>;

/** Set-up and check requests (fetch, loopback only): each answer's status and whole text, or its envelope's `data`. */
export function httpClient(baseUrl: string) {
  requireLoopback(baseUrl, 'the HTTP client URL');
  const call: Call = async (method, path, { token, body } = {}) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const answer = await fetch(new URL(path, baseUrl), { method, headers, body });
    return { status: answer.status, text: await answer.text() };
  };
  const data = async <T>(...request: Parameters<Call>): Promise<T> => {
    const reply = await call(...request);
    const value = (JSON.parse(reply.text) as { data?: T }).data;
    if (reply.status >= 300 || value === undefined)
      throw new Error(`${request[0]} ${request[1]}: ${reply.status} ${reply.text.slice(0, 300)}`);
    return value;
  };
  return { call, data };
}

/** A load run with the server's CPU time and peak RSS (and its database's backends' CPU) over its window. */
export interface Measured extends LoadResult {
  peakRss?: number;
  serverCpuMs?: number;
  pgCpuMs?: number;
  machineBusy?: number;
}

export type MeasureSpec = Omit<LoadSpec, 'baseUrl'> & { warmupSeconds: number };

/**
 * A warm-up run (discarded), then the measured run against `server`, sampling it (and, given a database,
 * its PostgreSQL backends but `exclude`); prints a line, then lets the server settle (GC, sockets) for a second.
 */
export async function measure(
  label: string,
  server: ServerProcess,
  spec: MeasureSpec,
  database?: { name: string; exclude?: ReadonlySet<number> },
): Promise<Measured> {
  process.stdout.write(`  ${label.padEnd(30)} ${server.name.padEnd(6)} c=${spec.concurrency} … `);
  const load = { ...spec, baseUrl: server.url };
  if (spec.warmupSeconds > 0) await runLoad({ ...load, seconds: spec.warmupSeconds });
  const [stopServer, stopBackends] = [sampleProcess(server.child.pid ?? 0), database && sampleBackends(database)];
  const result = await runLoad(load);
  const [{ peakRss, cpuMs: serverCpuMs, machineBusy }, pgCpuMs] = [stopServer(), stopBackends?.()];
  console.log(`${result.requestsPerSecond.toFixed(0)} req/s, p99 ${fixed(result.p99, 1)} ms, errors ${result.errors}`);
  if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
  await sleep(1000);
  return { ...result, peakRss, serverCpuMs, pgCpuMs, machineBusy };
}

/** The columns of a measured run for printTable, each with its figure; CPU per answer with the expected status. */
const perRequest = (m: Measured, ms: number | undefined) =>
  ms === undefined ? undefined : ms / Math.max(1, m.requests);
const COLUMNS: [string, (m: Measured) => string][] = [
  ['req/s', (m) => fixed(m.requestsPerSecond, 0)],
  ['p50 ms', (m) => fixed(m.p50, 2)],
  ['p95 ms', (m) => fixed(m.p95, 2)],
  ['p99 ms', (m) => fixed(m.p99, 2)],
  ['max ms', (m) => fixed(m.max, 1)],
  ['errors', (m) => String(m.errors)],
  ['peak RSS MiB', (m) => fixed(mib(m.peakRss), 0)],
  ['server CPU ms/req', (m) => fixed(perRequest(m, m.serverCpuMs), 3)],
  ['PG CPU ms/req', (m) => fixed(perRequest(m, m.pgCpuMs), 3)],
  ['machine busy %', (m) => fixed(m.machineBusy === undefined ? undefined : 100 * m.machineBusy, 0)],
];
export const FIGURES = COLUMNS.map(([name]) => name);
export const figures = (m: Measured): string[] => COLUMNS.map(([, figure]) => figure(m));

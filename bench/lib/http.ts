import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from './proc.js';
import { fixed, mib, summarize } from './report.js';
import { BackendSampler, ProcessSampler } from './sample.js';
import { requireLoopback } from './settings.js';

/** One fixed-concurrency, fixed-duration autocannon run against one endpoint. */
export interface LoadSpec {
  /** Base URL, e.g. http://127.0.0.1:4000 (loopback only). */
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status a successful answer has; anything else counts as an error. */
  expectStatus: number;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * Extra headers of virtual user `user` (0 … concurrency-1), e.g. its own member's token: each user
   * is then an autocannon instance of one connection. Without it, one instance of `concurrency`.
   */
  headersOf?: (user: number) => Record<string, string>;
  /** Every answer's status, warm-up included (user 0 without `headersOf`). */
  onAnswer?: (user: number, status: number) => void;
  /** Called when the measured window opens and closes (for CPU and memory sampling). */
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface LoadResult {
  /** Answers with the expected status inside the measured window, and their latencies. */
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Other statuses and transport errors inside the measured window. */
  errors: number;
  /** Length of the measured window in seconds (as measured, not as asked). */
  seconds: number;
  requestsPerSecond: number;
  /** CPU time of this (load-generating) process during the window, in ms. */
  generatorCpuMs: number;
  /** A few distinct error descriptions, for the report. */
  errorSamples: string[];
}

/** The slice of autocannon's API used here (the package ships no types). */
interface Instance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
}
type Autocannon = (
  options: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
    connections: number;
    duration: number;
  },
  done: (error: Error | null) => void,
) => Instance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * Closed-loop load with autocannon in this process: keep-alive connections, each sending its next
 * request when the answer came. The warm-up is a run of its own whose answers are only told to
 * `onAnswer`; nearest-rank percentiles of the measured answers with the expected status.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  requireLoopback(spec.baseUrl, 'the load target');
  const base = { ...spec.headers, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) };
  const users = spec.headersOf ? Array.from({ length: spec.concurrency }, (_, user) => user) : [0];
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let measuring = false;
  const failed = (why: string) => {
    if (!measuring) return;
    errors += 1;
    if (errorSamples.size < 5) errorSamples.add(why);
  };
  const run = (seconds: number) =>
    Promise.all(
      users.map(
        (user) =>
          new Promise<void>((resolve, reject) => {
            const instance = autocannon(
              {
                url: spec.baseUrl + spec.path,
                method: spec.method,
                headers: { ...base, ...spec.headersOf?.(user) },
                body: spec.body,
                connections: spec.headersOf ? 1 : spec.concurrency,
                duration: seconds,
              },
              (error) => (error ? reject(error) : resolve()),
            );
            instance.on('response', (_client, status, _bytes, ms) => {
              spec.onAnswer?.(user, status);
              if (status !== spec.expectStatus) failed(`HTTP ${status}`);
              else if (measuring) latencies.push(ms);
            });
            instance.on('reqError', (error) => failed(error.message));
          }),
      ),
    );
  if (spec.warmupSeconds > 0) await run(spec.warmupSeconds);
  measuring = true;
  spec.onMeasureStart?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run(spec.seconds);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  measuring = false;
  spec.onMeasureEnd?.();
  const { count, p50, p95, p99, max } = summarize(latencies);
  return {
    requests: count,
    p50,
    p95,
    p99,
    max,
    errors,
    seconds,
    requestsPerSecond: count / seconds,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    errorSamples: [...errorSamples],
  };
}

/** A small keep-alive client for set-up and checks. */
export class HttpClient {
  private readonly url: URL;
  private readonly agent: Agent;

  constructor(baseUrl: string, maxSockets: number) {
    this.url = new URL(requireLoopback(baseUrl, 'the HTTP client URL'));
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Sends one request and reads the whole answer (bodies here are small). */
  call(method: 'GET' | 'POST', path: string, options: { token?: string; body?: string } = {}) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const headers: Record<string, string | number> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
      const { hostname, port } = this.url;
      const req = request({ agent: this.agent, hostname, port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** `data` of the success envelope, or an error naming what failed. */
  async data<T>(method: 'GET' | 'POST', path: string, options: { token?: string; body?: string } = {}): Promise<T> {
    const reply = await this.call(method, path, options);
    const data = (JSON.parse(reply.text) as { data?: T }).data;
    if (reply.status >= 300 || data === undefined)
      throw new Error(`${method} ${path}: ${reply.status} ${reply.text.slice(0, 300)}`);
    return data;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A load run with the server's CPU time and peak RSS (and its database's backends' CPU) over the window. */
export interface Measured extends LoadResult {
  peakRss?: number;
  serverCpuMs?: number;
  pgCpuMs?: number;
  machineBusy?: number;
}

/**
 * runLoad against `server`, sampling it (and, given a database, its PostgreSQL backends but `exclude`)
 * in the measured window; prints a line, then lets the server settle (GC, sockets) for a second.
 */
export async function measure(
  label: string,
  server: ServerProcess,
  spec: Omit<LoadSpec, 'baseUrl'>,
  database?: { name: string; exclude?: ReadonlySet<number> },
): Promise<Measured> {
  const sampler = new ProcessSampler(server.child.pid ?? 0);
  const backends = database && new BackendSampler(database.name, database.exclude);
  process.stdout.write(`  ${label.padEnd(30)} ${server.name.padEnd(6)} c=${spec.concurrency} … `);
  const result = await runLoad({
    ...spec,
    baseUrl: server.url,
    onMeasureStart: () => [sampler, backends].forEach((s) => s?.start()),
    onMeasureEnd: () => [sampler, backends].forEach((s) => s?.stop()),
  });
  console.log(`${result.requestsPerSecond.toFixed(0)} req/s, p99 ${fixed(result.p99, 1)} ms, errors ${result.errors}`);
  if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
  await sleep(1000);
  const { peakRss, cpuMs: serverCpuMs, machineBusy } = sampler;
  return { ...result, peakRss, serverCpuMs, pgCpuMs: backends?.cpuMs, machineBusy };
}

/** The columns of a measured run, for printTable; CPU per answer with the expected status. */
export const FIGURES = [
  'req/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'max ms',
  'errors',
  'peak RSS MiB',
  'server CPU ms/req',
  'PG CPU ms/req',
  'machine busy %',
];
export function figures(m: Measured): string[] {
  const perRequest = (ms: number | undefined) => (ms === undefined ? undefined : ms / Math.max(1, m.requests));
  return [
    fixed(m.requestsPerSecond, 0),
    ...[m.p50, m.p95, m.p99].map((ms) => fixed(ms, 2)),
    fixed(m.max, 1),
    String(m.errors),
    fixed(mib(m.peakRss), 0),
    fixed(perRequest(m.serverCpuMs), 3),
    fixed(perRequest(m.pgCpuMs), 3),
    fixed(m.machineBusy === undefined ? undefined : 100 * m.machineBusy, 0),
  ];
}

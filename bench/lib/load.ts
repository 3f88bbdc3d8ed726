import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One fixed-concurrency, fixed-duration run against one endpoint. */
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
  /** Called when the measured window opens and closes (for CPU and memory sampling). */
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface LoadResult {
  /** Answers with the expected status that completed inside the measured window. */
  requests: number;
  /** Other statuses and transport errors inside the measured window. */
  errors: number;
  /** Length of the measured window in seconds (as measured, not as asked). */
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** CPU time of this (load-generating) process during the window, in ms. */
  generatorCpuMs: number;
  /** A few distinct error descriptions, for the report. */
  errorSamples: string[];
}

interface Answer {
  status: number;
}

function send(agent: Agent, url: URL, spec: LoadSpec, body: Buffer | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...spec.headers };
    if (body) headers['content-length'] = body.length;
    const req = request(
      { agent, hostname: url.hostname, port: url.port, method: spec.method, path: spec.path, headers },
      (res) => {
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.resume(); // the body is read and dropped; correctness is checked before the run
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request when the previous answer
 * has been read, over keep-alive connections. The first `warmupSeconds` are discarded; a request
 * counts when it completes inside the measured window, with its full latency.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`not a loopback URL: ${url}`);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;

  const started = performance.now();
  const measureFrom = started + spec.warmupSeconds * 1000;
  const stopAt = measureFrom + spec.seconds * 1000;
  let measuring = false;
  let cpuAtStart = process.cpuUsage();
  const openWindow = () => {
    if (measuring) return;
    measuring = true;
    cpuAtStart = process.cpuUsage();
    spec.onMeasureStart?.();
  };
  const timer = setTimeout(openWindow, Math.max(0, measureFrom - performance.now()));

  const worker = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      let failure: string | undefined;
      try {
        const answer = await send(agent, url, spec, body);
        if (answer.status !== spec.expectStatus) failure = `HTTP ${answer.status}`;
      } catch (error) {
        failure = (error as Error).message;
      }
      const t1 = performance.now();
      if (t1 < measureFrom || t1 > stopAt) continue;
      if (failure === undefined) {
        latencies.push(t1 - t0);
      } else {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  clearTimeout(timer);
  openWindow(); // a zero-length warm-up leaves the timer no turn before the workers start
  const cpu = process.cpuUsage(cpuAtStart);
  spec.onMeasureEnd?.();
  agent.destroy();

  const seconds = (Math.min(performance.now(), stopAt) - measureFrom) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    errors,
    seconds,
    requestsPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    errorSamples: [...errorSamples],
  };
}

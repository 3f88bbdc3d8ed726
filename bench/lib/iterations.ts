import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './load.js';

/** A small keep-alive HTTP client for scenarios that need more than one request per iteration. */
export class HttpClient {
  private readonly url: URL;
  private readonly agent: Agent;

  constructor(baseUrl: string, maxSockets: number) {
    this.url = new URL(baseUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(this.url.hostname))
      throw new Error(`not a loopback URL: ${baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Sends one request and reads the whole answer (bodies here are small). */
  call(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: string } = {},
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (body) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = body.length;
      }
      const req = request(
        { agent: this.agent, hostname: this.url.hostname, port: this.url.port, method, path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/** Records the duration of one named step of an iteration, in ms. */
export type StepRecorder = (step: string, ms: number) => void;

export interface IterationSpec {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * One iteration of virtual user `worker` (0 … concurrency-1), its `round`-th; it throws (or
   * rejects) to count as an error, whose message is kept as a sample.
   */
  iteration: (worker: number, round: number, record: StepRecorder) => Promise<void>;
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface IterationResult {
  /** Iterations that succeeded and completed inside the measured window. */
  iterations: number;
  errors: number;
  seconds: number;
  iterationsPerSecond: number;
  /** Whole iterations, as the virtual user saw them. */
  total: Percentiles;
  /** Each named step, from the iterations counted in `total`. */
  steps: Map<string, Percentiles>;
  generatorCpuMs: number;
  errorSamples: string[];
}

/**
 * Closed loop like runLoad, but each virtual user runs a whole scenario per iteration (e.g. start
 * then end of a session) and may time its steps. An iteration counts when it completes inside the
 * measured window, with all its steps.
 */
export async function runIterations(spec: IterationSpec): Promise<IterationResult> {
  const totals: number[] = [];
  const steps = new Map<string, number[]>();
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

  const worker = async (index: number) => {
    for (let round = 0; performance.now() < stopAt; round++) {
      const recorded: [string, number][] = [];
      const t0 = performance.now();
      let failure: string | undefined;
      try {
        await spec.iteration(index, round, (step, ms) => recorded.push([step, ms]));
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      const t1 = performance.now();
      if (t1 < measureFrom || t1 > stopAt) continue;
      if (failure !== undefined) {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(failure);
        continue;
      }
      totals.push(t1 - t0);
      for (const [step, ms] of recorded) {
        let list = steps.get(step);
        if (!list) steps.set(step, (list = []));
        list.push(ms);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => worker(i)));
  clearTimeout(timer);
  openWindow();
  const cpu = process.cpuUsage(cpuAtStart);
  spec.onMeasureEnd?.();

  const seconds = (Math.min(performance.now(), stopAt) - measureFrom) / 1000;
  return {
    iterations: totals.length,
    errors,
    seconds,
    iterationsPerSecond: totals.length / seconds,
    total: summarize(totals),
    steps: new Map([...steps].map(([name, values]) => [name, summarize(values)])),
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    errorSamples: [...errorSamples],
  };
}

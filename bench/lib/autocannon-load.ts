import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { type LoadResult, type LoadSpec, percentile } from './load.js';

/** The slice of autocannon's API used here (the package ships no types). */
interface Instance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
}
type Autocannon = (
  options: {
    url: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    connections: number;
    duration: number;
  },
  done: (error: Error | null, result: unknown) => void,
) => Instance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(
  spec: LoadSpec,
  seconds: number,
  onResponse?: (status: number, ms: number) => void,
  onError?: (e: Error) => void,
) {
  return new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.baseUrl + spec.path,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        connections: spec.concurrency,
        duration: seconds,
      },
      (error) => (error ? reject(error) : resolve()),
    );
    if (onResponse) instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
    if (onError) instance.on('reqError', onError);
  });
}

/**
 * The same fixed-concurrency, fixed-duration run as `load.ts`, with autocannon as the client: one
 * keep-alive connection per unit of concurrency, each sending its next request when the answer came.
 * The warm-up is a run of its own whose answers are dropped.
 */
export async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  spec.onMeasureStart?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run(
    spec,
    spec.seconds,
    (status, ms) => {
      if (status === spec.expectStatus) latencies.push(ms);
      else {
        errors += 1;
        if (errorSamples.size < 5) errorSamples.add(`status ${status}`);
      }
    },
    (error) => {
      errors += 1;
      if (errorSamples.size < 5) errorSamples.add(error.message);
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  spec.onMeasureEnd?.();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    errorSamples: [...errorSamples],
  };
}

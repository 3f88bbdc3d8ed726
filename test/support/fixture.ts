import { afterAll, beforeAll, onTestFinished, TestRunner } from 'vitest';

// The suites' teardown in one place: what a suite opens is closed by the scope that opened it, so
// no suite closes by hand and a failing test leaks nothing into the next.

export interface Teardown {
  /**
   * Registers `close` for the scope running now: the test (when called in a test or a `beforeEach`),
   * otherwise the suite (its `afterAll`). Returns `close` made idempotent and unregistered once run,
   * for closing earlier by hand.
   */
  add(close: () => Promise<void>): () => Promise<void>;
}

/** The suite's teardown; call at collection time (it registers the suite's `afterAll`). */
export function useTeardown(): Teardown {
  const pending: (() => Promise<void>)[] = [];
  afterAll(async () => {
    // Last opened, first closed: what was opened later may use what was opened before it.
    const errors: unknown[] = [];
    for (const close of pending.slice().reverse()) await close().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw errors[0];
  });
  return {
    add(close) {
      let closing: Promise<void> | undefined;
      const once = () => {
        const at = pending.indexOf(once);
        if (at >= 0) pending.splice(at, 1);
        return (closing ??= close());
      };
      pending.push(once);
      if (TestRunner.getCurrentTest()) onTestFinished(() => once());
      return once;
    },
  };
}

/**
 * Something a suite starts once, in `beforeAll`, and closes in `afterAll`, both registered here. The
 * returned object forwards every read to the started one, so it is used in tests and later hooks
 * (destructure it there, not at collection time).
 */
export function useStarted<T extends object>(
  name: string,
  start: () => Promise<T>,
  close: (started: T) => Promise<void>,
): T {
  let started: T | undefined;
  const teardown = useTeardown();
  beforeAll(async () => {
    const value = await start();
    started = value;
    teardown.add(() => close(value));
  });
  const current = (): T => {
    if (!started) throw new Error(`${name}: started in beforeAll; use it in tests and later hooks`);
    return started;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const value: unknown = Reflect.get(current(), key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current()) : value;
    },
    has: (_, key) => Reflect.has(current(), key),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

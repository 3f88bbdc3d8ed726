import { describe, expect, it } from 'vitest';
import { useApps, useInstances } from './support/app.js';

// The fixtures close what they start, so a suite that forgets nothing still leaks nothing: these
// pin the lifetimes the other suites rely on.

/** Whether anything still answers at `url` (a closed instance refuses the connection). */
const answers = (url: string) =>
  fetch(`${url}/health/live`).then(
    () => true,
    () => false,
  );

describe('useApps', () => {
  const [one, two] = useApps(2, (i) => ({ env: { REDIS_KEY_PREFIX: `fixture-${i}:` } }));

  it('starts each instance with its own settings, on its own port', async () => {
    expect(one.handle.config.REDIS_KEY_PREFIX).toBe('fixture-0:');
    expect(two.handle.config.REDIS_KEY_PREFIX).toBe('fixture-1:');
    expect(one.url).not.toBe(two.url);
    expect((await one.api.get('/health/live')).status).toBe(200);
    expect((await two.api.get('/health/live')).status).toBe(200);
  });
});

describe('useInstances', () => {
  const instances = useInstances();
  let fromTest = '';

  it('keeps an instance started in a test up while the test runs', async () => {
    const app = await instances.start({}, {});
    fromTest = app.url;
    expect(instances.running).toContain(app);
    expect(await answers(app.url)).toBe(true);
  });

  it('closed it when that test finished', async () => {
    expect(fromTest).not.toBe('');
    expect(await answers(fromTest)).toBe(false);
    expect(instances.running).toEqual([]);
  });

  it('closes an instance early, once however often it is asked', async () => {
    const app = await instances.start();
    await Promise.all([app.close(), app.close()]);
    await app.close();
    expect(await answers(app.url)).toBe(false);
    expect(instances.running).toEqual([]);
  });
});

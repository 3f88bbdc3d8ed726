import { afterAll, beforeAll } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { studyGroupsSuite } from './support/study-groups-suite.js';

// One instance with its group state in memory (no REDIS_URL): the `npm start` default.
let app: TestApp | undefined;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

studyGroupsSuite('study groups: one instance, memory store', () => ({ apps: [app!] }));

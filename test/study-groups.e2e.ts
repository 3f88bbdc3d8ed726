import { useApp } from './support/app.js';
import { studyGroupsSuite } from './support/study-groups-suite.js';

// One instance with its group state in memory (no REDIS_URL): the `npm start` default.
const app = useApp();

studyGroupsSuite('study groups: one instance, memory store', () => ({ apps: [app] }));

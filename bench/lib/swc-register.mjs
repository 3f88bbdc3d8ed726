// Registers swc-hooks.mjs: `node --import ./bench/lib/swc-register.mjs some-file.ts`.
// tsx (esbuild) emits no decorator metadata, which Nest's dependency injection needs; SWC does,
// as it does for the test suite (vitest.config.ts). Used to start the servers under benchmark.
import { register } from 'node:module';

register('./swc-hooks.mjs', import.meta.url);

import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The lint rule of eslint.config.js that keeps the shared layers free of features, run on sample imports.
const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

async function layerErrors(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('shared layers import no feature', () => {
  // The first lint loads the configuration and the TypeScript parser: slow on a busy machine.
  beforeAll(() => layerErrors('src/common/clock.ts', './random.js'), 60_000);

  it.each([
    ['src/common/clock.ts', '../statistics/statistics.service.js'],
    ['src/common/wire/spring.ts', '../../accounts/accounts.repository.js'],
    ['src/common/rate-limit/rate-limiter.ts', '../../auth/token.service.js'],
    ['src/config/config.ts', '../shop/item-use.rules.js'],
    ['src/config/config.ts', '../app.js'],
    ['src/database/client.ts', '../members/members.repository.js'],
    ['src/database/migrator.ts', '../seeds/seed.js'],
  ])('%s may not import %s', async (file, specifier) => {
    expect(await layerErrors(file, specifier)).toEqual([expect.stringContaining('depend on no feature')]);
  });

  it.each([
    ['src/common/clock.ts', '../config/config.js'],
    ['src/common/wire/spring.ts', '../limits.js'],
    ['src/common/wire/exception.filter.ts', '../../database/errors.js'],
    ['src/config/secrets.ts', '../database/schema.js'],
    ['src/database/schema.ts', '../common/limits.js'],
    ['src/database/client.ts', './errors.js'],
    // Features may import each other and the shared layers.
    ['src/shop/shop.service.ts', '../members/members.repository.js'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await layerErrors(file, specifier)).toEqual([]);
  });
});

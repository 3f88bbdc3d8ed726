// Module hooks: compile the project's own .ts files with SWC (legacy decorators + metadata, as
// tsconfig.json asks), and let `./x.js` imports find `./x.ts` as the NodeNext sources write them.
// Files under node_modules are left to Node.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';

const isOwnTs = (url) => url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/');

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (relative && specifier.endsWith('.js') && context.parentURL && isOwnTs(context.parentURL)) {
      return nextResolve(specifier.slice(0, -3) + '.ts', context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!isOwnTs(url)) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const output = await transform(await readFile(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'es6' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    },
  });
  return { format: 'module', source: output.code, shortCircuit: true };
}

import tseslint from 'typescript-eslint';

// The shared layers import no feature folder and no composition root (app.ts, main.ts, cli.ts): a
// relative import that climbs out of src/<layer>/ may only land in another shared layer. One block
// per depth below src/, since how far `../` must climb to leave the layer depends on the file's depth.
const SHARED = ['common', 'config', 'database'];
const sharedLayers = [1, 2, 3, 4, 5].map((depth) => ({
  files: [`src/{${SHARED.join(',')}}/${'*/'.repeat(depth - 1)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./){${depth}}(?!(${SHARED.join('|')})/)`,
            message:
              'common/, config/ and database/ depend on no feature: move the shared piece down, or the caller up.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // No consistent-type-imports: Nest's DI reads constructor parameter classes at run time.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...sharedLayers,
  {
    // Test helpers read loosely typed JSON bodies.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

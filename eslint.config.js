// ESLint (`npm run lint`, run by .ci/run before the tests): eslint's and typescript-eslint's
// recommended rules, syntax only (no type information: fast on 2 cores), minus the noisy ones.
// Places that broke a kept rule when it was introduced are listed in eslint-suppressions.json: new
// ones fail; fixing one makes ESLint ask for `npx eslint --prune-suppressions`, so the list only shrinks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'bench/out/', 'test-artifacts/', '.renkei/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Parsed JSON, API bodies and test fixtures are `any` on purpose; strict typing is tsc's job.
      '@typescript-eslint/no-explicit-any': 'off',
      // A leading underscore marks a parameter or binding kept for its position or shape.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `let { a, b } = f()` where only one is reassigned stays one declaration.
      'prefer-const': ['error', { destructuring: 'all' }],
      // Flags the usual `let x = default; try { x = … } catch { … }`.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
);
